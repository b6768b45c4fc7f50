import { LoggerService } from '@backstage/backend-plugin-api';
import {
  RequestDetails,
  RequestValidationContext,
  RequestValidator,
} from '@backstage/plugin-events-node';
import { TrackerConfig } from '../../sync/routing/TrackerConfig';
import { TrackerKind } from '../../sync/trackers/TrackerType';
import {
  TRACKER_WEBHOOKS,
  webhookTopic,
  webhookTrackers,
} from '../webhooks/trackerWebhooks';
import { WebhookPayloadError } from '../webhooks/TrackerWebhook';
import { WebhookDeliveries } from './WebhookDeliveries';

/**
 * Headers that carry the secret itself (GitLab's token) or a signature of
 * the body (which a debug log of the event would hand to whoever reads
 * it, for a replay): dropped once checked.
 */
const SIGNATURE_HEADERS = [
  'x-gitlab-token',
  'x-hub-signature-256',
  'x-hub-signature',
];

/** What a refused sender is told: nothing of which trackers or hosts are set up. */
const NOT_SIGNED =
  'the delivery is not signed with a webhook secret this Backstage accepts';

/**
 * Set by the validator on an accepted delivery: the ids of the trackers
 * whose secret signed it, so the subscriber applies it to their issues
 * only (the holder of one tracker's secret cannot speak for another's).
 * A sender's own header of that name is dropped first.
 */
export const VERIFIED_TRACKERS_HEADER = 'x-security-observations-trackers';

const headerValue = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value[0] : value;

/**
 * The validator of one kind's webhook topic. A delivery passes when a
 * two-way tracker of that kind, on the host its payload names, has a
 * secret that signs it (checked on the raw body, in constant time), its
 * payload is one we can read, and its delivery id is new. Everything else
 * is refused and reaches no subscriber: no secret configured (401), a
 * missing or wrong signature (401), a malformed payload (400), a missing
 * delivery id (400), a replay (409).
 */
export function createWebhookValidator(options: {
  kind: TrackerKind;
  trackers: TrackerConfig[];
  deliveries: WebhookDeliveries;
  logger: LoggerService;
  now?: () => Date;
}): RequestValidator {
  const { kind, trackers, deliveries, logger } = options;
  const webhook = TRACKER_WEBHOOKS[kind];
  const topic = webhookTopic(kind);
  /** Refuses with `message`; the log says `why` when the sender is told less. */
  const refuse = (
    context: RequestValidationContext,
    status: number,
    message: string,
    why = message,
  ) => {
    logger.warn(`Refused a ${kind} webhook delivery: ${why}`);
    context.reject({ status, payload: { error: { message } } });
  };

  return async (request: RequestDetails, context: RequestValidationContext) => {
    delete request.headers[VERIFIED_TRACKERS_HEADER];
    const host = webhook.hostOf(request.body);
    const secrets = webhookTrackers(trackers, kind, host).flatMap(tracker => {
      const secret = tracker.twoWay!.webhookSecret();
      return secret ? [{ trackerId: tracker.id, secret }] : [];
    });
    if (secrets.length === 0) {
      refuse(
        context,
        401,
        NOT_SIGNED,
        `no ${kind} tracker${
          host ? ` on ${host}` : ''
        } has twoWay and a webhookSecret configured, so no delivery is accepted`,
      );
      return;
    }
    // Every secret is tried, so the time taken does not say which matched.
    const signedBy = secrets
      .filter(({ secret }) =>
        webhook.verify(request.raw.body, request.headers, secret),
      )
      .map(({ trackerId }) => trackerId);
    for (const header of SIGNATURE_HEADERS) delete request.headers[header];
    if (signedBy.length === 0) {
      refuse(
        context,
        401,
        NOT_SIGNED,
        `the signature is missing or matches no webhook secret of a ${kind} tracker${
          host ? ` on ${host}` : ''
        }`,
      );
      return;
    }
    try {
      webhook.activitiesOf(request.headers, request.body);
    } catch (error) {
      if (!(error instanceof WebhookPayloadError)) throw error;
      refuse(
        context,
        400,
        `the payload is not a ${kind} webhook payload: ${error.message}`,
      );
      return;
    }
    const deliveryId = headerValue(request.headers[webhook.deliveryIdHeader]);
    if (!deliveryId) {
      refuse(context, 400, `the ${webhook.deliveryIdHeader} header is missing`);
      return;
    }
    const now = options.now?.() ?? new Date();
    // Ids are unique per tracker site (Jira's per site): kept per host.
    // The id is not signed, so a captured delivery could come again under
    // a new one; that changes nothing, because a status is applied only
    // when it differs from the one stored and is not older than it, and a
    // comment only when its text is newer.
    const keys = [`${host ?? ''}:${deliveryId}`.slice(0, 255)];
    if (!(await deliveries.firstTime(topic, keys, now))) {
      refuse(context, 409, `the delivery ${deliveryId} was received before`);
      return;
    }
    // The headers are the event's metadata: the subscriber reads this.
    request.headers[VERIFIED_TRACKERS_HEADER] = signedBy.join(',');
  };
}
