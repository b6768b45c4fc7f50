import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { CommentPusher } from '../twoWay/CommentPusher';
import { DeletedIssueCloser } from './DeletedIssueCloser';
import { SyncEngine } from './SyncEngine';

export const TRACKER_SYNC_TASK_ID = 'security-observations:tracker-sync';

/** The default schedule: every 5 minutes, at most 10 minutes a run. */
export const DEFAULT_SYNC_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 5 },
  timeout: { minutes: 10 },
  initialDelay: { seconds: 15 },
};

/**
 * Runs the tracker sync on Backstage's scheduler in global scope: replicas
 * sharing one database take turns, one run at a time. Returns a trigger
 * for "Sync now" that starts a run as soon as possible.
 */
export async function scheduleTrackerSync(options: {
  scheduler: SchedulerService;
  engine: SyncEngine;
  /** Pushes Security-tab comments to issues after each run (two-way sync). */
  commentPusher?: CommentPusher;
  /** Closes the issues of observations an admin deleted, after each run. */
  deletedIssueCloser?: DeletedIssueCloser;
  logger: LoggerService;
  schedule?: SchedulerServiceTaskScheduleDefinition;
}): Promise<{ trigger(): Promise<void> }> {
  const { scheduler, engine, logger } = options;
  await scheduler.scheduleTask({
    id: TRACKER_SYNC_TASK_ID,
    ...(options.schedule ?? DEFAULT_SYNC_SCHEDULE),
    // Last: a configured `scope: local` would run it on every replica.
    scope: 'global',
    fn: async signal => {
      await engine.run({ signal });
      await options.deletedIssueCloser?.run({ signal });
      // After the sync: a new issue can take the comments waiting for it.
      await options.commentPusher?.run({ signal });
    },
  });
  return {
    async trigger() {
      try {
        await scheduler.triggerTask(TRACKER_SYNC_TASK_ID);
      } catch (error) {
        // A run in progress drains the queue, new entries included.
        if ((error as Error).name !== ConflictError.name) {
          logger.warn(`Could not start the tracker sync now: ${error}`);
        }
      }
    },
  };
}
