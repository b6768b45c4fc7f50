import fc from 'fast-check';
import path from 'node:path';
import { corpusFiles, readJson } from '../../__testUtils__/corpus';
import {
  allPaths,
  maybe,
  parseErrorOf,
  parseOrReportParseErrorCheck,
  replaceAt,
} from '../../__testUtils__/parserProperties';
import { normalizeFindings } from '../NormalizedFinding';
import { grypeParser } from './grype';
import { SEPARATOR } from './identity';
import { ParsedFinding, ParsedReport } from './types';

const fixture = (name: string) =>
  readJson(path.join(__dirname, '__fixtures__', 'grype', name)) as any;

const parseError = (document: unknown) => parseErrorOf(grypeParser, document);

function byId(report: ParsedReport, id: string): ParsedFinding {
  const found = report.findings.filter(f => f.vulnerabilityIds[0] === id);
  expect(found).toHaveLength(1);
  return found[0];
}

const CORPUS_IMAGE = 'quay.io/cloudservices/xjoin-kafka-connect-strimzi:latest';

const corpus = (name: string) =>
  corpusFiles('grype').filter(file => path.basename(file) === name);

describe('grypeParser', () => {
  it('names itself', () => {
    expect(grypeParser.format).toBe('grype');
    expect(grypeParser.label).toBe('Grype JSON');
  });

  describe('corpus', () => {
    for (const file of corpusFiles('grype')) {
      const name = path.basename(file);
      it(`parses ${name}`, () => {
        const raw = readJson(file);
        expect(grypeParser.detect(raw)).toBe(true);
        const report = grypeParser.parse(raw);
        expect(report.format).toBe('grype');
        expect(report.scanner).toBe('grype');
        const keys = report.findings.map(f => f.identityKey);
        expect(new Set(keys).size).toBe(keys.length);
      });
    }

    for (const file of corpus('grype-0.96_redhat_35-matches.json')) {
      it('reads grype-0.96_redhat_35-matches.json', () => {
        const raw = readJson(file) as any;
        const report = grypeParser.parse(raw);
        expect(raw.matches).toHaveLength(35);
        expect(report.findings).toHaveLength(35);

        expect(report.findings[0]).toMatchObject({
          title: 'CVE-2023-38473 in avahi-libs 0.7-20.el8',
          severity: 'medium',
          status: 'open',
          vulnerabilityIds: ['CVE-2023-38473', 'RHSA-2023:7836'],
          package: {
            purl: 'pkg:rpm/rhel/avahi-libs@0.7-20.el8?arch=x86_64&upstream=avahi-0.7-20.el8.src.rpm&distro=rhel-8.7',
            name: 'avahi-libs',
            version: '0.7-20.el8',
            fixedVersion: '0:0.7-21.el8_9.1',
          },
          location: { image: CORPUS_IMAGE, file: 'var/lib/rpm/Packages' },
        });
        expect(report.findings[0].description).toContain(
          'A vulnerability was found in Avahi.',
        );
        expect(report.findings[0].description).toContain(
          '- **Fixed in:** `0:0.7-21.el8_9.1`',
        );
        expect(report.findings[0].description).toContain(
          '- <https://access.redhat.com/security/cve/CVE-2023-38473>',
        );

        // wont-fix: no fixed version
        expect(report.findings[7]).toMatchObject({
          title: 'CVE-2017-6519 in avahi-libs 0.7-20.el8',
          severity: 'low',
        });
        expect(report.findings[7].package?.fixedVersion).toBeUndefined();
        expect(report.findings[7].description).toContain(
          '- **Fix:** the vendor will not fix it',
        );

        expect(report.findings[8]).toMatchObject({
          title: 'CVE-2023-39410 in avro 1.11.1',
          severity: 'high',
          vulnerabilityIds: ['CVE-2023-39410', 'GHSA-rhrv-645h-fjfh'],
          package: {
            purl: 'pkg:maven/org.apache.avro/avro@1.11.1',
            fixedVersion: '1.11.3',
          },
          location: { file: 'opt/kafka/plugins/apicurio/avro-1.11.1.jar' },
        });

        // no severity and no CVSS of its own: the related GHSA's 7.5
        expect(raw.matches[33].vulnerability.severity).toBeUndefined();
        expect(report.findings[33]).toMatchObject({
          title: 'CVE-2024-26308 in commons-compress 1.21',
          severity: 'high',
          vulnerabilityIds: ['CVE-2024-26308', 'GHSA-4265-ccf5-phj5'],
          package: { fixedVersion: '1.26.0' },
        });

        expect(report.findings[34]).toMatchObject({
          title: 'CVE-2023-44981 in cups-libs 1:2.2.6-50.el8',
          severity: 'critical',
        });

        const counts: Record<string, number> = {};
        for (const finding of report.findings) {
          counts[finding.severity] = (counts[finding.severity] ?? 0) + 1;
        }
        expect(counts).toEqual({ critical: 1, high: 19, medium: 13, low: 2 });

        for (const finding of report.findings) {
          expect(finding.identityKey).not.toMatch(/sha256|quay\.io|rhel-8\.7/);
        }
      });
    }
  });

  describe('detect', () => {
    it('accepts Grype reports', () => {
      expect(grypeParser.detect(fixture('image-debian-v1.json'))).toBe(true);
      expect(
        grypeParser.detect({ matches: [], descriptor: { name: 'grype' } }),
      ).toBe(true);
      expect(grypeParser.detect({ matches: [], source: {} })).toBe(true);
    });

    it('rejects other documents', () => {
      expect(grypeParser.detect(null)).toBe(false);
      expect(grypeParser.detect([])).toBe(false);
      expect(grypeParser.detect({ matches: [] })).toBe(false);
      expect(grypeParser.detect({ matches: {}, source: {} })).toBe(false);
      expect(
        grypeParser.detect({ matches: [], descriptor: { name: 'syft' } }),
      ).toBe(false);
      expect(grypeParser.detect({ SchemaVersion: 2, Results: [] })).toBe(false);
    });
  });

  describe('matches', () => {
    const report = grypeParser.parse(fixture('image-debian-v1.json'));

    it('reads one finding per match', () => {
      expect(report.findings.map(f => f.title)).toEqual([
        'CVE-2005-2541 in tar 1.34+dfsg-1.2+deb12u1',
        'CVE-2023-52425 in libexpat1 2.5.0-1',
        'GHSA-jfh8-c2jp-5v3q in log4j-core 2.14.1',
        'GHSA-4265-ccf5-phj5 in commons-compress 1.21',
        'CVE-2011-3374 in apt 2.6.1',
      ]);
    });

    it('reads package, fix, ids and locations', () => {
      const expat = byId(report, 'CVE-2023-52425');
      expect(expat).toMatchObject({
        severity: 'high',
        status: 'open',
        vulnerabilityIds: ['CVE-2023-52425'],
        cwes: [],
        package: {
          purl: 'pkg:deb/debian/libexpat1@2.5.0-1?arch=amd64&upstream=expat&distro=debian-12',
          name: 'libexpat1',
          version: '2.5.0-1',
          fixedVersion: '2.5.0-1+deb12u1',
        },
        location: {
          image: 'registry.example.com/payments/api:1.4.0',
          file: 'var/lib/dpkg/status',
        },
      });
      expect(expat.description).toContain(
        '- <https://security-tracker.debian.org/tracker/CVE-2023-52425>',
      );
      expect(expat.description).toContain(
        '- <https://nvd.nist.gov/vuln/detail/CVE-2023-52425>',
      );

      const log4j = byId(report, 'GHSA-jfh8-c2jp-5v3q');
      expect(log4j).toMatchObject({
        vulnerabilityIds: ['GHSA-jfh8-c2jp-5v3q', 'CVE-2021-44228'],
        package: { fixedVersion: '2.15.0' },
        location: { file: 'app/lib/log4j-core-2.14.1.jar' },
      });
    });

    it('uses the first location as the file', () => {
      expect(byId(report, 'CVE-2005-2541').location?.file).toBe(
        'usr/share/doc/tar/copyright',
      );
    });

    it('maps Negligible to low, whatever related records say', () => {
      // the related NVD record says Critical (CVSS v2 10.0): the distro wins
      expect(byId(report, 'CVE-2005-2541').severity).toBe('low');
    });

    it('falls back to CVSS when the severity is Unknown', () => {
      expect(byId(report, 'GHSA-jfh8-c2jp-5v3q').severity).toBe('critical');
    });

    it('falls back to related CVSS, then related severities', () => {
      const commons = byId(report, 'GHSA-4265-ccf5-phj5');
      expect(commons.severity).toBe('medium');
      expect(commons.vulnerabilityIds).toEqual([
        'GHSA-4265-ccf5-phj5',
        'CVE-2024-26308',
      ]);
      // no own description: the related one
      expect(commons.description).toContain(
        'Allocation of Resources Without Limits',
      );

      const doc = fixture('image-debian-v1.json');
      doc.matches[3].relatedVulnerabilities[0].cvss = [
        {
          version: '3.1',
          vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
          metrics: { baseScore: 7.5 },
        },
      ];
      expect(grypeParser.parse(doc).findings[3].severity).toBe('high');
      // a vector without a score is computed
      delete doc.matches[3].relatedVulnerabilities[0].cvss[0].metrics;
      expect(grypeParser.parse(doc).findings[3].severity).toBe('high');
    });

    it('prefers CVSS v3 to v2 when falling back', () => {
      const doc = fixture('image-debian-v1.json');
      const tar = doc.matches[0];
      tar.vulnerability.severity = 'Unknown';
      // only v2 (10.0) in the related record
      expect(grypeParser.parse(doc).findings[0].severity).toBe('critical');
      tar.vulnerability.cvss = [
        {
          version: '3.1',
          vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:H/A:N',
          metrics: { baseScore: 5.5 },
        },
      ];
      expect(grypeParser.parse(doc).findings[0].severity).toBe('medium');
    });

    it('is unknown with no severity or CVSS anywhere', () => {
      const apt = byId(report, 'CVE-2011-3374');
      expect(apt.severity).toBe('unknown');
      expect(apt.package?.fixedVersion).toBeUndefined();
      expect(apt.description).toContain(
        '- **Fix:** the vendor will not fix it',
      );
    });

    it('keeps identities through an image rebuild and package upgrades', () => {
      const after = grypeParser.parse(fixture('image-debian-v2-rebuilt.json'));
      const keys = (r: ParsedReport) =>
        Object.fromEntries(
          r.findings.map(f => [
            `${f.vulnerabilityIds[0]} ${f.package?.name}`,
            f.identityKey,
          ]),
        );
      expect(after.findings).toHaveLength(report.findings.length);
      expect(keys(after)).toEqual(keys(report));
      // what changed, and did not matter
      expect(byId(after, 'GHSA-jfh8-c2jp-5v3q')).toMatchObject({
        package: { version: '2.14.0' },
        location: {
          image: 'registry.example.com/payments/api:1.5.0',
          file: 'app/lib/log4j-core-2.14.0.jar',
        },
      });
      expect(byId(after, 'CVE-2023-52425').severity).toBe('medium');
      for (const finding of [...report.findings, ...after.findings]) {
        expect(finding.identityKey).not.toMatch(
          /registry\.example\.com|sha256|2\.14\.[01]|2\.6\.1/,
        );
      }
    });

    it('tells one package at two paths apart', () => {
      const doc = fixture('image-debian-v1.json');
      const copy = structuredClone(doc.matches[2]);
      copy.artifact.locations[0].path = '/opt/tools/log4j-core-2.14.1.jar';
      doc.matches.push(copy);
      const keys = grypeParser.parse(doc).findings.map(f => f.identityKey);
      expect(new Set(keys).size).toBe(6);
    });

    it('keeps a match listed twice once, as one observation', () => {
      // Grype lists a byte-identical match twice when one advisory reaches
      // a package through two database entries (anchore/grype#132).
      const doc = fixture('image-debian-v1.json');
      doc.matches.splice(2, 0, structuredClone(doc.matches[1]));
      const normalized = Array.from(
        normalizeFindings(grypeParser.parse(doc).findings),
      );
      expect(normalized.map(n => n.finding.identityKey)).toEqual(
        report.findings.map(f => f.identityKey),
      );
      expect(normalized.map(n => n.identityHash)).toEqual(
        Array.from(normalizeFindings(report.findings)).map(n => n.identityHash),
      );
    });

    it('numbers distinct matches that share a key, in report order', () => {
      // --by-cve can list one match twice, once without its fix
      // (anchore/grype#1202): both are kept, the second numbered.
      const doc = fixture('image-debian-v1.json');
      const copy = structuredClone(doc.matches[2]);
      copy.vulnerability.fix = { versions: [], state: 'unknown' };
      doc.matches.push(copy);
      const keys = Array.from(
        normalizeFindings(grypeParser.parse(doc).findings),
      ).map(n => n.finding.identityKey);
      expect(keys).toHaveLength(6);
      expect(keys[2]).toBe(report.findings[2].identityKey);
      expect(keys[5]).toBe(`${keys[2]}${SEPARATOR}#2`);
    });

    it('falls back to type and name without a purl', () => {
      const doc = fixture('image-debian-v1.json');
      delete doc.matches[1].artifact.purl;
      const expat = grypeParser.parse(doc).findings[1];
      expect(expat.package?.purl).toBeUndefined();
      expect(expat.identityKey).toContain('deb/libexpat1');
    });

    it('has no image for directory scans', () => {
      const dir = grypeParser.parse(fixture('directory-python.json'));
      expect(dir.findings).toHaveLength(1);
      expect(dir.findings[0]).toMatchObject({
        title: 'GHSA-9wx4-h78v-vm56 in requests 2.31.0',
        severity: 'medium',
        vulnerabilityIds: ['GHSA-9wx4-h78v-vm56', 'CVE-2024-35195'],
        package: { purl: 'pkg:pypi/requests@2.31.0', fixedVersion: '2.32.0' },
        location: { file: 'services/billing/requirements.txt' },
      });
      expect(dir.findings[0].location?.image).toBeUndefined();
    });

    it('takes the image from a string target', () => {
      const doc = fixture('directory-python.json');
      doc.source = { type: 'image', target: 'alpine:3.19' };
      expect(grypeParser.parse(doc).findings[0].location?.image).toBe(
        'alpine:3.19',
      );
    });

    it('reads CWEs when a report carries them', () => {
      const doc = fixture('directory-python.json');
      doc.matches[0].vulnerability.cwes = ['CWE-670', { cwe: 'CWE-295' }, 'x'];
      expect(grypeParser.parse(doc).findings[0].cwes).toEqual([
        'CWE-670',
        'CWE-295',
      ]);
    });

    it('gives no findings for no matches', () => {
      expect(
        grypeParser.parse({ matches: [], descriptor: { name: 'grype' } })
          .findings,
      ).toEqual([]);
    });
  });

  describe('recent Grype: KEV, EPSS, CWE and CVSS lists', () => {
    const reading = grypeParser.read(
      fixture('image-grype-0.92_kev-epss-cwes.json'),
    );
    const findings = Array.from(reading.findings);
    const [log4j, expat, compress] = findings;

    it('is detected and reads every match, with no warning', () => {
      expect(
        grypeParser.detect(fixture('image-grype-0.92_kev-epss-cwes.json')),
      ).toBe(true);
      expect(findings.map(f => [f.title, f.severity])).toEqual([
        ['GHSA-jfh8-c2jp-5v3q in log4j-core 2.14.1', 'critical'],
        // Unknown: the related NVD record's CVSS 3.1 7.5
        ['CVE-2023-52425 in libexpat1 2.5.0-1', 'high'],
        // Unknown: its own CVSS 4.0 6.8 over the related 3.1 5.5
        ['GHSA-4265-ccf5-phj5 in commons-compress 1.21', 'medium'],
      ]);
      expect(reading.warnings).toEqual([]);
    });

    it('reads CWEs of the match and of its related records', () => {
      expect(log4j.cwes).toEqual(['CWE-502', 'CWE-917']);
      expect(expat.cwes).toEqual(['CWE-400']);
      expect(compress.cwes).toEqual(['CWE-770']);
    });

    it('says when CISA lists the vulnerability as known exploited', () => {
      expect(log4j.description).toContain(
        '- **Known exploited:** `CVE-2021-44228` is listed in the CISA KEV catalog since 2021-12-10; known ransomware use: Known',
      );
      // once, though the match and its related record both carry it
      expect(log4j.description.match(/Known exploited/g)).toHaveLength(1);
      expect(expat.description).not.toContain('Known exploited');
    });

    it('keeps EPSS and risk, which change daily, out of the content', () => {
      const doc = fixture('image-grype-0.92_kev-epss-cwes.json');
      for (const match of doc.matches) {
        match.vulnerability.risk = 12.5;
        match.vulnerability.epss = [
          {
            cve: 'CVE-2021-44228',
            epss: 0.5,
            percentile: 0.9,
            date: '2025-05-21',
          },
        ];
      }
      expect(grypeParser.parse(doc).findings).toEqual(findings);
    });

    it('has the identities of older Grype output for the same matches', () => {
      const old = fixture('image-grype-0.92_kev-epss-cwes.json');
      for (const match of old.matches) {
        for (const record of [
          match.vulnerability,
          ...match.relatedVulnerabilities,
        ]) {
          delete record.knownExploited;
          delete record.epss;
          delete record.cwes;
          delete record.risk;
        }
        delete match.vulnerability.fix.available;
      }
      expect(grypeParser.parse(old).findings.map(f => f.identityKey)).toEqual(
        findings.map(f => f.identityKey),
      );
    });
  });

  describe('the first Grype releases', () => {
    // The vulnerability of anchore/grype#132 (Grype 0.1, 2020): one
    // `cvss-v2` and one `cvss-v3` object, `links`, `fixed-in-version`.
    const firstRelease = () => ({
      matches: [
        {
          vulnerability: {
            id: 'CVE-2017-8806',
            severity: 'Unknown',
            links: [
              'https://usn.ubuntu.com/usn/usn-3476-1/',
              'https://www.debian.org/security/2017/dsa-4029',
            ],
            description:
              'The Debian pg_ctlcluster, pg_createcluster, and pg_upgradecluster scripts handled symbolic links insecurely.',
            'cvss-v2': {
              'base-score': 3.6,
              'exploitability-score': 3.9,
              'impact-score': 4.9,
              vector: 'AV:L/AC:L/Au:N/C:N/I:P/A:P',
            },
            'cvss-v3': {
              'base-score': 5.5,
              'exploitability-score': 1.8,
              'impact-score': 3.6,
              vector: 'CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:H/A:N',
            },
            'fixed-in-version': '181+deb9u1',
          },
          matchDetails: {
            matcher: 'java-matcher',
            searchKey: {
              cpe: 'cpe:2.3:*:postgresql:postgresql:42.2.5:*:*:*:*:*:*:*',
            },
            matchedOn: {
              cpe: 'cpe:2.3:a:postgresql:postgresql:*:*:*:*:*:*:*:*',
            },
          },
          artifact: {
            name: 'postgresql',
            version: '42.2.5',
            type: 'java-archive',
            locations: [
              {
                path: '/opt/jboss/keycloak/modules/system/layers/base/org/postgresql/main/postgresql-42.2.5.jar',
              },
            ],
          },
        },
      ],
      source: { type: 'image', target: { userInput: 'jboss/keycloak:latest' } },
      distro: { name: 'centos', version: '8' },
    });

    it('reads their CVSS objects, links and fixed-in version', () => {
      const [finding] = grypeParser.parse(firstRelease()).findings;
      expect(finding).toMatchObject({
        title: 'CVE-2017-8806 in postgresql 42.2.5',
        severity: 'medium',
        package: { fixedVersion: '181+deb9u1' },
        location: { image: 'jboss/keycloak:latest' },
      });
      expect(finding.description).toContain('- **Fixed in:** `181+deb9u1`');
      expect(finding.description).toContain(
        '- <https://www.debian.org/security/2017/dsa-4029>',
      );
      // v2 only when there is no v3
      const doc = firstRelease();
      delete (doc.matches[0].vulnerability as any)['cvss-v3'];
      expect(grypeParser.parse(doc).findings[0].severity).toBe('low');
    });
  });

  describe('optional parts that cannot be read', () => {
    const read = (mutate: (doc: any) => void) => {
      const doc = fixture('image-grype-0.92_kev-epss-cwes.json');
      mutate(doc);
      const reading = grypeParser.read(doc);
      return {
        findings: Array.from(reading.findings),
        warnings: reading.warnings,
      };
    };
    const plain = read(() => {}).findings;

    it.each([
      [
        'a CVSS list that is an object',
        (doc: any) => {
          doc.matches[2].vulnerability.cvss = { version: '4.0' };
        },
        'matches[2].vulnerability.cvss',
        'CVSS entry skipped: expected an array',
      ],
      [
        'a CVSS entry that is a string',
        (doc: any) => {
          doc.matches[2].vulnerability.cvss.push('CVSS:3.1/AV:N');
        },
        'matches[2].vulnerability.cvss[1]',
        'CVSS entry skipped: expected an object',
      ],
      [
        'a score that is not a number',
        (doc: any) => {
          doc.matches[1].relatedVulnerabilities[0].cvss[0].metrics.baseScore =
            'high';
        },
        'matches[1].relatedVulnerabilities[0].cvss[0].metrics.baseScore',
        'CVSS score skipped: expected a number',
      ],
      [
        'a KEV list that is a string',
        (doc: any) => {
          doc.matches[0].vulnerability.knownExploited = 'yes';
        },
        'matches[0].vulnerability.knownExploited',
        'KEV entry skipped: expected an array',
      ],
      [
        'a KEV date that is a number',
        (doc: any) => {
          doc.matches[0].relatedVulnerabilities[0].knownExploited[0].dateAdded = 20211210;
        },
        'matches[0].relatedVulnerabilities[0].knownExploited[0].dateAdded',
        'KEV date skipped: expected a string',
      ],
      [
        'a CWE that is a number',
        (doc: any) => {
          doc.matches[1].relatedVulnerabilities[0].cwes[0].cwe = 400;
        },
        'matches[1].relatedVulnerabilities[0].cwes[0].cwe',
        'CWE skipped: expected a string',
      ],
      [
        'fix versions that are a string',
        (doc: any) => {
          doc.matches[0].vulnerability.fix.versions = '2.15.0';
        },
        'matches[0].vulnerability.fix.versions',
        'fix versions skipped: expected an array',
      ],
      [
        'a related record whose id is an object',
        (doc: any) => {
          doc.matches[2].relatedVulnerabilities[0].id = {
            cve: 'CVE-2024-26308',
          };
        },
        'matches[2].relatedVulnerabilities[0].id',
        'related vulnerability skipped: expected a string',
      ],
      [
        'locations that are a string',
        (doc: any) => {
          doc.matches[1].artifact.locations = '/var/lib/dpkg/status';
        },
        'matches[1].artifact.locations',
        'location skipped: expected an array',
      ],
    ])(
      'keeps the finding without %s, with a warning',
      (_what, mutate, warningPath, message) => {
        const { findings, warnings } = read(mutate as (doc: any) => void);
        expect(findings.map(f => f.title)).toEqual(plain.map(f => f.title));
        expect(warnings).toEqual([{ path: warningPath, message }]);
      },
    );

    it('falls back to the vector when the score cannot be read', () => {
      const { findings } = read(doc => {
        doc.matches[1].relatedVulnerabilities[0].cvss[0].metrics.baseScore =
          'high';
      });
      expect(findings[1].severity).toBe('high');
    });

    it('reads what it can of a broken part', () => {
      const { findings } = read(doc => {
        doc.matches[0].vulnerability.fix.versions = '2.15.0';
        doc.matches[2].relatedVulnerabilities[0].id = 7;
      });
      expect(findings[0].package?.fixedVersion).toBeUndefined();
      expect(findings[0].description).toContain('- **Fix:** fixed');
      expect(findings[2].vulnerabilityIds).toEqual(['GHSA-4265-ccf5-phj5']);
      // the related record's CVSS is skipped with it: the own 6.8 remains
      expect(findings[2].severity).toBe('medium');
    });

    it('never reads EPSS or risk, whatever their shape', () => {
      const { findings, warnings } = read(doc => {
        doc.matches[0].vulnerability.epss = { score: 'n/a' };
        doc.matches[0].vulnerability.risk = 'high';
      });
      expect(findings).toEqual(plain);
      expect(warnings).toEqual([]);
    });

    it('still refuses a match without its id or its package name', () => {
      const doc = fixture('image-grype-0.92_kev-epss-cwes.json');
      doc.matches[1].vulnerability.id = 52425;
      expect(parseError(doc).message).toBe(
        'Grype JSON: matches[1].vulnerability.id: expected a string',
      );
      const noName = fixture('image-grype-0.92_kev-epss-cwes.json');
      delete noName.matches[2].artifact.name;
      expect(parseError(noName).message).toBe(
        'Grype JSON: matches[2].artifact.name: expected a string',
      );
    });
  });

  describe('errors', () => {
    it('names the JSON path of a wrong value', () => {
      const doc = fixture('image-debian-v1.json');
      doc.matches[2].vulnerability.id = null;
      expect(parseError(doc).message).toBe(
        'Grype JSON: matches[2].vulnerability.id: expected a string',
      );
    });

    it('rejects documents that are not objects', () => {
      expect(parseError('matches').message).toBe(
        'Grype JSON: expected an object',
      );
    });

    it.each([
      [
        (doc: any) => {
          delete doc.matches;
        },
        'Grype JSON: matches: expected an array',
      ],
      [
        (doc: any) => {
          doc.matches[1] = [];
        },
        'Grype JSON: matches[1]: expected an object',
      ],
      [
        (doc: any) => {
          doc.matches[0].artifact.name = 5;
        },
        'Grype JSON: matches[0].artifact.name: expected a string',
      ],
      [
        (doc: any) => {
          doc.matches[2].vulnerability.id = ' ';
        },
        'Grype JSON: matches[2].vulnerability.id: expected a non-empty string',
      ],
    ])('names the path (%#)', (mutate, message) => {
      const doc = fixture('image-debian-v1.json');
      mutate(doc);
      expect(parseError(doc).message).toBe(message);
    });
  });

  describe('arbitrary input', () => {
    const expectParseOrReportParseError =
      parseOrReportParseErrorCheck(grypeParser);

    it('returns or throws ReportParseError for any JSON', () => {
      expect(() =>
        fc.assert(fc.property(fc.jsonValue(), expectParseOrReportParseError), {
          numRuns: 300,
        }),
      ).not.toThrow();
    });

    const cvss = maybe(
      fc.array(
        fc.record(
          {
            version: maybe(fc.constantFrom('2.0', '3.1', '4.0', '')),
            vector: maybe(
              fc.oneof(
                fc.string(),
                fc.constantFrom(
                  'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H',
                  'AV:N/AC:L/Au:N/C:C/I:C/A:C',
                ),
              ),
            ),
            metrics: maybe(
              fc.record(
                { baseScore: maybe(fc.double()) },
                { requiredKeys: [] },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
    );
    const grypeShaped = fc.record(
      {
        matches: maybe(
          fc.array(
            fc.record(
              {
                vulnerability: maybe(
                  fc.record(
                    {
                      id: maybe(fc.string()),
                      severity: maybe(
                        fc.constantFrom('Unknown', 'Negligible', 'High'),
                      ),
                      cvss,
                      'cvss-v3': maybe(
                        fc.record(
                          {
                            'base-score': maybe(fc.double()),
                            vector: maybe(fc.string()),
                          },
                          { requiredKeys: [] },
                        ),
                      ),
                      knownExploited: maybe(
                        fc.array(
                          fc.record(
                            {
                              cve: maybe(fc.string()),
                              dateAdded: maybe(fc.string()),
                              knownRansomwareCampaignUse: maybe(
                                fc.constantFrom('Known', 'Unknown'),
                              ),
                            },
                            { requiredKeys: [] },
                          ),
                        ),
                      ),
                      epss: maybe(
                        fc.array(
                          fc.record({
                            cve: fc.string(),
                            epss: fc.double(),
                            percentile: fc.double(),
                          }),
                        ),
                      ),
                      cwes: maybe(
                        fc.array(
                          fc.oneof(
                            fc.string(),
                            fc.record({
                              cve: fc.string(),
                              cwe: maybe(fc.string()),
                            }),
                          ),
                        ),
                      ),
                      risk: maybe(fc.double()),
                      fix: maybe(
                        fc.record(
                          {
                            state: maybe(fc.constantFrom('fixed', 'not-fixed')),
                            versions: maybe(fc.array(fc.string())),
                          },
                          { requiredKeys: [] },
                        ),
                      ),
                      advisories: maybe(
                        fc.array(fc.record({ id: maybe(fc.string()) })),
                      ),
                    },
                    { requiredKeys: [] },
                  ),
                ),
                relatedVulnerabilities: maybe(
                  fc.array(
                    fc.record(
                      {
                        id: maybe(fc.string()),
                        cvss,
                        knownExploited: maybe(fc.jsonValue({ maxDepth: 2 })),
                      },
                      { requiredKeys: [] },
                    ),
                  ),
                ),
                artifact: maybe(
                  fc.record(
                    {
                      name: maybe(fc.string()),
                      version: maybe(fc.string()),
                      purl: maybe(fc.string()),
                      locations: maybe(
                        fc.array(fc.record({ path: maybe(fc.string()) })),
                      ),
                    },
                    { requiredKeys: [] },
                  ),
                ),
              },
              { requiredKeys: [] },
            ),
          ),
        ),
        source: maybe(
          fc.record(
            {
              type: maybe(fc.constantFrom('image', 'directory')),
              target: maybe(fc.record({ userInput: maybe(fc.string()) })),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );

    it('returns or throws ReportParseError for Grype-shaped input', () => {
      expect(() =>
        fc.assert(fc.property(grypeShaped, expectParseOrReportParseError), {
          numRuns: 500,
        }),
      ).not.toThrow();
    });

    const realReports = [
      fixture('image-debian-v1.json'),
      fixture('image-grype-0.92_kev-epss-cwes.json'),
    ];

    it('returns or throws ReportParseError when any value of a real report is replaced', () => {
      const paths = realReports.map(doc =>
        allPaths(doc, { includeRoot: false }),
      );
      expect(() =>
        fc.assert(
          fc.property(
            fc.nat({ max: realReports.length - 1 }),
            fc.nat(),
            fc.jsonValue({ maxDepth: 2 }),
            (which, index, replacement) => {
              expectParseOrReportParseError(
                replaceAt(
                  realReports[which],
                  paths[which][index % paths[which].length],
                  replacement,
                ),
              );
            },
          ),
          { numRuns: 1000 },
        ),
      ).not.toThrow();
    });

    /** The parts a match cannot do without: they may refuse the report. */
    const isRequired = (at: Array<string | number>) => {
      const [matches, , part, key] = at;
      if (matches !== 'matches') return false;
      if (at.length <= 2) return true;
      if (part === 'vulnerability' || part === 'artifact') {
        return (
          at.length === 3 ||
          (at.length === 4 &&
            key === (part === 'vulnerability' ? 'id' : 'name'))
        );
      }
      return false;
    };

    it('never refuses a real report for a replaced optional part, and keeps every finding', () => {
      const optionalPaths = realReports.map(doc =>
        allPaths(doc, { includeRoot: false }).filter(at => !isRequired(at)),
      );
      fc.assert(
        fc.property(
          fc.nat({ max: realReports.length - 1 }),
          fc.nat(),
          fc.jsonValue({ maxDepth: 2 }),
          (which, index, replacement) => {
            const at =
              optionalPaths[which][index % optionalPaths[which].length];
            const reading = grypeParser.read(
              replaceAt(realReports[which], at, replacement),
            );
            expect(Array.from(reading.findings)).toHaveLength(
              realReports[which].matches.length,
            );
            // a warning names the replaced part, or a part inside it
            const replaced = at
              .map((key, i) =>
                typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${key}`,
              )
              .join('');
            for (const warning of reading.warnings ?? []) {
              expect(warning.path.startsWith(replaced)).toBe(true);
            }
          },
        ),
        { numRuns: 1000 },
      );
    });
  });
});
