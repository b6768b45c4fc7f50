import { ReportFormat } from '../../../ingest/parsers';

/**
 * One small, valid report per JSON format, in the shape the scanner
 * writes it, with one finding each: the base the hostile suites break.
 */
export const minimalReports: Array<{
  format: ReportFormat;
  label: string;
  document: unknown;
}> = [
  {
    format: 'sarif',
    label: 'SARIF',
    document: {
      version: '2.1.0',
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      runs: [
        {
          tool: {
            driver: {
              name: 'CodeQL',
              rules: [
                {
                  id: 'js/xss',
                  shortDescription: {
                    text: 'Client-side cross-site scripting',
                  },
                  properties: { 'security-severity': '6.1' },
                },
              ],
            },
          },
          results: [
            {
              ruleId: 'js/xss',
              level: 'error',
              message: {
                text: 'Cross-site scripting from a user-provided value',
              },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: 'src/render.js' },
                    region: { startLine: 12, endLine: 12 },
                  },
                },
              ],
            },
          ],
        },
      ],
    },
  },
  {
    format: 'cyclonedx',
    label: 'CycloneDX',
    document: {
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      version: 1,
      components: [
        {
          type: 'library',
          'bom-ref': 'pkg:npm/lodash@4.17.20',
          name: 'lodash',
          version: '4.17.20',
          purl: 'pkg:npm/lodash@4.17.20',
        },
      ],
      vulnerabilities: [
        {
          id: 'CVE-2021-23337',
          ratings: [{ severity: 'high', score: 7.2, method: 'CVSSv31' }],
          description: 'Command injection via the template function.',
          affects: [{ ref: 'pkg:npm/lodash@4.17.20' }],
        },
      ],
    },
  },
  {
    format: 'trivy',
    label: 'Trivy JSON',
    document: {
      SchemaVersion: 2,
      ArtifactName: 'registry.example.com/payments/api:2.0.0',
      ArtifactType: 'container_image',
      Results: [
        {
          Target: 'registry.example.com/payments/api:2.0.0 (alpine 3.19.1)',
          Class: 'os-pkgs',
          Type: 'alpine',
          Vulnerabilities: [
            {
              VulnerabilityID: 'CVE-2024-0727',
              PkgName: 'openssl',
              InstalledVersion: '3.1.4-r2',
              FixedVersion: '3.1.4-r5',
              Severity: 'MEDIUM',
              Title: 'openssl: denial of service via null dereference',
            },
          ],
        },
      ],
    },
  },
  {
    format: 'grype',
    label: 'Grype JSON',
    document: {
      matches: [
        {
          vulnerability: {
            id: 'CVE-2024-0727',
            severity: 'Medium',
            fix: { versions: ['3.1.4-r5'], state: 'fixed' },
          },
          artifact: {
            name: 'openssl',
            version: '3.1.4-r2',
            type: 'apk',
            purl: 'pkg:apk/alpine/openssl@3.1.4-r2',
          },
        },
      ],
      source: { type: 'image', target: { userInput: 'alpine:3.19' } },
      descriptor: { name: 'grype', version: '0.74.0' },
    },
  },
  {
    format: 'osv',
    label: 'OSV-Scanner JSON',
    document: {
      results: [
        {
          source: { path: '/src/package-lock.json', type: 'lockfile' },
          packages: [
            {
              package: { name: 'lodash', version: '4.17.20', ecosystem: 'npm' },
              vulnerabilities: [
                {
                  id: 'GHSA-35jh-r3h4-6jhm',
                  summary: 'Command Injection in lodash',
                  aliases: ['CVE-2021-23337'],
                },
              ],
              groups: [{ ids: ['GHSA-35jh-r3h4-6jhm', 'CVE-2021-23337'] }],
            },
          ],
        },
      ],
      experimental_config: { licenses: { summary: false, allowlist: [] } },
    },
  },
  {
    format: 'gitleaks',
    label: 'Gitleaks JSON',
    document: [
      {
        Description: 'AWS Access Key',
        StartLine: 3,
        EndLine: 3,
        StartColumn: 16,
        EndColumn: 35,
        Match: 'AWS_ACCESS_KEY_ID=AKIAZZZZ7EXAMPLEKEY1',
        Secret: 'AKIAZZZZ7EXAMPLEKEY1',
        File: 'deploy/.env',
        Commit: '8f9c2d1e4b5a6c7d8e9f0a1b2c3d4e5f6a7b8c9d',
        Author: 'Dev',
        Email: 'dev@example.com',
        Date: '2024-05-02T10:00:00Z',
        Message: 'add deploy config',
        Tags: [],
        RuleID: 'aws-access-token',
        Fingerprint:
          '8f9c2d1e4b5a6c7d8e9f0a1b2c3d4e5f6a7b8c9d:deploy/.env:aws-access-token:3',
      },
    ],
  },
  {
    format: 'semgrep',
    label: 'Semgrep JSON',
    document: {
      version: '1.85.0',
      results: [
        {
          check_id: 'javascript.browser.security.insecure-document-method',
          path: 'src/render.js',
          start: { line: 12, col: 5, offset: 301 },
          end: { line: 12, col: 40, offset: 336 },
          extra: {
            message:
              'User controlled data in methods like innerHTML is an XSS risk.',
            severity: 'ERROR',
            metadata: { cwe: ['CWE-79: Cross-site Scripting'] },
            lines: 'el.innerHTML = input;',
          },
        },
      ],
      errors: [],
      paths: { scanned: ['src/render.js'] },
    },
  },
];
