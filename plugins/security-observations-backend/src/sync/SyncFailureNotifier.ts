import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';

/** A persistent sync failure of one observation. */
export interface SyncFailure {
  entityRef: string;
  /** What kind of failure: one notification per entity and problem. */
  problem: string;
  message: string;
  attempts: number;
}

/** Owners hear again about a problem that lasts, at most once a day. */
const REPEAT_AFTER_MS = 24 * 3_600_000;

/**
 * Tells an entity's owners, through Backstage notifications, that its
 * tracker sync keeps failing: one notification per entity and problem.
 * The notification's scope makes a later send update it instead of adding
 * another, and the store remembers what was sent, so a failure that lasts
 * for days is re-sent once a day, not every run. Once the entity syncs
 * again, the next failure is news again. A sync that is off by
 * configuration (no credentials, a tracker this backend does not support)
 * is not a failure and never reaches it.
 */
export class SyncFailureNotifier {
  constructor(
    private readonly options: {
      store: SecurityObservationsStore;
      notifications?: NotificationService;
      logger: LoggerService;
      clock?: () => Date;
    },
  ) {}

  async report(failures: SyncFailure[], recoveredEntityRefs: string[]) {
    const { store, notifications, logger } = this.options;
    const now = this.options.clock?.() ?? new Date();
    // Recovered: some observation synced, or was settled without a
    // failure (not pushed, or off by configuration: no news for anyone),
    // and none is failing any more (one that waits for its next attempt
    // still is).
    const stillFailing = await store.entitiesWithSyncFailures(
      recoveredEntityRefs,
    );
    for (const entityRef of recoveredEntityRefs) {
      if (!stillFailing.has(entityRef)) {
        await store.clearSyncNotifications(entityRef);
      }
    }

    const byProblem = new Map<string, SyncFailure & { count: number }>();
    for (const failure of failures) {
      const key = `${failure.entityRef}\u0000${failure.problem}`;
      const seen = byProblem.get(key);
      byProblem.set(key, { ...failure, count: (seen?.count ?? 0) + 1 });
    }
    for (const failure of byProblem.values()) {
      const last = await store.lastSyncNotification(
        failure.entityRef,
        failure.problem,
      );
      if (last && now.getTime() - last.sentAt.getTime() < REPEAT_AFTER_MS) {
        continue;
      }
      const { kind, namespace, name } = parseEntityRef(failure.entityRef);
      try {
        await notifications?.send({
          recipients: { type: 'entity', entityRef: failure.entityRef },
          payload: {
            title: `Security issues of ${name} are not reaching the tracker`,
            description: `${failure.count} observation${
              failure.count === 1 ? '' : 's'
            } failed to sync: ${failure.message}`,
            link: `/catalog/${namespace}/${kind.toLocaleLowerCase(
              'en-US',
            )}/${name}/security`,
            severity: 'high',
            topic: 'security-observations-sync',
            scope: `security-observations:sync:${failure.entityRef}:${failure.problem}`,
          },
        });
        await store.saveSyncNotification({
          entityRef: failure.entityRef,
          problem: failure.problem,
          message: failure.message,
          sentAt: now,
        });
      } catch (error) {
        logger.warn(
          `Could not notify the owners of ${failure.entityRef} about a sync failure: ${error}`,
        );
      }
    }
  }
}
