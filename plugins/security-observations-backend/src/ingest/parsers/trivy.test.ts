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
import { trivyParser } from './trivy';
import { ParsedFinding, ParsedReport } from './types';

const fixture = (name: string) =>
  readJson(path.join(__dirname, '__fixtures__', 'trivy', name)) as any;

const parseError = (document: unknown) => parseErrorOf(trivyParser, document);

function byTitle(report: ParsedReport, prefix: string): ParsedFinding {
  const found = report.findings.filter(f => f.title.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0];
}

const corpus = (name: string) =>
  corpusFiles('trivy').filter(file => path.basename(file) === name);

describe('trivyParser', () => {
  it('names itself', () => {
    expect(trivyParser.format).toBe('trivy');
    expect(trivyParser.label).toBe('Trivy JSON');
  });

  describe('corpus', () => {
    for (const file of corpusFiles('trivy')) {
      const name = path.basename(file);
      it(`parses ${name}`, () => {
        const raw = readJson(file);
        expect(trivyParser.detect(raw)).toBe(true);
        const report = trivyParser.parse(raw);
        expect(report.format).toBe('trivy');
        expect(report.scanner).toBe('trivy');
        const keys = report.findings.map(f => f.identityKey);
        expect(new Set(keys).size).toBe(keys.length);
        for (const finding of report.findings) {
          expect(finding.identityKey).not.toBe('');
          expect(finding.title).not.toBe('');
        }
      });
    }

    for (const file of corpus('trivy_alpine-310_vulns.json')) {
      it('reads trivy_alpine-310_vulns.json', () => {
        const report = trivyParser.parse(readJson(file));
        expect(report.findings).toHaveLength(4);
        const first = report.findings[0];
        expect(first).toMatchObject({
          title: 'CVE-2019-1549: openssl: information disclosure in fork()',
          severity: 'medium',
          status: 'open',
          vulnerabilityIds: ['CVE-2019-1549'],
          cwes: ['CWE-330'],
          package: {
            purl: 'pkg:apk/alpine/libcrypto1.1@1.1.1c-r0?arch=x86_64&distro=3.10.2',
            name: 'libcrypto1.1',
            version: '1.1.1c-r0',
            fixedVersion: '1.1.1d-r0',
          },
          location: { image: 'testdata/fixtures/images/alpine-310.tar.gz' },
        });
        expect(first.location?.file).toBeUndefined();
        expect(first.description).toContain('OpenSSL 1.1.1 introduced');
        expect(first.description).toContain(
          '- <https://avd.aquasec.com/nvd/cve-2019-1549>',
        );
        expect(report.findings[3]).toMatchObject({
          title:
            'CVE-2019-1551: openssl: Integer overflow in RSAZ modular exponentiation on x86_64',
          severity: 'medium',
          cwes: ['CWE-200'],
          package: {
            name: 'libssl1.1',
            version: '1.1.1c-r0',
            fixedVersion: '1.1.1d-r2',
          },
        });
        // os-pkgs identity: never the Target (it names the image).
        for (const finding of report.findings) {
          expect(finding.identityKey).not.toContain('alpine-310.tar.gz');
          expect(finding.identityKey).not.toContain('sha256');
          expect(finding.identityKey).not.toContain('3.10.2');
        }
      });
    }

    for (const file of corpus('trivy_terraform_misconfigurations.json')) {
      it('reads trivy_terraform_misconfigurations.json', () => {
        const raw = readJson(file) as any;
        const report = trivyParser.parse(raw);
        const failures = (raw.Results as any[])
          .flatMap(result => result.Misconfigurations ?? [])
          .filter(m => m.Status === 'FAIL');
        expect(failures).toHaveLength(3);
        expect(report.findings).toHaveLength(3);
        expect(
          report.findings.map(f => [f.ruleId, f.severity, f.title]),
        ).toEqual([
          ['AWS-0089', 'low', 'AWS-0089: S3 Bucket Logging'],
          ['AWS-0090', 'medium', 'AWS-0090: S3 Data should be versioned'],
          [
            'AWS-0132',
            'high',
            'AWS-0132: S3 encryption should use Customer Managed Keys',
          ],
        ]);
        expect(report.findings[0].location).toEqual({
          file: 'terraform-aws-modules/s3-bucket/aws/main.tf',
          startLine: 25,
          endLine: 36,
        });
        expect(report.findings[0].description).toContain(
          '**Finding:** Bucket has logging disabled',
        );
        expect(report.findings[0].description).toContain(
          '**Resolution:** Add a logging block',
        );
        expect(report.findings[0].description).toContain('`module.bucket`');
      });
    }
  });

  describe('detect', () => {
    it('accepts Trivy reports', () => {
      expect(trivyParser.detect(fixture('image-debian-v1.json'))).toBe(true);
      expect(trivyParser.detect({ SchemaVersion: 2, ArtifactName: 'x' })).toBe(
        true,
      );
      expect(trivyParser.detect({ SchemaVersion: 2, Results: [] })).toBe(true);
    });

    it('rejects other documents', () => {
      expect(trivyParser.detect(null)).toBe(false);
      expect(trivyParser.detect([])).toBe(false);
      expect(trivyParser.detect('SchemaVersion')).toBe(false);
      expect(trivyParser.detect({ SchemaVersion: '2', Results: [] })).toBe(
        false,
      );
      expect(trivyParser.detect({ SchemaVersion: 2 })).toBe(false);
      expect(trivyParser.detect({ version: '2.1.0', runs: [] })).toBe(false);
      expect(
        trivyParser.detect({ matches: [], descriptor: { name: 'grype' } }),
      ).toBe(false);
    });
  });

  describe('vulnerabilities', () => {
    const report = trivyParser.parse(fixture('image-debian-v1.json'));

    it('reads one finding per vulnerability and skips license results', () => {
      expect(report.findings.map(f => f.title)).toEqual([
        'CVE-2023-52425: expat: parsing large tokens can trigger a denial of service',
        'CVE-2024-28757: expat: XML Entity Expansion',
        'CVE-2024-2511: openssl: Unbounded memory growth with session handling in TLSv1.3',
        'CVE-2011-3374 in apt',
        'CVE-2021-44228: log4j-core: Remote code execution in Log4j 2.x when logs contain an attacker-controlled string value',
      ]);
    });

    it('keeps the package, ids, CWEs and the image', () => {
      const expat = byTitle(report, 'CVE-2023-52425');
      expect(expat).toMatchObject({
        severity: 'high',
        status: 'open',
        vulnerabilityIds: ['CVE-2023-52425', 'DSA-5760-1'],
        cwes: ['CWE-400', 'CWE-776'],
        package: {
          purl: 'pkg:deb/debian/libexpat1@2.5.0-1?arch=amd64&distro=debian-12.5',
          name: 'libexpat1',
          version: '2.5.0-1',
          fixedVersion: '2.5.0-1+deb12u1',
        },
        location: { image: 'registry.example.com/payments/api:1.4.0' },
      });
      expect(expat.description).toContain('- **Installed version:** `2.5.0-1`');
      expect(expat.description).toContain(
        '- **Fixed version:** `2.5.0-1+deb12u1`',
      );
      expect(expat.description).toContain(
        '- <https://github.com/libexpat/libexpat/pull/789>',
      );
    });

    it('locates language packages by their path in the image', () => {
      const log4j = byTitle(report, 'CVE-2021-44228');
      expect(log4j).toMatchObject({
        severity: 'critical',
        vulnerabilityIds: ['CVE-2021-44228', 'GHSA-jfh8-c2jp-5v3q'],
        cwes: ['CWE-20', 'CWE-400', 'CWE-502', 'CWE-917'],
        package: {
          purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
          name: 'org.apache.logging.log4j:log4j-core',
          version: '2.14.1',
          fixedVersion: '2.15.0, 2.12.2',
        },
        location: {
          image: 'registry.example.com/payments/api:1.4.0',
          file: 'app/lib/log4j-core-2.14.1.jar',
        },
      });
    });

    it('falls back to the highest CVSS v3 score when Severity is UNKNOWN', () => {
      // nvd 7.5 and redhat 5.9: the higher one wins.
      expect(byTitle(report, 'CVE-2024-28757').severity).toBe('high');
    });

    it('computes the score from a V3Vector when Severity and V3Score are absent', () => {
      // CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L scores 3.7.
      expect(byTitle(report, 'CVE-2024-2511').severity).toBe('low');
    });

    it('is unknown without Severity or CVSS', () => {
      const apt = byTitle(report, 'CVE-2011-3374');
      expect(apt.severity).toBe('unknown');
      expect(apt.description).toContain('- **Fixed version:** none available');
    });

    it('uses V2 scores only when there is nothing newer', () => {
      const doc = fixture('image-debian-v1.json');
      const apt = doc.Results[0].Vulnerabilities[3];
      apt.CVSS = {
        nvd: { V2Vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C', V2Score: 10 },
      };
      expect(trivyParser.parse(doc).findings[3].severity).toBe('critical');
      apt.CVSS.redhat = { V3Score: 4.2 };
      expect(trivyParser.parse(doc).findings[3].severity).toBe('medium');
    });

    it("maps Trivy's not_affected status and keeps others open", () => {
      const doc = fixture('image-debian-v1.json');
      doc.Results[0].Vulnerabilities[0].Status = 'not_affected';
      doc.Results[0].Vulnerabilities[1].Status = 'will_not_fix';
      const [first, second, third] = trivyParser.parse(doc).findings;
      expect(first.status).toBe('not_affected');
      expect(second.status).toBe('open');
      expect(third.status).toBe('open');
    });

    it('keeps identities through an image rebuild and package upgrades', () => {
      const before = report;
      const after = trivyParser.parse(fixture('image-debian-v2-rebuilt.json'));
      const keys = (r: ParsedReport) =>
        Object.fromEntries(
          r.findings.map(f => [
            `${f.vulnerabilityIds[0]} ${f.package?.name}`,
            f.identityKey,
          ]),
        );
      expect(after.findings).toHaveLength(before.findings.length);
      expect(keys(after)).toEqual(keys(before));
      // what changed, and did not matter
      expect(byTitle(after, 'CVE-2021-44228')).toMatchObject({
        package: { version: '2.15.0' },
        location: {
          image: 'registry.example.com/payments/api:1.5.0',
          file: 'app/lib/log4j-core-2.15.0.jar',
        },
      });
      expect(byTitle(after, 'CVE-2023-52425').severity).toBe('medium');
      expect(byTitle(after, 'CVE-2011-3374').package?.version).toBe(
        '2.6.1+deb12u1',
      );
      for (const finding of [...before.findings, ...after.findings]) {
        expect(finding.identityKey).not.toMatch(
          /registry\.example\.com|sha256|debian 12|12\.[56]|2\.14\.1|2\.15\.0/,
        );
      }
    });

    it('keeps the identity when the Target of an os-pkgs result changes', () => {
      const doc = fixture('image-debian-v1.json');
      const keys = trivyParser.parse(doc).findings.map(f => f.identityKey);
      doc.ArtifactName = 'other-registry.local/app@sha256:abcdef';
      doc.Results[0].Target =
        'other-registry.local/app@sha256:abcdef (debian 12.9)';
      expect(trivyParser.parse(doc).findings.map(f => f.identityKey)).toEqual(
        keys,
      );
    });

    it('tells the same package in two lockfiles apart', () => {
      const lock = trivyParser.parse(fixture('fs-lockfiles.json'));
      expect(lock.findings).toHaveLength(2);
      const [frontend, backend] = lock.findings;
      expect(frontend).toMatchObject({
        title:
          'GHSA-952p-6rrq-rcjv: Regular Expression Denial of Service (ReDoS) in micromatch',
        severity: 'medium',
        cwes: ['CWE-1333'],
        location: { file: 'frontend/package-lock.json' },
      });
      expect(frontend.location?.image).toBeUndefined();
      expect(backend).toMatchObject({
        title: 'GHSA-952p-6rrq-rcjv in micromatch',
        package: {
          name: 'micromatch',
          version: '4.0.5',
          fixedVersion: '4.0.8',
        },
        location: { file: 'backend/package-lock.json' },
      });
      expect(backend.package?.purl).toBeUndefined();
      expect(frontend.identityKey).not.toBe(backend.identityKey);
    });

    it('gives no findings when Results is missing', () => {
      expect(
        trivyParser.parse({ SchemaVersion: 2, ArtifactName: 'x' }).findings,
      ).toEqual([]);
    });
  });

  describe('misconfigurations', () => {
    const report = trivyParser.parse(fixture('config-dockerfile-k8s.json'));

    it('reads failures only: PASS and EXCEPTION are skipped', () => {
      expect(report.findings.map(f => f.ruleId)).toEqual([
        'DS002',
        'DS026',
        'KSV014',
      ]);
    });

    it('reads title, severity, file and lines', () => {
      const [root, , k8s] = report.findings;
      expect(root).toMatchObject({
        title: "DS002: Image user should not be 'root'",
        severity: 'high',
        status: 'open',
        vulnerabilityIds: [],
        location: { file: 'Dockerfile' },
      });
      expect(root.location?.startLine).toBeUndefined();
      expect(k8s).toMatchObject({
        title: 'KSV014: Root file system is not read-only',
        severity: 'high',
        ruleId: 'KSV014',
        location: {
          file: 'deploy/k8s/deployment.yaml',
          startLine: 21,
          endLine: 38,
        },
      });
      expect(k8s.description).toContain(
        "**Resolution:** Change 'containers[].securityContext.readOnlyRootFilesystem' to 'true'.",
      );
      expect(k8s.description).toContain(
        '- <https://avd.aquasec.com/misconfig/ksv014>',
      );
    });

    it('keeps the identity when lines move or the check id changes style', () => {
      const doc = fixture('config-dockerfile-k8s.json');
      const k8s = doc.Results[1].Misconfigurations[0];
      k8s.CauseMetadata.StartLine = 40;
      k8s.CauseMetadata.EndLine = 57;
      // newer Trivy releases: ID in AVD form, no AVDID
      k8s.ID = 'KSV-0014';
      delete k8s.AVDID;
      doc.Results[1].Target = 'deploy/k8s/deployment.yaml';
      const moved = trivyParser.parse(doc).findings[2];
      expect(moved.location?.startLine).toBe(40);
      expect(moved.identityKey).toBe(report.findings[2].identityKey);
    });

    it('tells resources in one file apart', () => {
      const doc = fixture('config-dockerfile-k8s.json');
      const second = structuredClone(doc.Results[1].Misconfigurations[0]);
      second.CauseMetadata.Resource = 'Deployment/payments-worker';
      doc.Results[1].Misconfigurations.push(second);
      const keys = trivyParser.parse(doc).findings.map(f => f.identityKey);
      expect(new Set(keys).size).toBe(4);
    });

    it('treats a misconfiguration without Status as a failure', () => {
      const doc = fixture('config-dockerfile-k8s.json');
      delete doc.Results[0].Misconfigurations[3].Status;
      expect(trivyParser.parse(doc).findings).toHaveLength(4);
    });
  });

  describe('secrets', () => {
    const secretTexts = [
      'AKIAIOSFODNN7EXAMPLE',
      'ghp_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
      's3cr3t-Pa55w0rd-XYZ',
    ];

    it('describes masked secrets by rule and location', () => {
      const report = trivyParser.parse(fixture('secrets-masked.json'));
      expect(report.findings).toHaveLength(2);
      const [aws, custom] = report.findings;
      expect(aws).toMatchObject({
        title: 'Secret: AWS Access Key ID',
        severity: 'critical',
        status: 'open',
        ruleId: 'aws-access-key-id',
        cwes: ['CWE-798'],
        vulnerabilityIds: [],
        location: { file: 'deploy.sh', startLine: 3, endLine: 3 },
      });
      expect(aws.location?.image).toBeUndefined();
      expect(aws.description).toContain('`aws-access-key-id`');
      expect(aws.description).toContain('`deploy.sh` line 3');
      expect(custom).toMatchObject({
        title: 'Secret: My Secret',
        severity: 'high',
        ruleId: 'mysecret',
      });
      // no Match or Code text at all
      expect(JSON.stringify(report)).not.toContain('*');
      expect(JSON.stringify(report)).not.toContain('AWS_ACCESS_KEY_ID');
    });

    it('never stores an unmasked secret', () => {
      const raw = fixture('secrets-unmasked.json');
      // make sure the fixture holds them, so the test means something
      for (const secret of secretTexts) {
        expect(JSON.stringify(raw)).toContain(secret);
      }
      const report = trivyParser.parse(raw);
      expect(report.findings).toHaveLength(2);
      const serialized = JSON.stringify(report);
      for (const secret of secretTexts) {
        expect(serialized).not.toContain(secret);
        expect(serialized).not.toContain(secret.slice(0, 10));
      }
    });

    it('keeps the identity through a line shift and unmasking', () => {
      const masked = trivyParser.parse(fixture('secrets-masked.json'));
      const unmasked = trivyParser.parse(fixture('secrets-unmasked.json'));
      // `./deploy.sh` line 5 unmasked is `deploy.sh` line 3 masked
      expect(unmasked.findings[0].location).toMatchObject({
        file: 'deploy.sh',
        startLine: 5,
      });
      expect(unmasked.findings[0].identityKey).toBe(
        masked.findings[0].identityKey,
      );
    });

    it('tells the same rule twice in one file apart', () => {
      const doc = fixture('secrets-masked.json');
      const again = structuredClone(doc.Results[0].Secrets[0]);
      again.StartLine = 12;
      again.EndLine = 12;
      doc.Results[0].Secrets.push(again);
      const keys = trivyParser.parse(doc).findings.map(f => f.identityKey);
      expect(keys).toHaveLength(3);
      expect(new Set(keys).size).toBe(3);
      // the first occurrence keeps its plain key
      expect(keys[0]).toBe(
        trivyParser.parse(fixture('secrets-masked.json')).findings[0]
          .identityKey,
      );
    });

    it('places secrets found in an image in that image', () => {
      const doc = fixture('secrets-masked.json');
      doc.ArtifactType = 'container_image';
      doc.ArtifactName = 'registry.example.com/payments/api:1.4.0';
      doc.Results[0].Target = '/app/deploy.sh';
      const [aws] = trivyParser.parse(doc).findings;
      expect(aws.location).toEqual({
        image: 'registry.example.com/payments/api:1.4.0',
        file: 'app/deploy.sh',
        startLine: 3,
        endLine: 3,
      });
    });
  });

  describe('errors', () => {
    it('names the JSON path of a wrong value', () => {
      const doc = fixture('image-debian-v1.json');
      doc.Results[0].Vulnerabilities[2].VulnerabilityID = 42;
      expect(parseError(doc).message).toBe(
        'Trivy JSON: Results[0].Vulnerabilities[2].VulnerabilityID: expected a string',
      );
    });

    it('rejects other schema versions', () => {
      const doc = fixture('image-debian-v1.json');
      doc.SchemaVersion = 1;
      expect(parseError(doc).message).toBe(
        'Trivy JSON: SchemaVersion: unsupported schema version 1; only 2 is supported',
      );
      expect(parseError({ Results: [] }).message).toBe(
        'Trivy JSON: SchemaVersion: expected a number',
      );
    });

    it('rejects documents that are not objects', () => {
      expect(parseError([]).message).toBe('Trivy JSON: expected an object');
      expect(parseError(null).message).toBe('Trivy JSON: expected an object');
    });

    it.each([
      [
        (doc: any) => {
          doc.Results = {};
        },
        'Trivy JSON: Results: expected an array',
      ],
      [
        (doc: any) => {
          doc.Results[1].Vulnerabilities[0].References = 'https://x';
        },
        'Trivy JSON: Results[1].Vulnerabilities[0].References: expected an array',
      ],
      [
        (doc: any) => {
          doc.Results[0].Vulnerabilities[1].CVSS.nvd.V3Score = 'high';
        },
        'Trivy JSON: Results[0].Vulnerabilities[1].CVSS.nvd.V3Score: expected a number',
      ],
      [
        (doc: any) => {
          doc.Results[0].Vulnerabilities[0].PkgIdentifier = 'pkg:deb/x';
        },
        'Trivy JSON: Results[0].Vulnerabilities[0].PkgIdentifier: expected an object',
      ],
      [
        (doc: any) => {
          doc.Results[0].Target = 7;
        },
        'Trivy JSON: Results[0].Target: expected a string',
      ],
      [
        (doc: any) => {
          doc.Results[0].Vulnerabilities[2].VulnerabilityID = '  ';
        },
        'Trivy JSON: Results[0].Vulnerabilities[2].VulnerabilityID: expected a non-empty string',
      ],
    ])('names the path (%#)', (mutate, message) => {
      const doc = fixture('image-debian-v1.json');
      mutate(doc);
      expect(parseError(doc).message).toBe(message);
    });

    it('names paths in misconfigurations and secrets', () => {
      const config = fixture('config-dockerfile-k8s.json');
      delete config.Results[1].Misconfigurations[0].ID;
      expect(parseError(config).message).toBe(
        'Trivy JSON: Results[1].Misconfigurations[0].ID: expected a string',
      );
      const secrets = fixture('secrets-masked.json');
      secrets.Results[0].Secrets[1].StartLine = '7';
      expect(parseError(secrets).message).toBe(
        'Trivy JSON: Results[0].Secrets[1].StartLine: expected a number',
      );
    });
  });

  describe('arbitrary input', () => {
    const expectParseOrReportParseError =
      parseOrReportParseErrorCheck(trivyParser);

    it('returns or throws ReportParseError for any JSON', () => {
      expect(() =>
        fc.assert(fc.property(fc.jsonValue(), expectParseOrReportParseError), {
          numRuns: 300,
        }),
      ).not.toThrow();
    });

    const trivyShaped = fc.record(
      {
        SchemaVersion: maybe(fc.constant(2)),
        ArtifactName: maybe(fc.string()),
        ArtifactType: maybe(fc.constantFrom('container_image', 'filesystem')),
        Results: maybe(
          fc.array(
            fc.record(
              {
                Target: maybe(fc.string()),
                Class: maybe(
                  fc.constantFrom('os-pkgs', 'lang-pkgs', 'config', 'secret'),
                ),
                Type: maybe(fc.string()),
                Vulnerabilities: maybe(
                  fc.array(
                    fc.record(
                      {
                        VulnerabilityID: maybe(fc.string()),
                        PkgName: maybe(fc.string()),
                        PkgPath: maybe(fc.string()),
                        InstalledVersion: maybe(fc.string()),
                        PkgIdentifier: maybe(
                          fc.record({ PURL: maybe(fc.string()) }),
                        ),
                        Severity: maybe(
                          fc.constantFrom('UNKNOWN', 'LOW', 'CRITICAL'),
                        ),
                        CVSS: maybe(
                          fc.dictionary(
                            fc.string(),
                            fc.record(
                              {
                                V3Score: maybe(fc.double()),
                                V3Vector: maybe(fc.string()),
                              },
                              { requiredKeys: [] },
                            ),
                          ),
                        ),
                      },
                      { requiredKeys: [] },
                    ),
                  ),
                ),
                Misconfigurations: maybe(
                  fc.array(
                    fc.record(
                      {
                        ID: maybe(fc.string()),
                        Status: maybe(fc.constantFrom('FAIL', 'PASS')),
                        CauseMetadata: maybe(
                          fc.record(
                            {
                              Resource: maybe(fc.string()),
                              StartLine: maybe(fc.integer()),
                            },
                            { requiredKeys: [] },
                          ),
                        ),
                      },
                      { requiredKeys: [] },
                    ),
                  ),
                ),
                Secrets: maybe(
                  fc.array(
                    fc.record(
                      {
                        RuleID: maybe(fc.string()),
                        Match: maybe(fc.string()),
                        StartLine: maybe(fc.integer()),
                      },
                      { requiredKeys: [] },
                    ),
                  ),
                ),
              },
              { requiredKeys: [] },
            ),
          ),
        ),
      },
      { requiredKeys: [] },
    );

    it('returns or throws ReportParseError for Trivy-shaped input', () => {
      expect(() =>
        fc.assert(fc.property(trivyShaped, expectParseOrReportParseError), {
          numRuns: 500,
        }),
      ).not.toThrow();
    });

    it('returns or throws ReportParseError when any value of a real report is replaced', () => {
      const documents = [
        fixture('image-debian-v1.json'),
        fixture('config-dockerfile-k8s.json'),
        fixture('secrets-unmasked.json'),
      ];
      const paths = documents.map(doc => allPaths(doc, { includeRoot: false }));
      expect(() =>
        fc.assert(
          fc.property(
            fc.nat({ max: documents.length - 1 }),
            fc.nat(),
            fc.jsonValue({ maxDepth: 2 }),
            (which, index, replacement) => {
              const at = paths[which][index % paths[which].length];
              expectParseOrReportParseError(
                replaceAt(documents[which], at, replacement),
              );
            },
          ),
          { numRuns: 500 },
        ),
      ).not.toThrow();
    });
  });
});
