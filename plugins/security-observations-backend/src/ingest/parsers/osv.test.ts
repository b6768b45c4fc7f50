import { normalizeFindings } from '../NormalizedFinding';
import path from 'node:path';
import fc from 'fast-check';
import { corpusFiles, readJson } from '../../__testUtils__/corpus';
import {
  arbitraryJsonProperty,
  foreignDocuments,
  parseErrorOf,
  replacedValueProperty,
} from '../../__testUtils__/parserProperties';
import { cyclonedxParser } from './cyclonedx';
import { gitleaksParser } from './gitleaks';
import { identityKey } from './identity';
import { osvParser } from './osv';
import { semgrepParser } from './semgrep';

const fixture = (name: string) =>
  readJson(path.join(__dirname, '__fixtures__', 'osv', name));

const CVSS_98 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const CVSS_53 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L';

/** One lockfile with one package and the given vulnerabilities and groups. */
function osvDocument(options: {
  vulnerabilities?: unknown[];
  groups?: unknown[];
  pkg?: object;
  sourcePath?: string;
}) {
  return {
    results: [
      {
        source: {
          path: options.sourcePath ?? '/src/poetry.lock',
          type: 'lockfile',
        },
        packages: [
          {
            package: options.pkg ?? {
              name: 'django',
              version: '3.2.0',
              ecosystem: 'PyPI',
            },
            vulnerabilities: options.vulnerabilities ?? [],
            ...(options.groups ? { groups: options.groups } : {}),
          },
        ],
      },
    ],
  };
}

const parseError = (document: unknown) => parseErrorOf(osvParser, document);

/** Documents of the formats auto-detection tries around this one. */
const otherFormats = foreignDocuments([
  'sarif',
  'trivy',
  'grype',
  'cyclonedx',
  'gitleaks',
]);

