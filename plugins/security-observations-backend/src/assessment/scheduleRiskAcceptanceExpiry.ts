import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { SecurityObservationsStore } from '../database/SecurityObservationsStore';

/**
 * Every 15 minutes, on one backend instance at a time (global scope, so
 * replicas on one database share the task), expired risk acceptances go
 * back to open.
 */
export async function scheduleRiskAcceptanceExpiry(options: {
  scheduler: SchedulerService;
  store: SecurityObservationsStore;
  logger: LoggerService;
}) {
  const { scheduler, store, logger } = options;
  await scheduler.scheduleTask({
    id: 'security-observations:expire-risk-acceptances',
    scope: 'global',
    frequency: { minutes: 15 },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 30 },
    fn: async () => {
      const expired = await store.expireRiskAcceptances(new Date());
      if (expired > 0) {
        logger.info(
          `Reopened ${expired} observations whose risk acceptance expired`,
        );
      }
    },
  });
}
