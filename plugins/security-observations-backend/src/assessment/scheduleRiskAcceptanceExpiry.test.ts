import { mockServices } from '@backstage/backend-test-utils';
import { dependencyFinding } from '../__testUtils__/findings';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import {
  migrateUp,
  SecurityObservationsStore,
} from '../database/SecurityObservationsStore';
import { normalizeFindings } from '../ingest/NormalizedFinding';
import { scheduleRiskAcceptanceExpiry } from './scheduleRiskAcceptanceExpiry';

jest.setTimeout(60_000);

describe('scheduleRiskAcceptanceExpiry', () => {
  const databases = createTestDatabases();

  it.each(databases.eachSupportedId())(
    'schedules a global task that reopens expired risk acceptances, by the system, on %s',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await migrateUp(knex);
      const store = await SecurityObservationsStore.create({
        database: { getClient: async () => knex, migrations: { skip: true } },
      });
      const entityRef = 'component:default/payments-api';
      await store.applyImport({
        scope: { entityRef, branch: 'main', scanner: 'trivy', source: '' },
        format: 'trivy',
        actor: 'ci',
        reportBytes: 1,
        findings: normalizeFindings([
          dependencyFinding('CVE-2024-0001', 'openssl'),
          dependencyFinding('CVE-2024-0002', 'zlib'),
        ]),
        now: new Date(Date.now() - 86_400_000),
      });
      const [expiring, lasting] = (await store.listObservations({ entityRef }))
        .items;
      const accept = (id: string, expiresAt: string) =>
        store.applyAssessment({
          entityRef,
          observationIds: [id],
          status: 'risk_accepted',
          comment: 'Accepted for the release',
          expiresAt,
          actor: { ref: 'user:default/alice', kind: 'user' },
          now: new Date(Date.now() - 3_600_000),
        });
      await accept(expiring.id, new Date(Date.now() - 60_000).toISOString());
      await accept(lasting.id, new Date(Date.now() + 86_400_000).toISOString());

      const scheduler = mockServices.scheduler.mock();
      await scheduleRiskAcceptanceExpiry({
        scheduler,
        store,
        logger: mockServices.logger.mock(),
      });
      expect(scheduler.scheduleTask).toHaveBeenCalledWith(
        expect.objectContaining({
          id: 'security-observations:expire-risk-acceptances',
          scope: 'global',
        }),
      );
      const task = scheduler.scheduleTask.mock.calls[0][0];
      await task.fn(new AbortController().signal);

      expect(await store.getObservation(expiring.id)).toMatchObject({
        status: 'open',
        assessedStatus: null,
        riskAcceptanceExpiresAt: null,
      });
      expect((await store.getObservation(lasting.id))!.status).toBe(
        'risk_accepted',
      );
      const events = await store.listEvents(expiring.id);
      expect(events.at(-1)).toMatchObject({
        type: 'expired',
        actor: 'system',
        actorKind: 'system',
        changes: { status: { from: 'risk_accepted', to: 'open' } },
      });

      // Nothing left to expire: a second run changes nothing.
      await task.fn(new AbortController().signal);
      expect((await store.listEvents(expiring.id)).length).toBe(events.length);
      await knex.destroy();
    },
  );
});
