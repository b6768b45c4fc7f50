import { LoggerService } from '@backstage/backend-plugin-api';
import { EventParams, EventsService } from '@backstage/plugin-events-node';
import { TrackerConfig } from '../sync/routing/TrackerConfig';
import { TRACKER_TYPES } from '../sync/trackers/trackerTypes';
import { TrackerKind } from '../sync/trackers/TrackerType';
import { VERIFIED_TRACKERS_HEADER } from './events/createWebhookValidator';
import { TrackerActivityService } from './TrackerActivityService';
import {
  kindOfTopic,
  TRACKER_WEBHOOKS,
  webhookTopic,
  webhookTrackers,
} from './webhooks/trackerWebhooks';

/**
 * Subscribes to the webhook topics of the events module. Deliveries reach
 * it only after the module's validators checked their signature and that
 * they are not replays; it turns them into tracker activities and applies
 * them. A delivery about an issue no observation links to changes nothing.
 */
export async function subscribeToTrackerWebhooks(options: {
  events: EventsService;
  trackers: TrackerConfig[];
  activities: TrackerActivityService;
  logger: LoggerService;
}): Promise<void> {
  const { events, trackers, activities, logger } = options;
  await events.subscribe({
    id: 'security-observations-tracker-webhooks',
    topics: (Object.keys(TRACKER_TYPES) as TrackerKind[]).map(webhookTopic),
    async onEvent(params: EventParams) {
      const kind = kindOfTopic(params.topic);
      if (!kind) return;
      const webhook = TRACKER_WEBHOOKS[kind];
      // Only the trackers whose secret signed it (the validator says which);
      // an event without that word (not from our ingress) changes nothing.
      const signedBy = String(
        params.metadata?.[VERIFIED_TRACKERS_HEADER] ?? '',
      ).split(',');
      const candidates = webhookTrackers(
        trackers,
        kind,
        webhook.hostOf(params.eventPayload),
      ).filter(tracker => signedBy.includes(tracker.id));
      if (candidates.length === 0) {
        logger.warn(
          `Ignored a ${kind} webhook event that no configured tracker's secret verified`,
        );
        return;
      }
      const outcomes = await activities.apply({
        trackerIds: candidates.map(tracker => tracker.id),
        activities: webhook.activitiesOf(
          params.metadata ?? {},
          params.eventPayload,
        ),
        now: new Date(),
      });
      if (outcomes.length > 0) {
        logger.info(
          `A ${kind} webhook changed ${outcomes.length} observation(s)`,
        );
      }
    },
  });
}