describe('osvParser', () => {
  describe('corpus', () => {
    it('reads every OSV-Scanner corpus file; the empty one has no findings', () => {
      for (const file of corpusFiles('osv-scanner')) {
        const document = readJson(file) as any;
        expect(osvParser.detect(document)).toBe(true);
        expect(semgrepParser.detect(document)).toBe(false);
        const report = osvParser.parse(document);
        expect(report.format).toBe('osv');
        expect(report.scanner).toBe('osv-scanner');
        const expectedCount = document.results
          .flatMap((result: any) => result.packages ?? [])
          .reduce(
            (sum: number, entry: any) =>
              sum +
              (entry.groups?.length || entry.vulnerabilities?.length || 0),
            0,
          );
        expect(report.findings).toHaveLength(expectedCount);
      }
    });

    it('reads osv-scanner_empty-results.json as zero findings', () => {
      for (const file of corpusFiles('osv-scanner').filter(
        name => path.basename(name) === 'osv-scanner_empty-results.json',
      )) {
        expect(osvParser.parse(readJson(file)).findings).toEqual([]);
      }
    });
  });

  describe('osv-scanner v1 fixture (npm and PyPI, groups)', () => {
    const report = osvParser.parse(fixture('osv-scanner-v1_npm-pypi.json'));

    it('gives one finding per group', () => {
      expect(report).toMatchObject({ format: 'osv', scanner: 'osv-scanner' });
      expect(report.findings.map(f => f.title)).toEqual([
        'GHSA-35jh-r3h4-6jhm in lodash 4.17.20: Command Injection in lodash',
        'GHSA-g3rq-g295-4j3m in jinja2 2.11.2: Regular Expression Denial of Service (ReDoS) in Jinja2',
      ]);
    });

    it('reads lodash: max_severity, fixed version of the matching package only', () => {
      expect(report.findings[0]).toEqual({
        identityKey: identityKey(
          'GHSA-35jh-r3h4-6jhm',
          'npm',
          'lodash',
          'home/runner/work/shop/shop/package-lock.json',
        ),
        title:
          'GHSA-35jh-r3h4-6jhm in lodash 4.17.20: Command Injection in lodash',
        description: [
          '`lodash` versions prior to 4.17.21 are vulnerable to Command Injection via the template function.',
          '**References:**\n\n' +
            '- ADVISORY: [https://nvd.nist.gov/vuln/detail/CVE-2021-23337](https://nvd.nist.gov/vuln/detail/CVE-2021-23337)\n' +
            '- WEB: [https://github.com/lodash/lodash/blob/ddfd9b11a0126db2302cb70ec9973b66baec0975/lodash.js#L14851](https://github.com/lodash/lodash/blob/ddfd9b11a0126db2302cb70ec9973b66baec0975/lodash.js#L14851)\n' +
            '- PACKAGE: [https://github.com/lodash/lodash](https://github.com/lodash/lodash)',
        ].join('\n\n'),
        severity: 'high', // max_severity "7.2"
        status: 'open',
        vulnerabilityIds: ['GHSA-35jh-r3h4-6jhm', 'CVE-2021-23337'],
        cwes: ['CWE-77', 'CWE-94'],
        package: {
          purl: 'pkg:npm/lodash@4.17.20',
          name: 'lodash',
          version: '4.17.20',
          fixedVersion: '4.17.21',
        },
        location: { file: 'home/runner/work/shop/shop/package-lock.json' },
      });
    });

    it('merges a group of two records: sorted ids first, then aliases; GIT ranges give no fixed version', () => {
      expect(report.findings[1]).toMatchObject({
        identityKey: identityKey(
          'GHSA-g3rq-g295-4j3m',
          'PyPI',
          'jinja2',
          'home/runner/work/shop/shop/api/requirements.txt',
        ),
        severity: 'medium', // max_severity "5.3"
        vulnerabilityIds: [
          'GHSA-g3rq-g295-4j3m',
          'PYSEC-2021-66',
          'CVE-2020-28493',
          'SNYK-PYTHON-JINJA2-1012994',
        ],
        cwes: ['CWE-400'],
        package: {
          purl: 'pkg:pypi/jinja2@2.11.2',
          name: 'jinja2',
          version: '2.11.2',
          fixedVersion: '2.11.3',
        },
      });
      expect(report.findings[1].description).toMatch(
        /^This affects the package jinja2 from 0\.0\.0 and before 2\.11\.3\. The ReDoS/,
      );
      // the reference both records share is listed once
      expect(
        report.findings[1].description.split(
          '(https://github.com/pallets/jinja/pull/1343)',
        ),
      ).toHaveLength(2);
    });
  });

  describe('osv-scanner without groups (Go)', () => {
    const report = osvParser.parse(
      fixture('osv-scanner-v1.0_go-no-groups.json'),
    );

    it('gives one finding per vulnerability', () => {
      expect(report.findings).toHaveLength(2);
      expect(report.findings[0]).toMatchObject({
        identityKey: identityKey(
          'GO-2021-0113',
          'Go',
          'golang.org/x/text',
          'go.mod',
        ),
        title:
          'GO-2021-0113 in golang.org/x/text 0.3.5: Out-of-bounds read in golang.org/x/text/language',
        severity: 'unknown',
        vulnerabilityIds: [
          'GO-2021-0113',
          'CVE-2021-38561',
          'GHSA-ppp9-7jff-5vj2',
        ],
        package: {
          purl: 'pkg:golang/golang.org/x/text@0.3.5',
          fixedVersion: '0.3.7',
        },
        location: { file: 'go.mod' },
      });
      expect(report.findings[1]).toMatchObject({
        severity: 'medium', // database_specific.severity MODERATE
        package: { fixedVersion: '0.3.8' },
      });
    });
  });

  describe('severity', () => {
    const severityOf = (vulnerabilities: unknown[], groups?: unknown[]) =>
      osvParser.parse(osvDocument({ vulnerabilities, groups })).findings[0]
        .severity;

    it('takes the group max_severity first', () => {
      expect(
        severityOf(
          [{ id: 'GHSA-1', severity: [{ type: 'CVSS_V3', score: CVSS_98 }] }],
          [{ ids: ['GHSA-1'], max_severity: '3.1' }],
        ),
      ).toBe('low');
      expect(
        severityOf(
          [{ id: 'GHSA-1' }],
          [{ ids: ['GHSA-1'], max_severity: '9.0' }],
        ),
      ).toBe('critical');
    });

    it('else the highest CVSS vector of the group', () => {
      expect(
        severityOf(
          [
            { id: 'GHSA-1', severity: [{ type: 'CVSS_V3', score: CVSS_53 }] },
            { id: 'PYSEC-1', severity: [{ type: 'CVSS_V3', score: CVSS_98 }] },
          ],
          [{ ids: ['PYSEC-1', 'GHSA-1'], max_severity: '' }],
        ),
      ).toBe('critical');
      expect(
        severityOf([
          {
            id: 'GHSA-1',
            severity: [
              {
                type: 'CVSS_V4',
                score:
                  'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N',
              },
            ],
          },
        ]),
      ).toBe('medium');
      // a non-CVSS severity type is not a vector
      expect(
        severityOf([
          { id: 'UBUNTU-1', severity: [{ type: 'Ubuntu', score: 'high' }] },
        ]),
      ).toBe('unknown');
    });

    it.each([
      ['CRITICAL', 'critical'],
      ['HIGH', 'high'],
      ['MODERATE', 'medium'],
      ['LOW', 'low'],
      ['whatever', 'unknown'],
    ])('else database_specific.severity %s as %s', (name, expected) => {
      expect(
        severityOf([{ id: 'GHSA-1', database_specific: { severity: name } }]),
      ).toBe(expected);
    });

    it('else unknown', () => {
      expect(severityOf([{ id: 'GHSA-1' }])).toBe('unknown');
    });
  });

  describe('packages and identity', () => {
    const vulnerability = {
      id: 'GHSA-1',
      affected: [
        {
          package: { ecosystem: 'Debian:12', name: 'openssl' },
          ranges: [
            {
              type: 'ECOSYSTEM',
              events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }],
            },
          ],
        },
        {
          package: { ecosystem: 'Debian:12', name: 'openssl' },
          ranges: [
            {
              type: 'ECOSYSTEM',
              events: [{ introduced: '3.1.0' }, { fixed: '3.1.5-1' }],
            },
          ],
        },
        {
          package: { ecosystem: 'Alpine:v3.19', name: 'openssl' },
          ranges: [{ type: 'ECOSYSTEM', events: [{ fixed: '3.1.4-r5' }] }],
        },
      ],
    };

    it('joins the fixed versions of every range for this package and ecosystem', () => {
      const [finding] = osvParser.parse(
        osvDocument({
          vulnerabilities: [vulnerability],
          pkg: {
            name: 'openssl',
            version: '3.0.11-1~deb12u1',
            ecosystem: 'Debian',
          },
        }),
      ).findings;
      expect(finding.package).toEqual({
        name: 'openssl',
        version: '3.0.11-1~deb12u1',
        fixedVersion: '3.0.13-1~deb12u1, 3.1.5-1',
      });
      expect(finding.title).toBe('GHSA-1 in openssl 3.0.11-1~deb12u1');
    });

    it('keeps the identity when the version changes, not when the lockfile does', () => {
      const key = (version: string, sourcePath = '/src/poetry.lock') =>
        osvParser.parse(
          osvDocument({
            vulnerabilities: [{ id: 'GHSA-1' }],
            pkg: { name: 'django', version, ecosystem: 'PyPI' },
            sourcePath,
          }),
        ).findings[0].identityKey;
      expect(key('3.2.0')).toBe(key('3.2.19'));
      expect(key('3.2.0')).toBe(
        identityKey('GHSA-1', 'PyPI', 'django', 'src/poetry.lock'),
      );
      expect(key('3.2.0', './src/poetry.lock')).toBe(key('3.2.0'));
      expect(key('3.2.0', '/services/api/poetry.lock')).not.toBe(key('3.2.0'));
    });

    it('builds purls for namespaced ecosystems', () => {
      const purl = (name: string, ecosystem: string) =>
        osvParser.parse(
          osvDocument({
            vulnerabilities: [{ id: 'GHSA-1' }],
            pkg: { name, version: '1.0.0', ecosystem },
          }),
        ).findings[0].package?.purl;
      expect(purl('com.fasterxml.jackson.core:jackson-databind', 'Maven')).toBe(
        'pkg:maven/com.fasterxml.jackson.core/jackson-databind@1.0.0',
      );
      expect(purl('@babel/traverse', 'npm')).toBe(
        'pkg:npm/%40babel/traverse@1.0.0',
      );
      expect(purl('serde', 'crates.io')).toBe('pkg:cargo/serde@1.0.0');
      expect(purl('foo', 'Unknown')).toBeUndefined();
      expect(purl('foo', 'constructor')).toBeUndefined();
    });

    it('numbers the same package at two versions in one lockfile', () => {
      const document = osvDocument({ vulnerabilities: [{ id: 'GHSA-1' }] });
      const entry = document.results[0].packages[0];
      document.results[0].packages.push({
        ...entry,
        package: { name: 'django', version: '2.2.0', ecosystem: 'PyPI' },
      });
      expect(
        Array.from(normalizeFindings(osvParser.parse(document).findings)).map(
          normalized => normalized.finding.identityKey,
        ),
      ).toEqual([
        identityKey('GHSA-1', 'PyPI', 'django', 'src/poetry.lock'),
        identityKey('GHSA-1', 'PyPI', 'django', 'src/poetry.lock', '#2'),
      ]);
    });

    it('gives no finding for a package without vulnerabilities', () => {
      expect(osvParser.parse(osvDocument({})).findings).toEqual([]);
    });
  });

  describe('errors', () => {
    it('names the JSON path of what is wrong', () => {
      expect(parseError({ results: {} }).message).toBe(
        'OSV-Scanner JSON: results: expected an array',
      );
      expect(parseError([]).message).toBe(
        'OSV-Scanner JSON: expected an object',
      );
      expect(
        parseError(osvDocument({ pkg: { version: '1.0.0', ecosystem: 'npm' } }))
          .message,
      ).toBe(
        'OSV-Scanner JSON: results[0].packages[0].package.name: expected a string',
      );
      expect(
        parseError(osvDocument({ vulnerabilities: [{ id: 'A' }, { id: 2 }] }))
          .message,
      ).toBe(
        'OSV-Scanner JSON: results[0].packages[0].vulnerabilities[1].id: expected a string',
      );
      expect(
        parseError(
          osvDocument({
            vulnerabilities: [{ id: 'A' }],
            groups: [{ ids: [] }],
          }),
        ).message,
      ).toBe(
        'OSV-Scanner JSON: results[0].packages[0].groups[0].ids: expected at least one id',
      );
      expect(
        parseError(
          osvDocument({
            vulnerabilities: [{ id: 'A' }],
            groups: [{ ids: ['A'], max_severity: {} }],
          }),
        ).message,
      ).toBe(
        'OSV-Scanner JSON: results[0].packages[0].groups[0].max_severity: expected a numeric string',
      );
    });
  });

  describe('detect', () => {
    it('accepts OSV-Scanner documents', () => {
      expect(osvParser.detect(fixture('osv-scanner-v1_npm-pypi.json'))).toBe(
        true,
      );
      expect(
        osvParser.detect(fixture('osv-scanner-v1.0_go-no-groups.json')),
      ).toBe(true);
      expect(osvParser.detect({ results: [] })).toBe(true);
      expect(osvParser.detect({ results: [], experimental_config: {} })).toBe(
        true,
      );
      expect(osvParser.detect({ results: [{ source: { path: 'a' } }] })).toBe(
        true,
      );
    });

    it('rejects Semgrep documents, including empty ones', () => {
      for (const name of [
        'semgrep-1.85_logged-out.json',
        'semgrep-1.101_logged-in.json',
      ]) {
        const document = readJson(
          path.join(__dirname, '__fixtures__', 'semgrep', name),
        );
        expect(osvParser.detect(document)).toBe(false);
      }
      for (const file of corpusFiles('semgrep')) {
        expect(osvParser.detect(readJson(file))).toBe(false);
      }
      expect(osvParser.detect({ results: [], errors: [] })).toBe(false);
      expect(osvParser.detect({ results: [], paths: { scanned: [] } })).toBe(
        false,
      );
      expect(osvParser.detect({ results: [], version: '1.30.0' })).toBe(false);
      expect(
        osvParser.detect({
          results: [{ check_id: 'x', source: {} }],
          experimental_config: {},
        }),
      ).toBe(false);
    });

    it('rejects other documents with results', () => {
      expect(osvParser.detect({ results: [{ id: 1 }] })).toBe(false);
      expect(osvParser.detect({ results: [{ packages: [] }, 7] })).toBe(false);
      expect(osvParser.detect({ results: {} })).toBe(false);
      expect(osvParser.detect([])).toBe(false);
      expect(osvParser.detect(null)).toBe(false);
    });

    it('rejects SARIF, Trivy, Grype, CycloneDX and Gitleaks documents', () => {
      for (const [name, document] of otherFormats) {
        expect([name, osvParser.detect(document)]).toEqual([name, false]);
      }
    });

    it('is not claimed by the other parsers in this group', () => {
      const document = fixture('osv-scanner-v1_npm-pypi.json');
      expect(semgrepParser.detect(document)).toBe(false);
      expect(cyclonedxParser.detect(document)).toBe(false);
      expect(gitleaksParser.detect(document)).toBe(false);
      expect(semgrepParser.detect({ results: [] })).toBe(false);
    });
  });

  describe('robustness', () => {
    it('returns or throws ReportParseError for arbitrary JSON', () => {
      expect(() =>
        fc.assert(
          arbitraryJsonProperty(osvParser, [
            document => ({ results: [document] }),
            document => osvDocument({ vulnerabilities: [document] }),
          ]),
          { numRuns: 300 },
        ),
      ).not.toThrow();
    });

    it('returns or throws ReportParseError when any value of a fixture is replaced', () => {
      const document = fixture('osv-scanner-v1_npm-pypi.json');
      expect(() =>
        fc.assert(replacedValueProperty(osvParser, document), { numRuns: 500 }),
      ).not.toThrow();
    });
  });
});
