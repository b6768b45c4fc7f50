/**
 * Synthetic but realistic reports of any size for the import benchmark:
 * a CodeQL-like SARIF log, a Trivy image scan and a CycloneDX BOM with VEX
 * analyses, every finding distinct.
 */

const RULES = Array.from({ length: 60 }, (_, i) => ({
  id: `js/rule-${i}`,
  name: `Rule${i}`,
  shortDescription: { text: `Potential security problem number ${i}` },
  fullDescription: {
    text: `Untrusted data flows into a sensitive sink (pattern ${i}); validate or encode it first.`,
  },
  properties: {
    tags: ['security', `external/cwe/cwe-${(i % 90) + 20}`],
    'security-severity': String(((i * 7) % 100) / 10),
  },
}));

export function generateSarif(count: number): string {
  const results = Array.from({ length: count }, (_, i) => {
    const rule = i % RULES.length;
    const file = `src/module${Math.floor(i / 40)}/handler${i % 40}.js`;
    const line = 10 + (i % 500);
    return {
      ruleId: RULES[rule].id,
      ruleIndex: rule,
      level: 'warning',
      message: {
        text: `Value from [user input](1) reaches this sink without sanitization (finding ${i}).`,
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: file, uriBaseId: '%SRCROOT%' },
            region: { startLine: line, startColumn: 5, endColumn: 42 },
          },
        },
      ],
      partialFingerprints: {
        primaryLocationLineHash: `${(i * 2654435761).toString(16)}:1`,
      },
    };
  });
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'CodeQL', semanticVersion: '2.15.0', rules: RULES },
        },
        results,
      },
    ],
  });
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

export function generateTrivy(count: number): string {
  const packages = Math.max(1, Math.ceil(count / 20));
  const vulnerabilities = Array.from({ length: count }, (_, i) => {
    const pkg = `lib${i % packages}`;
    const cve = `CVE-${2018 + (i % 7)}-${10000 + i}`;
    return {
      VulnerabilityID: cve,
      PkgID: `${pkg}@1.${i % 9}.0-r0`,
      PkgName: pkg,
      PkgIdentifier: {
        PURL: `pkg:apk/alpine/${pkg}@1.${i % 9}.0-r0?arch=x86_64&distro=3.19.1`,
        UID: (i * 40503).toString(16),
      },
      InstalledVersion: `1.${i % 9}.0-r0`,
      FixedVersion: `1.${i % 9}.1-r0`,
      Status: 'fixed',
      Layer: { DiffID: `sha256:${'ab'.repeat(32)}` },
      SeveritySource: 'nvd',
      PrimaryURL: `https://avd.aquasec.com/nvd/${cve.toLowerCase()}`,
      Title: `${pkg}: memory corruption in parser ${i}`,
      Description: `A flaw was found in ${pkg}. A crafted input can cause an out-of-bounds write (case ${i}).`,
      Severity: SEVERITIES[i % SEVERITIES.length],
      CweIDs: ['CWE-787'],
      CVSS: {
        nvd: {
          V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
          V3Score: 9.8,
        },
      },
      References: [`https://nvd.nist.gov/vuln/detail/${cve}`],
      PublishedDate: '2023-01-01T00:00:00Z',
      LastModifiedDate: '2023-06-01T00:00:00Z',
    };
  });
  return JSON.stringify({
    SchemaVersion: 2,
    CreatedAt: '2026-11-23T10:00:00Z',
    ArtifactName: 'registry.example.com/payments/api:2.0.0',
    ArtifactType: 'container_image',
    Metadata: { OS: { Family: 'alpine', Name: '3.19.1' } },
    Results: [
      {
        Target: 'registry.example.com/payments/api:2.0.0 (alpine 3.19.1)',
        Class: 'os-pkgs',
        Type: 'alpine',
        Vulnerabilities: vulnerabilities,
      },
    ],
  });
}

const VEX_STATES = [
  'exploitable',
  'in_triage',
  'not_affected',
  'resolved',
  'false_positive',
  'resolved_with_pedigree',
  undefined,
];

/**
 * A CycloneDX 1.6 BOM with vulnerabilities and VEX analyses, as Dependency-
 * Track or a vendor's VEX feed writes one: every `analysis.state` (and none)
 * in turn, so that stated-resolved findings are part of the import.
 */
export function generateCycloneDx(count: number): string {
  const componentCount = Math.max(1, Math.ceil(count / 10));
  const components = Array.from({ length: componentCount }, (_, i) => {
    const purl = `pkg:maven/com.example.lib${i}/lib${i}@1.${i % 9}.0`;
    return {
      'bom-ref': purl,
      type: 'library',
      group: `com.example.lib${i}`,
      name: `lib${i}`,
      version: `1.${i % 9}.0`,
      purl,
    };
  });
  const vulnerabilities = Array.from({ length: count }, (_, i) => {
    const id = `CVE-${2018 + (i % 7)}-${20000 + i}`;
    const state = VEX_STATES[i % VEX_STATES.length];
    return {
      'bom-ref': `vuln-${i}`,
      id,
      source: { name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` },
      ratings: [
        {
          source: { name: 'NVD' },
          score: ((i * 7) % 100) / 10,
          severity: ['critical', 'high', 'medium', 'low'][i % 4],
          method: 'CVSSv31',
          vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        },
      ],
      cwes: [502],
      description: `Deserialization of untrusted data in lib${
        i % componentCount
      } (case ${i}).`,
      recommendation: `Upgrade to 1.${i % 9}.1 or later.`,
      advisories: [{ url: `https://github.com/advisories/GHSA-bench-${i}` }],
      ...(state
        ? {
            analysis: {
              state,
              ...(state === 'not_affected'
                ? { justification: 'code_not_reachable' }
                : {}),
              detail: `Vendor analysis for case ${i}.`,
            },
          }
        : {}),
      affects: [
        {
          ref: components[i % componentCount].purl,
          versions: [
            { version: `1.${i % 9}.0`, status: 'affected' },
            { version: `1.${i % 9}.1`, status: 'unaffected' },
          ],
        },
      ],
    };
  });
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: {
      timestamp: '2026-11-23T10:00:00Z',
      tools: {
        components: [{ type: 'application', name: 'Dependency-Track' }],
      },
    },
    components,
    vulnerabilities,
  });
}
