import { mockServices } from '@backstage/backend-test-utils';
import { DefaultEventsService } from '@backstage/plugin-events-node';
import {
  createSyncHarness,
  SyncHarnessOptions,
} from '../../sync/__testUtils__/syncHarness';
import { WebhookDelivery } from '../../sync/__testUtils__/trackersUnderTest/TrackerUnderTest';
import { CommentPusher } from '../CommentPusher';
import { createWebhookValidator } from '../events/createWebhookValidator';
import { WebhookDeliveries } from '../events/WebhookDeliveries';
import { Reconciler } from '../Reconciler';
import { TrackerActivityService } from '../TrackerActivityService';
import { subscribeToTrackerWebhooks } from '../TrackerWebhookSubscriber';
import { webhookTopic } from '../webhooks/trackerWebhooks';

/** The webhook secret the tests' trackers sign with. */
export const WEBHOOK_SECRET = 'whsec-3f9a1c7e5b2d48e0a6c1';

/** What a delivery got from the events backend's ingress. */
export interface IngressAnswer {
  status: number;
  payload?: unknown;
}

/**
 * The sync harness plus the two-way sync as the plugin wires it: the
 * events module's validator (over a real delivery table), the events
 * service with the plugin's subscriber, the reconciliation and the comment
 * pusher. `post` hands a delivery to the ingress as Backstage's events
 * backend does: the validator first, then, when it accepts, the
 * subscribers (awaited, as the local event bus does).
 */
export async function createTwoWayHarness(
  options: SyncHarnessOptions & { requireApproval?: boolean },
) {
  const sync = await createSyncHarness(options);
  const { knex, store, trackers, clients, logger } = sync;
  const auditor = mockServices.auditor.mock();
  const activities = new TrackerActivityService({
    store,
    trackers,
    clients,
    requireApproval: options.requireApproval ?? false,
    auditor,
    logger,
  });
  const events = DefaultEventsService.create({ logger });
  await subscribeToTrackerWebhooks({ events, trackers, activities, logger });
  const deliveries = await WebhookDeliveries.create({
    getClient: async () => knex,
  });
  const reconciler = new Reconciler({
    store,
    clients,
    activities,
    logger,
    maxIssuesPerRun: 500,
  });
  const commentPusher = new CommentPusher({ store, trackers, clients, logger });

  /** Posts a delivery to the topic of the tracker's kind. */
  const post = async (
    trackerId: string,
    delivery: WebhookDelivery,
  ): Promise<IngressAnswer> => {
    const kind = trackers.find(tracker => tracker.id === trackerId)!.type;
    const validator = createWebhookValidator({
      kind,
      trackers,
      deliveries,
      logger,
    });
    const headers: Record<string, string | undefined> = {
      ...delivery.headers,
    };
    const body = JSON.parse(delivery.body);
    let rejected: IngressAnswer | undefined;
    await validator(
      {
        body,
        headers,
        raw: { body: Buffer.from(delivery.body, 'utf8'), encoding: 'utf-8' },
      },
      {
        reject: details => {
          rejected = {
            status: details?.status ?? 403,
            payload: details?.payload,
          };
        },
      },
    );
    if (rejected) return rejected;
    await events.publish({
      topic: webhookTopic(kind),
      eventPayload: body,
      metadata: headers,
    });
    return { status: 202 };
  };

  /** Comments of the observation, oldest first. */
  const commentsOf = (observationId: string) =>
    store.listComments(observationId);

  /** Audit entries of the observation, oldest first. */
  const eventsOf = (observationId: string) => store.listEvents(observationId);

  return {
    ...sync,
    auditor,
    activities,
    reconciler,
    commentPusher,
    post,
    commentsOf,
    eventsOf,
  };
}
