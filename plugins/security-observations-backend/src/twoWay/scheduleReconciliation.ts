import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Reconciler } from './Reconciler';

export const RECONCILE_TASK_ID = 'security-observations:tracker-reconcile';

/** The default schedule: every 15 minutes, at most 10 minutes a run. */
export const DEFAULT_RECONCILE_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { minutes: 15 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 1 },
  };

/** Runs the reconciliation on Backstage's scheduler, in global scope. */
export async function scheduleReconciliation(options: {
  scheduler: SchedulerService;
  reconciler: Reconciler;
  logger: LoggerService;
  schedule?: SchedulerServiceTaskScheduleDefinition;
}): Promise<void> {
  const { scheduler, reconciler, logger } = options;
  await scheduler.scheduleTask({
    id: RECONCILE_TASK_ID,
    ...(options.schedule ?? DEFAULT_RECONCILE_SCHEDULE),
    // Last: a configured `scope: local` would run it on every replica.
    scope: 'global',
    fn: async signal => {
      const result = await reconciler.run({ signal });
      const changed = result.items.length;
      if (result.checked > 0 || result.problems.length > 0) {
        logger.info(
          `Tracker reconciliation: ${
            result.checked
          } issues read, ${changed} changed${
            result.problems.length
              ? `; ${result.problems
                  .map(problem => `${problem.trackerId}: ${problem.message}`)
                  .join('; ')}`
              : ''
          }`,
        );
      }
    },
  });
}
