import { mockServices } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { Knex } from 'knex';
import {
  Observation,
  Status,
} from 'backstage-plugin-security-observations-common';
import {
  migrateUp,
  SecurityObservationsStore,
} from '../../database/SecurityObservationsStore';
import { normalizeFindings } from '../../ingest/NormalizedFinding';
import { ParsedFinding } from '../../ingest/parsers/types';
import { EntityRoutes } from '../routing/EntityRoutes';
import { readTrackersConfig } from '../routing/TrackerConfig';
import { DeletedIssueCloser } from '../DeletedIssueCloser';
import { SyncEngine, SyncEngineOptions } from '../SyncEngine';
import { SyncFailureNotifier } from '../SyncFailureNotifier';
import { TrackerClients } from '../TrackerClients';

export const REPO = 'acme-corp/payments-api';
export const GITHUB_TOKEN = 'ghp_test_token';
export const ENTITY_REF = 'component:default/payments-api';

/** A component of team-payments with these annotations. */
export function component(
  name: string,
  annotations: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', owner: 'group:default/team-payments' },
  };
}

/** The example's GitHub-routed component, with extra annotations. */
export function paymentsApi(annotations: Record<string, string> = {}): Entity {
  return component('payments-api', {
    'github.com/project-slug': REPO,
    'security-observations/labels': 'security,payments',
    'security-observations/minimum-severity': 'medium',
    ...annotations,
  });
}

export interface SyncHarnessOptions {
  knex: Knex;
  entities?: Entity[];
  /** Extra `securityObservations` config. */
  config?: Record<string, unknown>;
  /** `integrations.github` entries; a token for github.com by default. */
  github?: Array<Record<string, unknown>>;
  /** `integrations.gitlab` entries; none by default. */
  gitlab?: Array<Record<string, unknown>>;
  engine?: Partial<SyncEngineOptions>;
  /** Migrations already ran (a second backend on the same database). */
  migrated?: boolean;
  requestTimeoutMs?: number;
  /** The benchmark: pacing windows and Retry-After units scaled down. */
  timing?: { windowScale: number; retryBaseMs: number };
}

/**
 * The sync engine over a real store on a test database, with GitHub
 * clients against whatever msw serves (the fake GitHub), short retry units
 * and a mock notification service. Entities can be changed between runs.
 */
