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
import { normalizeFindings } from '../NormalizedFinding';
import { identityKey } from './identity';
import { osvParser } from './osv';
import { semgrepParser } from './semgrep';

const fixture = (name: string) =>
  readJson(path.join(__dirname, '__fixtures__', 'cyclonedx', name));

/** A minimal BOM around some vulnerabilities. */
function bom(vulnerabilities: unknown[], extra: object = {}) {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    components: [
      {
        'bom-ref': 'lib',
        name: 'lib',
        version: '1.0.0',
        purl: 'pkg:npm/lib@1.0.0',
      },
    ],
    vulnerabilities,
    ...extra,
  };
}

const parseError = (document: unknown) =>
  parseErrorOf(cyclonedxParser, document);

/** Documents of the formats auto-detection tries around this one. */
const otherFormats = foreignDocuments(['sarif', 'trivy', 'grype']);

describe('cyclonedxParser', () => {
  describe('corpus', () => {
    it('reads every CycloneDX corpus file, one finding per affected ref, with its VEX status', () => {
      // The XML ones are cyclonedxXml.test.ts's.
      for (const file of corpusFiles('cyclonedx').filter(name =>
        name.endsWith('.json'),
      )) {
        const document = readJson(file) as any;
        expect(cyclonedxParser.detect(document)).toBe(true);
        const report = cyclonedxParser.parse(document);
        expect(report.format).toBe('cyclonedx');
        const vexStatus: Record<string, string> = {
          resolved: 'resolved',
          resolved_with_pedigree: 'resolved',
          exploitable: 'open',
          in_triage: 'in_review',
          false_positive: 'false_positive',
          not_affected: 'not_affected',
        };
        const expectedStatuses = (document.vulnerabilities ?? []).flatMap(
          (v: any) =>
            (v.affects?.length ? v.affects : [undefined]).map(
              () => vexStatus[v.analysis?.state] ?? 'open',
            ),
        );
        expect(report.findings.map(f => f.status)).toEqual(expectedStatuses);
      }
    });

    it('reads cdx-1.6_valid-vulnerability.json: one not_affected finding', () => {
      for (const file of corpusFiles('cyclonedx').filter(
        name => path.basename(name) === 'cdx-1.6_valid-vulnerability.json',
      )) {
        const report = cyclonedxParser.parse(readJson(file));
        expect(report.scanner).toBe('cyclonedx');
        expect(report.findings).toHaveLength(1);
        expect(report.findings[0]).toMatchObject({
          identityKey: identityKey(
            'SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111',
            'pkg:maven/com.fasterxml.jackson.core/jackson-databind',
          ),
          title:
            'SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111 in jackson-databind@2.9.4',
          severity: 'critical',
          status: 'not_affected',
          justification: 'code_not_reachable',
          vulnerabilityIds: [
            'SNYK-JAVA-COMFASTERXMLJACKSONCORE-32111',
            'CVE-2018-7489',
          ],
          cwes: ['CWE-184', 'CWE-502'],
          package: {
            purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4',
            name: 'jackson-databind',
            version: '2.9.4',
          },
        });
        expect(report.findings[0].description).toContain(
          'FasterXML jackson-databind before 2.7.9.3',
        );
        expect(report.findings[0].description).toContain(
          '[GitHub Issue](https://github.com/FasterXML/jackson-databind/issues/1931)',
        );
        expect(report.findings[0].description).toContain(
          'An optional explanation of why the application is not affected',
        );
      }
    });
  });

  describe('CycloneDX 1.4 fixture (Grype, VEX)', () => {
    const report = cyclonedxParser.parse(fixture('cdx-1.4_grype-vex.json'));
    const byTitle = (title: string) => {
      const found = report.findings.find(f => f.title === title);
      if (!found) throw new Error(`no finding titled ${title}`);
      return found;
    };

    it('names the scanner from the 1.4 tools array', () => {
      expect(report.scanner).toBe('grype');
      expect(report.findings).toHaveLength(5);
    });

    it('resolves refs to nested components and takes the unaffected version as fixed', () => {
      const nested = byTitle('CVE-2022-42003 in jackson-databind@2.13.3');
      expect(nested).toMatchObject({
        severity: 'high', // CVSSv31 preferred over CVSSv2 medium
        status: 'open', // exploitable
        vulnerabilityIds: ['CVE-2022-42003', 'GHSA-jjjh-jjxp-wpff'],
        cwes: ['CWE-502'],
        package: {
          purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.3',
          name: 'jackson-databind',
          version: '2.13.3',
          fixedVersion: '2.13.4.1',
        },
        identityKey: identityKey(
          'CVE-2022-42003',
          'pkg:maven/com.fasterxml.jackson.core/jackson-databind',
        ),
      });
      expect(nested.justification).toBeUndefined();
      expect(nested.description).toBe(
        [
          'In FasterXML jackson-databind before versions 2.13.4.1 and 2.12.17.1, resource exhaustion can occur because of a lack of a check in primitive value deserializers to avoid deep wrapper array nesting, when the UNWRAP_SINGLE_VALUE_ARRAYS feature is enabled.',
          'Exploitable only when UNWRAP_SINGLE_VALUE_ARRAYS is enabled.',
          '**Recommendation:** Upgrade jackson-databind to 2.13.4.1 or later.',
          '**Advisories:**\n\n- [GitHub Advisory](https://github.com/advisories/GHSA-jjjh-jjxp-wpff)\n- [https://github.com/FasterXML/jackson-databind/issues/3590](https://github.com/FasterXML/jackson-databind/issues/3590)',
          '**Analysis:** The public API enables UNWRAP_SINGLE_VALUE_ARRAYS.',
        ].join('\n\n'),
      );
    });

    it('reads a fixed version from a single >= unaffected range', () => {
      const shaded = byTitle('CVE-2022-42003 in jackson-databind@2.12.6');
      expect(shaded.package).toEqual({
        purl: 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.12.6?classifier=shaded',
        name: 'jackson-databind',
        version: '2.12.6',
        fixedVersion: '2.12.7.1',
      });
    });

    it('keeps the same package at two versions as two findings: the second key gets an ordinal', () => {
      const keys = report.findings
        .filter(f => f.vulnerabilityIds[0] === 'CVE-2022-42003')
        .map(f => f.identityKey);
      // The parser gives both the same key; normalizing numbers the second.
      expect(keys).toEqual([
        identityKey(
          'CVE-2022-42003',
          'pkg:maven/com.fasterxml.jackson.core/jackson-databind',
        ),
        identityKey(
          'CVE-2022-42003',
          'pkg:maven/com.fasterxml.jackson.core/jackson-databind',
        ),
      ]);
      expect(
        Array.from(normalizeFindings(report.findings))
          .filter(n => n.finding.vulnerabilityIds[0] === 'CVE-2022-42003')
          .map(n => [n.finding.title, n.finding.identityKey]),
      ).toEqual([
        [
          'CVE-2022-42003 in jackson-databind@2.13.3',
          identityKey(
            'CVE-2022-42003',
            'pkg:maven/com.fasterxml.jackson.core/jackson-databind',
          ),
        ],
        [
          'CVE-2022-42003 in jackson-databind@2.12.6',
          identityKey(
            'CVE-2022-42003',
            'pkg:maven/com.fasterxml.jackson.core/jackson-databind',
            '#2',
          ),
        ],
      ]);
    });

    it('maps not_affected with its justification and scores a prefix-less CVSSv31 vector', () => {
      expect(byTitle('CVE-2022-1471 in snakeyaml@1.33')).toMatchObject({
        severity: 'critical', // CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H = 9.8
        status: 'not_affected',
        justification: 'code_not_reachable',
        cwes: ['CWE-20', 'CWE-502'],
        identityKey: identityKey(
          'CVE-2022-1471',
          'pkg:maven/org.yaml/snakeyaml',
        ),
      });
    });

    it('falls back to the bom-ref for identity when the component has no purl', () => {
      const zlib = byTitle('CVE-2018-25032 in vendored-zlib@1.2.11');
      expect(zlib).toMatchObject({
        severity: 'high', // CVSSv3 score 7.5; the "unknown" other rating says nothing
        status: 'in_review',
        identityKey: identityKey('CVE-2018-25032', 'no-purl-lib'),
        package: { name: 'vendored-zlib', version: '1.2.11' },
      });
      expect(zlib.package?.purl).toBeUndefined();
    });

    it('gives a vulnerability without affects one finding without a package', () => {
      const finding = byTitle('GHSA-xq3w-v528-46rv');
      expect(finding).toMatchObject({
        identityKey: identityKey('GHSA-xq3w-v528-46rv'),
        severity: 'low', // OWASP "info"
        status: 'open',
        vulnerabilityIds: ['GHSA-xq3w-v528-46rv'],
        cwes: [],
        description: 'Advisory that applies to the application as a whole.',
      });
      expect(finding.package).toBeUndefined();
    });
  });

  describe('CycloneDX 1.5 fixture (tools.components)', () => {
    const report = cyclonedxParser.parse(
      fixture('cdx-1.5_tools-components.json'),
    );

    it('names the scanner from metadata.tools.components as a slug', () => {
      expect(report.scanner).toBe('trivy-scanner');
      expect(report.findings.map(f => f.title)).toEqual([
        'CVE-2021-23337 in lodash@4.17.20',
        'CVE-2023-5678 in openssl@3.0.11-1~deb12u1',
      ]);
    });

    it('reads lodash', () => {
      expect(report.findings[0]).toMatchObject({
        severity: 'high',
        status: 'open',
        vulnerabilityIds: ['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm'],
        cwes: ['CWE-77', 'CWE-94'],
        package: { fixedVersion: '4.17.21', purl: 'pkg:npm/lodash@4.17.20' },
        identityKey: identityKey('CVE-2021-23337', 'pkg:npm/lodash'),
      });
    });

    it('prefers a CVSSv4 vector over an "other" rating and drops purl qualifiers from identity', () => {
      expect(report.findings[1]).toMatchObject({
        // CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N = 6.9
        severity: 'medium',
        status: 'resolved', // resolved_with_pedigree
        identityKey: identityKey('CVE-2023-5678', 'pkg:deb/debian/openssl'),
      });
      expect(report.findings[1].description).toContain(
        '**Analysis:** Patched in the base image.',
      );
    });
  });

  describe('severity', () => {
    const severityOf = (ratings: unknown[]) =>
      cyclonedxParser.parse(bom([{ id: 'CVE-1', ratings }])).findings[0]
        .severity;

    it.each([
      ['critical', 'critical'],
      ['high', 'high'],
      ['medium', 'medium'],
      ['low', 'low'],
      ['info', 'low'],
      ['none', 'none'],
      ['unknown', 'unknown'],
    ])('maps the severity name %s to %s', (name, expected) => {
      expect(severityOf([{ method: 'CVSSv31', severity: name }])).toBe(
        expected,
      );
    });

    it('prefers CVSSv4 > CVSSv31 > CVSSv3 > CVSSv2 > OWASP > other', () => {
      const ratings = [
        { method: 'other', severity: 'none' },
        { method: 'OWASP', severity: 'low' },
        { method: 'CVSSv2', severity: 'medium' },
        { method: 'CVSSv3', severity: 'high' },
        { method: 'CVSSv31', severity: 'critical' },
        { method: 'CVSSv4', severity: 'info' },
      ];
      expect(severityOf(ratings)).toBe('low');
      expect(severityOf(ratings.slice(0, 5))).toBe('critical');
      expect(severityOf(ratings.slice(0, 4))).toBe('high');
      expect(severityOf(ratings.slice(0, 3))).toBe('medium');
      expect(severityOf(ratings.slice(0, 2))).toBe('low');
      expect(severityOf(ratings.slice(0, 1))).toBe('none');
      expect(severityOf([])).toBe('unknown');
    });

    it('uses the score when there is no name, then the vector', () => {
      expect(severityOf([{ method: 'CVSSv31', score: 9.1 }])).toBe('critical');
      expect(severityOf([{ method: 'CVSSv31', score: '4.3' }])).toBe('medium');
      expect(
        severityOf([
          {
            method: 'CVSSv3',
            vector: 'AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N',
          },
        ]),
      ).toBe('low'); // 3.7
      expect(
        severityOf([
          { method: 'CVSSv2', vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' },
        ]),
      ).toBe('high'); // 7.5
      expect(severityOf([{ method: 'CVSSv31', vector: 'not a vector' }])).toBe(
        'unknown',
      );
    });
  });

  describe('VEX status', () => {
    it.each([
      ['resolved', 'resolved'],
      ['resolved_with_pedigree', 'resolved'],
      ['exploitable', 'open'],
      ['in_triage', 'in_review'],
      ['false_positive', 'false_positive'],
      ['not_affected', 'not_affected'],
    ])('maps analysis.state %s to %s', (state, expected) => {
      const [finding] = cyclonedxParser.parse(
        bom([
          {
            id: 'CVE-1',
            analysis: { state, justification: 'requires_environment' },
            affects: [{ ref: 'lib' }],
          },
        ]),
      ).findings;
      expect(finding.status).toBe(expected);
      expect(finding.justification).toBe(
        expected === 'not_affected' ? 'requires_environment' : undefined,
      );
    });

    it('is open without an analysis or with a state it does not know', () => {
      expect(
        cyclonedxParser.parse(bom([{ id: 'CVE-1' }])).findings[0].status,
      ).toBe('open');
      for (const state of ['constructor', 'wont_fix']) {
        expect(
          cyclonedxParser.parse(bom([{ id: 'CVE-1', analysis: { state } }]))
            .findings[0].status,
        ).toBe('open');
      }
    });
  });

  describe('documents', () => {
    it('reads a BOM without vulnerabilities as zero findings', () => {
      const { vulnerabilities, ...withoutVulnerabilities } = bom([]);
      expect(vulnerabilities).toEqual([]);
      expect(cyclonedxParser.parse(withoutVulnerabilities)).toEqual({
        format: 'cyclonedx',
        scanner: 'cyclonedx',
        findings: [],
        warnings: [],
      });
    });

    it('reads an unresolved purl ref as the package', () => {
      const [finding] = cyclonedxParser.parse(
        bom([{ id: 'CVE-2', affects: [{ ref: 'pkg:pypi/django@3.2.0' }] }]),
      ).findings;
      expect(finding.title).toBe('CVE-2 in django@3.2.0');
      expect(finding.package).toEqual({
        purl: 'pkg:pypi/django@3.2.0',
        name: 'django',
        version: '3.2.0',
      });
      expect(finding.identityKey).toBe(identityKey('CVE-2', 'pkg:pypi/django'));
    });

    it('accepts 1.2 to 1.7 and names them when rejecting another version', () => {
      for (const specVersion of ['1.2', '1.3', '1.4', '1.5', '1.6', '1.7']) {
        expect(
          cyclonedxParser.parse({ ...bom([]), specVersion }).findings,
        ).toEqual([]);
      }
      expect(parseError({ ...bom([]), specVersion: '1.1' }).message).toBe(
        'CycloneDX: specVersion: unsupported version "1.1"; expected 1.2 to 1.7',
      );
      expect(parseError({ ...bom([]), specVersion: 1.6 }).path).toBe(
        'specVersion',
      );
    });

    it('names the JSON path of what is wrong', () => {
      expect(parseError(bom([{ id: 'CVE-1' }, { id: 7 }])).message).toBe(
        'CycloneDX: vulnerabilities[1].id: expected a string',
      );
      expect(
        parseError(bom([{ id: 'CVE-1', affects: [{ ref: 'lib' }, {}] }]))
          .message,
      ).toBe('CycloneDX: vulnerabilities[0].affects[1].ref: expected a string');
      expect(parseError(bom([{ id: 'CVE-1', cwes: ['79'] }])).message).toBe(
        'CycloneDX: vulnerabilities[0].cwes[0]: expected a number',
      );
      expect(parseError(bom([{}])).message).toBe(
        'CycloneDX: vulnerabilities[0].id: expected a string',
      );
      expect(parseError({ ...bom([]), vulnerabilities: {} }).message).toBe(
        'CycloneDX: vulnerabilities: expected an array',
      );
      expect(parseError([]).message).toBe('CycloneDX: expected an object');
      expect(parseError({ ...bom([]), bomFormat: 'SPDX' }).message).toBe(
        'CycloneDX: bomFormat: expected "CycloneDX"',
      );
    });

    it('reads a BOM-Link ref (a VEX naming another BOM) by its bom-ref, so a new build of that BOM keeps the identity', () => {
      const link = (serial: string, version: number) =>
        `urn:cdx:${serial}/${version}#${encodeURIComponent('lib')}`;
      const [first, second] = [
        link('3e671687-395b-41f5-a30f-a58921a69b79', 1),
        link('9c3cb5a4-5ad0-4b32-9a3c-1f0c1c4b2f51', 7),
      ].map(
        ref =>
          cyclonedxParser.parse(bom([{ id: 'CVE-3', affects: [{ ref }] }]))
            .findings[0],
      );
      expect(first.identityKey).toBe(identityKey('CVE-3', 'pkg:npm/lib'));
      expect(first.title).toBe('CVE-3 in lib@1.0.0');
      expect(second.identityKey).toBe(first.identityKey);
      // A link to a component this document does not hold: its bom-ref.
      const [elsewhere] = cyclonedxParser.parse(
        bom([
          {
            id: 'CVE-3',
            affects: [
              {
                ref: 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/2#pkg%3Anpm%2Fleft-pad%401.3.0',
              },
            ],
          },
        ]),
      ).findings;
      expect(elsewhere).toMatchObject({
        identityKey: identityKey('CVE-3', 'pkg:npm/left-pad'),
        title: 'CVE-3 in left-pad@1.3.0',
      });
    });

    it('lists the VEX responses in the description, and skips a malformed one with a warning', () => {
      const reading = cyclonedxParser.parse(
        bom([
          {
            id: 'CVE-4',
            analysis: {
              state: 'exploitable',
              response: ['will_not_fix', 'workaround_available'],
              detail: 'Reachable from the public API.',
            },
            affects: [{ ref: 'lib' }],
          },
          {
            id: 'CVE-5',
            analysis: { state: 'exploitable', response: 'update' },
            affects: [{ ref: 'lib' }],
          },
        ]),
      );
      expect(reading.findings[0].description).toBe(
        '**Analysis:** Reachable from the public API.\n\n**Response:** will not fix, workaround available',
      );
      expect(reading.findings[1]).toMatchObject({
        title: 'CVE-5 in lib@1.0.0',
        description: '',
      });
      expect(reading.warnings).toEqual([
        {
          path: 'vulnerabilities[1].analysis.response',
          message: 'expected an array of strings; the VEX response is left out',
        },
      ]);
    });

    it('falls back to the first reference id when id is missing', () => {
      const [finding] = cyclonedxParser.parse(
        bom([{ references: [{ id: 'GHSA-aaaa-bbbb-cccc' }] }]),
      ).findings;
      expect(finding.vulnerabilityIds).toEqual(['GHSA-aaaa-bbbb-cccc']);
    });
  });

  describe('detect', () => {
    it('accepts CycloneDX documents only', () => {
      expect(cyclonedxParser.detect(fixture('cdx-1.4_grype-vex.json'))).toBe(
        true,
      );
      expect(cyclonedxParser.detect({ bomFormat: 'CycloneDX' })).toBe(true);
      expect(cyclonedxParser.detect({ bomFormat: 'cyclonedx' })).toBe(false);
      expect(cyclonedxParser.detect({ spdxVersion: 'SPDX-2.3' })).toBe(false);
      expect(cyclonedxParser.detect(null)).toBe(false);
      expect(cyclonedxParser.detect([])).toBe(false);
      expect(cyclonedxParser.detect('CycloneDX')).toBe(false);
    });

    it('rejects SARIF, Trivy and Grype documents', () => {
      for (const [name, document] of otherFormats) {
        expect([name, cyclonedxParser.detect(document)]).toEqual([name, false]);
      }
    });

    it('is not claimed by the other parsers in this group', () => {
      const document = fixture('cdx-1.5_tools-components.json');
      expect(osvParser.detect(document)).toBe(false);
      expect(semgrepParser.detect(document)).toBe(false);
      expect(gitleaksParser.detect(document)).toBe(false);
    });
  });

  describe('robustness', () => {
    it('returns or throws ReportParseError for arbitrary JSON', () => {
      expect(() =>
        fc.assert(
          arbitraryJsonProperty(cyclonedxParser, [document => bom([document])]),
          { numRuns: 300 },
        ),
      ).not.toThrow();
    });

    it('returns or throws ReportParseError when any value of a fixture is replaced', () => {
      const document = fixture('cdx-1.4_grype-vex.json');
      expect(() =>
        fc.assert(replacedValueProperty(cyclonedxParser, document), {
          numRuns: 500,
        }),
      ).not.toThrow();
    });
  });
});
