import request from 'supertest';
import {
  SCANNER_TOKEN,
  SECURITY_BOT_TOKEN,
  startPluginBackend,
} from '../__testUtils__/startPluginBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const API = '/api/security-observations';
const entityRef = 'component:default/payments-api';
/** A triage service that was granted the assess permission. */
const securityBot = `Bearer ${SECURITY_BOT_TOKEN}`;

/** A Trivy image scan with the given (id, package, severity) findings. */
function trivyReport(
  vulnerabilities: Array<[id: string, pkg: string, severity: string]>,
) {
  return {
    SchemaVersion: 2,
    ArtifactName: 'registry.example.com/payments-api:1.4.2',
    ArtifactType: 'container_image',
    Results: [
      {
        Target: 'registry.example.com/payments-api:1.4.2 (debian 12.5)',
        Class: 'os-pkgs',
        Type: 'debian',
        Vulnerabilities: vulnerabilities.map(([id, pkg, severity]) => ({
          VulnerabilityID: id,
          PkgName: pkg,
          PkgIdentifier: {
            PURL: `pkg:deb/debian/${pkg}@1.0.0?distro=debian-12.5`,
          },
          InstalledVersion: '1.0.0',
          FixedVersion: '1.0.1',
          Status: 'fixed',
          Severity: severity,
          Title: `${pkg}: ${id}`,
        })),
      },
    ],
  };
}

const zero = {
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
  none: 0,
  unknown: 0,
};

describe('the import answer carries what a CI gate decides on', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'counts open observations of the scope, and the ones this import introduced, by severity, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const { server } = await startPluginBackend({ knex });
      const post = (report: object, query: Record<string, string> = {}) =>
        request(server)
          .post(`${API}/v1/imports`)
          .query({ entityRef, ...query })
          .set('Authorization', `Bearer ${SCANNER_TOKEN}`)
          .send(report);

      const first = await post(
        trivyReport([
          ['CVE-2024-0001', 'openssl', 'CRITICAL'],
          ['CVE-2024-0002', 'libxml2', 'HIGH'],
          ['CVE-2024-0003', 'zlib', 'HIGH'],
          ['CVE-2024-0004', 'curl', 'LOW'],
        ]),
      );
      expect(first.status).toBe(201);
      const everything = { ...zero, critical: 1, high: 2, low: 1 };
      expect(first.body.unassessed).toEqual({
        all: everything,
        new: everything,
      });

      // The security team accepts the critical one and raises the low one to high.
      const ids = Object.fromEntries(
        (
          await knex('observations')
            .where({ entity_ref: entityRef })
            .select('id', 'package_name')
        ).map(row => [row.package_name, row.id]),
      );
      const accept = await request(server)
        .post(`${API}/v1/observations/${ids.openssl}/assessments`)
        .set('Authorization', securityBot)
        .send({
          status: 'risk_accepted',
          comment: 'Not reachable from the payment flow',
        });
      expect(accept.status).toBe(200);
      const raise = await request(server)
        .post(`${API}/v1/observations/${ids.curl}/assessments`)
        .set('Authorization', securityBot)
        .send({ status: 'open', severity: 'high', comment: 'Exposed' });
      expect(raise.status).toBe(200);

      // Same report again: nothing new; the assessed ones count as decided
      // or with their assessed severity.
      const again = await post(
        trivyReport([
          ['CVE-2024-0001', 'openssl', 'CRITICAL'],
          ['CVE-2024-0002', 'libxml2', 'HIGH'],
          ['CVE-2024-0003', 'zlib', 'HIGH'],
          ['CVE-2024-0004', 'curl', 'LOW'],
        ]),
      );
      expect(again.body.unassessed).toEqual({
        all: { ...zero, high: 3 },
        new: zero,
      });

      // zlib disappears, a medium one is new.
      const third = await post(
        trivyReport([
          ['CVE-2024-0001', 'openssl', 'CRITICAL'],
          ['CVE-2024-0002', 'libxml2', 'HIGH'],
          ['CVE-2024-0004', 'curl', 'LOW'],
          ['CVE-2024-0005', 'expat', 'MEDIUM'],
        ]),
      );
      expect(third.body.counts).toMatchObject({ new: 1, resolved: 1 });
      expect(third.body.unassessed).toEqual({
        all: { ...zero, high: 2, medium: 1 },
        new: { ...zero, medium: 1 },
      });

      // zlib comes back: reopened counts as introduced by this import.
      const fourth = await post(
        trivyReport([
          ['CVE-2024-0001', 'openssl', 'CRITICAL'],
          ['CVE-2024-0002', 'libxml2', 'HIGH'],
          ['CVE-2024-0003', 'zlib', 'HIGH'],
          ['CVE-2024-0004', 'curl', 'LOW'],
          ['CVE-2024-0005', 'expat', 'MEDIUM'],
        ]),
      );
      expect(fourth.body.counts).toMatchObject({ reopened: 1 });
      expect(fourth.body.unassessed).toEqual({
        all: { ...zero, high: 3, medium: 1 },
        new: { ...zero, high: 1 },
      });

      // Another scope of the same entity does not count.
      const otherScanner = await post(
        trivyReport([['CVE-2024-0009', 'glibc', 'CRITICAL']]),
        { scanner: 'trivy-nightly' },
      );
      expect(otherScanner.body.unassessed.all).toEqual({
        ...zero,
        critical: 1,
      });
      await knex.destroy();
    },
  );
});
