import { TrackerActivity } from '../TrackerActivity';

/** Headers as Backstage's events backend hands them over: names lower-cased. */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** A delivery whose event we know but whose payload is not what the tracker documents. */
export class WebhookPayloadError extends Error {
  name = 'WebhookPayloadError';
}

/**
 * How one kind of tracker sends webhooks: how a delivery is signed and
 * identified, and what its payload says in tracker-neutral terms. Pure
 * functions, no I/O: the events module validates with them, the plugin
 * applies what `activitiesOf` returns.
 */
export interface TrackerWebhook {
  /** Lower-cased header carrying the delivery's id, for replay de-duplication. */
  deliveryIdHeader: string;
  /**
   * True when the delivery is signed with `secret`: an HMAC-SHA256 of the
   * raw body (GitHub `x-hub-signature-256`, Jira `x-hub-signature`) or the
   * secret itself (GitLab `x-gitlab-token`), compared in constant time.
   * False when the header is missing or malformed.
   */
  verify(rawBody: Buffer, headers: WebhookHeaders, secret: string): boolean;
  /**
   * The host of the tracker the payload comes from (`github.com`,
   * `gitlab.example.com`, `acme.atlassian.net`), read from the URLs in the
   * payload, so that with several trackers of a kind the right one's
   * secret is checked. Undefined when the payload names none.
   */
  hostOf(payload: unknown): string | undefined;
  /**
   * What the delivery says happened. Events we do not use (pull requests,
   * pushes, comments on merge requests, GitHub's ping) give `[]`; a
   * payload of an event we use that lacks what the tracker documents
   * throws `WebhookPayloadError` naming the missing part.
   */
  activitiesOf(headers: WebhookHeaders, payload: unknown): TrackerActivity[];
}
