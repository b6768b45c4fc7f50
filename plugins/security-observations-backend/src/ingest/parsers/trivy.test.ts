import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { corpusFiles, readJson } from '../../__testUtils__/corpus';
import {
  allPaths,
  maybe,
  parseErrorOf,
  parseOrReportParseErrorCheck,
  replaceAt,
} from '../../__testUtils__/parserProperties';
import {
  SCANNER_TOKEN,
  startPluginBackend,
} from '../../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../../__testUtils__/testDatabases';
import { normalizeFindings } from '../NormalizedFinding';
import { SEPARATOR } from './identity';
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
      // The parser gives both the same key (the line is not part of it);
      // normalizeFindings numbers the second, in report order.
      const keys = Array.from(
        normalizeFindings(trivyParser.parse(doc).findings),
      ).map(normalized => normalized.finding.identityKey);
      const plain = trivyParser.parse(fixture('secrets-masked.json'))
        .findings[0].identityKey;
      expect(keys).toEqual([
        plain,
        expect.any(String),
        `${plain}${SEPARATOR}#2`,
      ]);
      expect(new Set(keys).size).toBe(3);
    });

    it('keeps an exact repeat of a secret once', () => {
      const doc = fixture('secrets-masked.json');
      doc.Results[0].Secrets.push(structuredClone(doc.Results[0].Secrets[0]));
      expect(trivyParser.parse(doc).findings).toHaveLength(3);
      expect(
        Array.from(normalizeFindings(trivyParser.parse(doc).findings)),
      ).toHaveLength(2);
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

  describe('trivy k8s reports', () => {
    const all = trivyParser.read(fixture('k8s-0.50_report-all.json'));
    const allFindings = Array.from(all.findings);
    const keyOf = (finding: ParsedFinding) => finding.identityKey;

    it('detects all three shapes, and an empty cluster', () => {
      for (const name of [
        'k8s-0.50_report-all.json',
        'k8s-0.50_report-summary.json',
        'k8s-0.28_vulnerabilities-misconfigurations.json',
      ]) {
        expect(trivyParser.detect(fixture(name))).toBe(true);
      }
      expect(trivyParser.detect({ ClusterName: 'kind-kind' })).toBe(true);
      expect(trivyParser.parse({ ClusterName: 'kind-kind' }).findings).toEqual(
        [],
      );
      expect(
        trivyParser.detect({ ClusterName: 'kind-kind', Resources: {} }),
      ).toBe(false);
      expect(trivyParser.detect({ ClusterName: 7, Resources: [] })).toBe(false);
    });

    it('reads the findings of every resource, placed in the resource', () => {
      expect(
        allFindings.map(f => [
          f.location?.uri,
          f.location?.image,
          f.ruleId ?? f.vulnerabilityIds[0],
        ]),
      ).toEqual([
        [
          'k8s:default/Deployment/payments-api',
          'registry.example.com/payments/api:1.4.0',
          'CVE-2023-52425',
        ],
        [
          'k8s:default/Deployment/payments-api',
          'registry.example.com/payments/api:1.4.0',
          'CVE-2024-2511',
        ],
        ['k8s:default/Deployment/payments-api', undefined, 'CVE-2021-44228'],
        [
          'k8s:default/Deployment/payments-api',
          'registry.example.com/platform/log-shipper:2.3.0',
          'CVE-2023-52425',
        ],
        [
          'k8s:default/Deployment/payments-worker',
          'registry.example.com/payments/api:1.4.0',
          'CVE-2023-52425',
        ],
        ['k8s:default/Deployment/payments-api', undefined, 'KSV014'],
        ['k8s:default/Deployment/payments-worker', undefined, 'KSV014'],
        ['k8s:ClusterRole/payments-operator', undefined, 'KSV041'],
      ]);
      // nothing of a cluster scan is a file of the repository
      for (const finding of allFindings) {
        expect(finding.location?.file).toBeUndefined();
        expect(finding.location?.startLine).toBeUndefined();
      }
      const [expat, , log4j] = allFindings;
      expect(expat).toMatchObject({
        title:
          'CVE-2023-52425: expat: parsing large tokens can trigger a denial of service',
        severity: 'high',
        package: {
          purl: 'pkg:deb/debian/libexpat1@2.5.0-1?arch=amd64&distro=debian-12.5',
          fixedVersion: '2.5.0-1+deb12u1',
        },
      });
      expect(expat.description).toContain(
        '**Kubernetes resource:** `Deployment default/payments-api` in cluster `arn:aws:eks:eu-west-1:123456789012:cluster/payments-prod`',
      );
      // the path in the image stays in the description
      expect(log4j.description).toContain(
        '- **Path:** `app/lib/log4j-core-2.14.1.jar`',
      );
      expect(allFindings[7].description).toContain(
        '**Kubernetes resource:** `ClusterRole payments-operator`',
      );
    });

    it('tells one CVE in two deployments, and in two containers of one, apart', () => {
      const expat = allFindings.filter(
        f => f.vulnerabilityIds[0] === 'CVE-2023-52425',
      );
      expect(expat).toHaveLength(3);
      expect(new Set(expat.map(keyOf)).size).toBe(3);
      const keys = allFindings.map(keyOf);
      expect(new Set(keys).size).toBe(keys.length);
      // the same deployment name in another namespace is another resource
      const doc = fixture('k8s-0.50_report-all.json');
      doc.Resources[2].Namespace = 'staging';
      doc.Resources[2].Name = 'payments-api';
      const staging = trivyParser.parse(doc).findings[4];
      expect(staging.location?.uri).toBe('k8s:staging/Deployment/payments-api');
      expect(keys).not.toContain(staging.identityKey);
    });

    it('gives --report summary the identities of --report all', () => {
      const summary = trivyParser.parse(
        fixture('k8s-0.50_report-summary.json'),
      ).findings;
      const byKey = (findings: ParsedFinding[]) =>
        Object.fromEntries(findings.map(f => [f.identityKey, f]));
      expect(byKey(summary)).toEqual(byKey(allFindings));
    });

    it('keeps identities through an image upgrade and a renamed cluster', () => {
      const doc = fixture('k8s-0.50_report-all.json');
      doc.ClusterName = 'payments-prod';
      const app = doc.Resources[0];
      app.Results[0].Target =
        'registry.example.com/payments/api:1.5.0 (debian 12.6)';
      app.Results[0].Vulnerabilities[1].InstalledVersion = '3.0.11-1~deb12u3';
      app.Results[1].Vulnerabilities[0].PkgPath =
        'app/lib/log4j-core-2.14.0.jar';
      app.Results[1].Vulnerabilities[0].InstalledVersion = '2.14.0';
      const after = trivyParser.parse(doc).findings;
      expect(after.map(keyOf)).toEqual(allFindings.map(keyOf));
      expect(after[0].location?.image).toBe(
        'registry.example.com/payments/api:1.5.0',
      );
      for (const finding of allFindings) {
        expect(finding.identityKey).not.toMatch(/1\.4\.0|payments-prod|arn:/);
      }
    });

    it('warns of a resource Trivy could not scan', () => {
      expect(all.warnings).toEqual([
        {
          path: 'Resources[6].Error',
          message: expect.stringMatching(
            /^Trivy could not scan CronJob default\/ledger-export: scan error: unable to initialize a scanner/,
          ),
        },
      ]);
      expect(all.warnings?.[0].message).not.toMatch(/\n|\t/);
    });

    it('reads the shape of the 0.2x releases: Vulnerabilities and Misconfigurations', () => {
      const old = trivyParser.parse(
        fixture('k8s-0.28_vulnerabilities-misconfigurations.json'),
      ).findings;
      expect(
        old.map(f => [
          f.location?.uri,
          f.ruleId ?? f.vulnerabilityIds[0],
          f.severity,
        ]),
      ).toEqual([
        ['k8s:default/Deployment/redis-follower', 'CVE-2020-27350', 'medium'],
        ['k8s:default/Deployment/redis-follower', 'CVE-2019-18276', 'low'],
        ['k8s:default/Deployment/redis-leader', 'CVE-2020-27350', 'medium'],
        ['k8s:default/Deployment/redis-follower', 'KSV012', 'medium'],
        ['k8s:default/Deployment/redis-follower', 'KSV014', 'low'],
        ['k8s:default/Deployment/redis-leader', 'KSV012', 'medium'],
        ['k8s:default/Deployment/redis-leader', 'KSV014', 'low'],
      ]);
      expect(old[2].location?.image).toBe('docker.io/redis:6.0.5');
      expect(new Set(old.map(keyOf)).size).toBe(7);
      expect(old[3].description).toContain(
        "**Finding:** Container 'follower' of Deployment 'redis-follower' should set 'securityContext.runAsNonRoot' to true",
      );
    });

    it('names the path of what is wrong', () => {
      const doc = fixture('k8s-0.50_report-all.json');
      delete doc.Resources[3].Kind;
      expect(parseError(doc).message).toBe(
        'Trivy JSON: Resources[3].Kind: expected a string',
      );
      const summary = fixture('k8s-0.50_report-summary.json');
      summary.Findings[3].Results[1].Vulnerabilities[0].VulnerabilityID = 5;
      expect(parseError(summary).message).toBe(
        'Trivy JSON: Findings[3].Results[1].Vulnerabilities[0].VulnerabilityID: expected a string',
      );
    });
  });

  describe('reports before schema 2', () => {
    const legacy = trivyParser.parse(fixture('legacy-0.19_image.json'));

    it('detects a bare array of results', () => {
      expect(trivyParser.detect(fixture('legacy-0.19_image.json'))).toBe(true);
      expect(
        trivyParser.detect([
          { Target: 'app/package-lock.json', Vulnerabilities: null },
        ]),
      ).toBe(true);
      // what is Trivy-like but no result
      expect(
        trivyParser.detect([{ Target: 'app/package-lock.json', Type: 'npm' }]),
      ).toBe(false);
      expect(
        trivyParser.detect([{ RuleID: 'aws-access-token', File: 'x' }]),
      ).toBe(false);
      expect(trivyParser.detect([])).toBe(false);
    });

    it('reads OS and language results, the image from the OS target', () => {
      expect(
        legacy.findings.map(f => [
          f.vulnerabilityIds[0],
          f.package?.name,
          f.severity,
          f.location,
        ]),
      ).toEqual([
        [
          'CVE-2011-3374',
          'apt',
          'low',
          { image: 'registry.example.com/payments/api:1.3.2' },
        ],
        [
          'CVE-2019-18276',
          'bash',
          'low',
          { image: 'registry.example.com/payments/api:1.3.2' },
        ],
        [
          'TEMP-0841856-B18BAF',
          'bash',
          'low',
          { image: 'registry.example.com/payments/api:1.3.2' },
        ],
        [
          'CVE-2021-23337',
          'lodash',
          'high',
          {
            image: 'registry.example.com/payments/api:1.3.2',
            file: 'app/package-lock.json',
          },
        ],
      ]);
      expect(legacy.findings[3].package).toEqual({
        name: 'lodash',
        version: '4.17.20',
        fixedVersion: '4.17.21',
      });
    });

    it('has the identities of schema 2 reports without a purl', () => {
      const schema2 = {
        SchemaVersion: 2,
        ArtifactName: 'registry.example.com/payments/api:1.3.2',
        ArtifactType: 'container_image',
        Results: fixture('legacy-0.19_image.json').map((result: any) => ({
          ...result,
          Class: result.Type === 'debian' ? 'os-pkgs' : 'lang-pkgs',
        })),
      };
      expect(
        trivyParser.parse(schema2).findings.map(f => f.identityKey),
      ).toEqual(legacy.findings.map(f => f.identityKey));
    });

    it('tells OS results from language results without a Type', () => {
      // Trivy up to 0.15 wrote neither Class nor Type
      const doc = fixture('legacy-0.19_image.json').map((result: any) => {
        const { Type, ...rest } = result;
        return rest;
      });
      const findings = trivyParser.parse(doc).findings;
      expect(findings[0].location).toEqual({
        image: 'registry.example.com/payments/api:1.3.2',
      });
      expect(findings[3].location?.file).toBe('app/package-lock.json');
    });

    it('reads the misconfigurations of trivy config before schema 2', () => {
      const doc = [
        {
          Target: 'Dockerfile',
          Type: 'dockerfile',
          MisconfSummary: { Successes: 22, Failures: 1, Exceptions: 0 },
          Misconfigurations: [
            {
              Type: 'Dockerfile Security Check',
              ID: 'DS002',
              Title: "Image user should not be 'root'",
              Message:
                'Specify at least 1 USER command in Dockerfile with non-root user as argument',
              Severity: 'HIGH',
              Status: 'FAIL',
              IacMetadata: {
                Provider: 'Dockerfile',
                Service: 'general',
                StartLine: 3,
                EndLine: 3,
              },
            },
          ],
        },
      ];
      expect(trivyParser.parse(doc).findings).toEqual([
        expect.objectContaining({
          ruleId: 'DS002',
          severity: 'high',
          location: { file: 'Dockerfile', startLine: 3, endLine: 3 },
        }),
      ]);
    });
  });

  describe('results without findings', () => {
    it('imports a licence scan as empty, with a warning per licence result', () => {
      const doc = fixture('fs-licenses-only.json');
      expect(trivyParser.detect(doc)).toBe(true);
      const reading = trivyParser.read(doc);
      expect(Array.from(reading.findings)).toEqual([]);
      expect(reading.warnings).toEqual([
        {
          path: 'Results[1].Licenses',
          message:
            '2 licence findings not imported: licences are not security findings',
        },
        {
          path: 'Results[2].Licenses',
          message:
            '1 licence finding not imported: licences are not security findings',
        },
      ]);
    });

    it('never refuses a report for the shape of its licences', () => {
      const doc = fixture('fs-licenses-only.json');
      doc.Results[1].Licenses = { GPL: 1 };
      delete doc.Results[2].Target;
      const reading = trivyParser.read(doc);
      expect(Array.from(reading.findings)).toEqual([]);
      expect(reading.warnings).toHaveLength(1);
    });

    it('imports results that carry only a MisconfSummary as empty', () => {
      const doc = fixture('config-misconf-summary-only.json');
      expect(trivyParser.detect(doc)).toBe(true);
      const reading = trivyParser.read(doc);
      expect(Array.from(reading.findings)).toEqual([]);
      expect(reading.warnings).toEqual([]);
      // no Target is needed where there is nothing to place
      delete doc.Results[0].Target;
      doc.Results[1].Target = 3;
      expect(trivyParser.parse(doc).findings).toEqual([]);
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

    it('rejects documents that are neither objects nor arrays', () => {
      expect(parseError(null).message).toBe('Trivy JSON: expected an object');
      expect(parseError('Results').message).toBe(
        'Trivy JSON: expected an object',
      );
      // a bare array is the report of Trivy before schema 2
      expect(trivyParser.parse([]).findings).toEqual([]);
      expect(parseError([7]).message).toBe(
        'Trivy JSON: [0]: expected an object',
      );
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

    const trivyResult = fc.record(
      {
        Target: maybe(fc.string()),
        Class: maybe(
          fc.constantFrom(
            'os-pkgs',
            'lang-pkgs',
            'config',
            'secret',
            'license',
          ),
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
                PkgIdentifier: maybe(fc.record({ PURL: maybe(fc.string()) })),
                Severity: maybe(fc.constantFrom('UNKNOWN', 'LOW', 'CRITICAL')),
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
        Licenses: maybe(fc.array(fc.jsonValue({ maxDepth: 1 }))),
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
    );

    const trivyShaped = fc.record(
      {
        SchemaVersion: maybe(fc.constant(2)),
        ArtifactName: maybe(fc.string()),
        ArtifactType: maybe(fc.constantFrom('container_image', 'filesystem')),
        Results: maybe(fc.array(trivyResult)),
      },
      { requiredKeys: [] },
    );

    const kubernetesResource = fc.record(
      {
        Namespace: maybe(fc.string()),
        Kind: maybe(fc.constantFrom('Deployment', 'ClusterRole', '')),
        Name: maybe(fc.string()),
        Error: maybe(fc.string()),
        Results: maybe(fc.array(trivyResult)),
      },
      { requiredKeys: [] },
    );
    const kubernetesShaped = fc.record(
      {
        ClusterName: maybe(fc.string()),
        Resources: maybe(fc.array(kubernetesResource)),
        Findings: maybe(fc.array(kubernetesResource)),
        Vulnerabilities: maybe(fc.array(kubernetesResource)),
        Misconfigurations: maybe(fc.array(kubernetesResource)),
      },
      { requiredKeys: ['ClusterName'] },
    );

    it.each([
      ['schema 2', trivyShaped],
      ['trivy k8s', kubernetesShaped],
      ['before schema 2', fc.array(trivyResult)],
    ] as Array<[string, fc.Arbitrary<unknown>]>)(
      'returns or throws ReportParseError for Trivy-shaped input (%s)',
      (_shape, arbitrary) => {
        expect(() =>
          fc.assert(fc.property(arbitrary, expectParseOrReportParseError), {
            numRuns: 500,
          }),
        ).not.toThrow();
      },
    );

    it('returns or throws ReportParseError when any value of a real report is replaced', () => {
      const documents = [
        fixture('image-debian-v1.json'),
        fixture('config-dockerfile-k8s.json'),
        fixture('secrets-unmasked.json'),
        fixture('k8s-0.50_report-all.json'),
        fixture('k8s-0.50_report-summary.json'),
        fixture('k8s-0.28_vulnerabilities-misconfigurations.json'),
        fixture('legacy-0.19_image.json'),
        fixture('fs-licenses-only.json'),
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
          { numRuns: 1500 },
        ),
      ).not.toThrow();
    });
  });

  describe('through the import route', () => {
    const databases = createTestDatabases();
    const report = (name: string) =>
      fs.readFileSync(path.join(__dirname, '__fixtures__', 'trivy', name));

    it.each(databases.eachSupportedId())(
      'detects each shape, imports it, and counts a re-import as unchanged, on %s',
      async databaseId => {
        const knex = await databases.init(databaseId);
        const { server } = await startPluginBackend({ knex });
        const post = (name: string, source: string) =>
          request(server)
            .post('/api/security-observations/v1/imports')
            .query({ entityRef: 'component:default/payments-api', source })
            .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
            .set('Content-Type', 'application/json')
            .serialize((body: unknown) => body as string)
            .send(report(name));

        const expected: Array<[string, number, string[]]> = [
          ['k8s-0.50_report-all.json', 8, ['Resources[6].Error']],
          ['k8s-0.28_vulnerabilities-misconfigurations.json', 7, []],
          ['legacy-0.19_image.json', 4, []],
          [
            'fs-licenses-only.json',
            0,
            ['Results[1].Licenses', 'Results[2].Licenses'],
          ],
          ['config-misconf-summary-only.json', 0, []],
        ];
        for (const [name, findings, warningPaths] of expected) {
          const first = await post(name, name);
          expect({ name, status: first.status }).toEqual({
            name,
            status: 201,
          });
          expect(first.body).toMatchObject({
            format: 'trivy',
            scanner: 'trivy',
            findings,
            counts: { new: findings },
          });
          expect(
            first.body.warnings.map((w: { path: string }) => w.path),
          ).toEqual(warningPaths);
          const again = await post(name, name);
          expect({ name, counts: again.body.counts }).toEqual({
            name,
            counts: {
              new: 0,
              updated: 0,
              unchanged: findings,
              resolved: 0,
              reopened: 0,
            },
          });
        }

        // --report summary after --report all, in one scope: the same
        // observations, none new, none resolved.
        const summary = await post(
          'k8s-0.50_report-summary.json',
          'k8s-0.50_report-all.json',
        );
        expect(summary.body.counts).toEqual({
          new: 0,
          updated: 0,
          unchanged: 8,
          resolved: 0,
          reopened: 0,
        });
        await knex.destroy();
      },
    );
  });
});
