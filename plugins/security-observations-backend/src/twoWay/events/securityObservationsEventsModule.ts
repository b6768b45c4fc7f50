import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { eventsExtensionPoint } from '@backstage/plugin-events-node/alpha';
import Router from 'express-promise-router';
import { rateLimited } from '../../router/rateLimit/rateLimited';
import { readRateLimits } from '../../router/rateLimit/readRateLimits';
import { webhookSenderOf } from '../../router/rateLimit/requestSubjects';
import { RequestRateLimiter } from '../../router/rateLimit/RequestRateLimiter';
import { readTrackersConfig } from '../../sync/routing/TrackerConfig';
import { TRACKER_TYPES } from '../../sync/trackers/trackerTypes';
import { TrackerKind } from '../../sync/trackers/TrackerType';
import { webhookTopic } from '../webhooks/trackerWebhooks';
import { createWebhookValidator } from './createWebhookValidator';
import { WebhookDeliveries } from './WebhookDeliveries';

/**
 * The events backend module of Security Observations: one HTTP ingress
 * topic per kind of tracker (`POST /api/events/http/security-observations.github`,
 * `.gitlab`, `.jira`), with validators that check each tracker's own
 * secret in constant time, refuse everything when none is configured,
 * and refuse replays. Each topic is rate limited per sender address
 * (`securityObservations.rateLimits.webhooks`), before anything else is
 * done with a delivery. The stock GitHub and GitLab modules do not do all
 * of that, and there is no Jira module. The backend plugin subscribes to
 * the topics.
 *
 * @public
 */
export const securityObservationsEventsModule = createBackendModule({
  pluginId: 'events',
  moduleId: 'security-observations-webhooks',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        events: eventsExtensionPoint,
        httpRouter: coreServices.httpRouter,
        logger: coreServices.logger,
      },
      async init({ config, database, events, httpRouter, logger }) {
        const trackers = readTrackersConfig(config);
        const { webhooks } = readRateLimits(config);
        const deliveries = await WebhookDeliveries.create(database);
        // The events plugin's router, ahead of its ingress routes: a module
        // is initialized before its plugin.
        const limits = Router();
        httpRouter.use(limits);
        for (const kind of Object.keys(TRACKER_TYPES) as TrackerKind[]) {
          limits.post(
            `/http/${webhookTopic(kind)}`,
            rateLimited({
              limiter: new RequestRateLimiter({
                limit: webhooks.requestsPerMinute,
              }),
              what: 'webhook deliveries',
              subjectOf: webhookSenderOf(kind),
            }),
          );
          events.addHttpPostIngress({
            topic: webhookTopic(kind),
            validator: createWebhookValidator({
              kind,
              trackers,
              deliveries,
              logger,
            }),
          });
        }
      },
    });
  },
});