export async function createSyncHarness(options: SyncHarnessOptions) {
  const { knex } = options;
  if (!options.migrated) await migrateUp(knex);
  const store = await SecurityObservationsStore.create({
    database: { getClient: async () => knex, migrations: { skip: true } },
  });
  const entities = new Map<string, Entity>();
  const setEntity = (entity: Entity) =>
    entities.set(stringifyEntityRef(entity), entity);
  /** Gone from the catalog (deleted, or its location failed to read). */
  const removeEntity = (entityRef = ENTITY_REF) => entities.delete(entityRef);
  (options.entities ?? [paymentsApi()]).forEach(setEntity);

  const config = new ConfigReader({
    app: { baseUrl: 'https://backstage.acme.example' },
    integrations: {
      github: (options.github ?? [
        { host: 'github.com', token: GITHUB_TOKEN },
      ]) as JsonObject[],
      ...(options.gitlab ? { gitlab: options.gitlab as JsonObject[] } : {}),
    },
    securityObservations: {
      trackers: [
        { id: 'github', type: 'github', host: 'github.com', labels: ['sec'] },
      ],
      ...options.config,
    },
  });
  const trackers = readTrackersConfig(config);
  // A real logger (not a jest mock): the benchmark runs outside jest.
  const logger = mockServices.rootLogger({ level: 'warn' });
  const clients = new TrackerClients({
    config,
    trackers,
    logger,
    creationTimes: (trackerId, since) =>
      store.issueCreationTimes(trackerId, since),
    timing: {
      retryBaseMs: 5,
      requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
      ...options.timing,
    },
    // Answers of the fakes must have the shapes the client libraries expect.
    strictResponses: true,
  });
  const routes = new EntityRoutes({
    trackers,
    unavailableReason: id => clients.unavailableReason(id),
    entitiesByRefs: async refs => refs.map(ref => entities.get(ref)),
  });
  const sent: NotificationSendOptions[] = [];
  const notifications = {
    sent,
    send: async (notification: NotificationSendOptions) => {
      sent.push(notification);
    },
  };
  const activeStatuses: Status[] = ['open'];
  const engine = new SyncEngine({
    store,
    routesOf: refs => routes.routesOf(refs),
    clients,
    notifier: new SyncFailureNotifier({ store, notifications, logger }),
    activeStatuses,
    appBaseUrl: 'https://backstage.acme.example',
    logger,
    ...options.engine,
  });

  const closer = new DeletedIssueCloser({
    store,
    clients,
    appBaseUrl: 'https://backstage.acme.example',
    logger,
  });
  /** An admin deletes observations of Payments API. */
  const deleteObservations = (ids: string[]) =>
    store.deleteObservations({
      entityRef: ENTITY_REF,
      observationIds: ids,
      actor: { ref: 'user:default/admin', kind: 'user' },
      now: new Date(),
    });

  let clock = Date.now() - 3_600_000;
  /** Imports findings as a scanner would, one second after the last import. */
  const importFindings = async (
    findings: ParsedFinding[],
    scope: { branch?: string; entityRef?: string } = {},
  ) => {
    clock += 1000;
    const entityRef = scope.entityRef ?? ENTITY_REF;
    const branch = scope.branch ?? 'main';
    const entity = entities.get(entityRef)!;
    return store.applyImport({
      scope: { entityRef, branch, scanner: 'trivy', source: '' },
      format: 'trivy',
      actor: 'ci-scanner',
      reportBytes: 1,
      findings: normalizeFindings(findings),
      now: new Date(clock),
      enqueueForSync: routes.syncsBranch(entity, branch),
    });
  };
  const observations = async (entityRef = ENTITY_REF) =>
    (await store.listObservations({ entityRef, limit: 500 })).items;
  const observationOf = async (ruleId: string): Promise<Observation> => {
    const found = (await observations()).find(item => item.ruleId === ruleId);
    if (!found) throw new Error(`no observation for ${ruleId}`);
    return found;
  };
  const assess = async (
    ids: string[],
    status: Status,
    extra: { severity?: Observation['severity'] | null } = {},
  ) =>
    store.applyAssessment({
      entityRef: ENTITY_REF,
      observationIds: ids,
      status,
      comment: `Assessed as ${status}`,
      actor: { ref: 'user:default/alice', kind: 'user' },
      now: new Date(),
      ...extra,
    });
  /** Runs until nothing is due (deferred rows wait for a later run). */
  const sync = () => engine.run();
  /** Marks every observation due now, as "Sync now" and later runs would. */
  const makeDue = () =>
    knex('observations')
      .whereNotNull('sync_next_attempt_at')
      .update({ sync_next_attempt_at: new Date().toISOString() });

  /**
   * The next run's process dies right after the tracker answered a create:
   * nothing more is written, and the lease stays until it runs out.
   * Resolves once that run died and its lease has run out.
   */
  const syncAndDieAfterCreate = async () => {
    const died = new Error('process killed');
    const synced = jest
      .spyOn(store, 'recordSynced')
      .mockRejectedValueOnce(died);
    const failed = jest
      .spyOn(store, 'recordFailure')
      .mockRejectedValueOnce(died);
    try {
      await engine.run().then(
        () => {
          throw new Error('the run did not die');
        },
        error => {
          if (error !== died) throw error;
        },
      );
    } finally {
      synced.mockRestore();
      failed.mockRestore();
    }
    await knex('observations').update({
      sync_lease_expires_at: new Date(Date.now() - 1000).toISOString(),
    });
  };

  return {
    knex,
    store,
    engine,
    closer,
    deleteObservations,
    trackers,
    clients,
    syncAndDieAfterCreate,
    notifications,
    logger,
    setEntity,
    removeEntity,
    importFindings,
    observations,
    observationOf,
    assess,
    sync,
    makeDue,
  };
}
