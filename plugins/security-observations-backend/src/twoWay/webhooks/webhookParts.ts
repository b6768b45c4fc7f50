import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookHeaders } from './TrackerWebhook';

/*
 * What the trackers' webhook parsers share: reading headers and payload
 * paths, checking an HMAC signature, and the host of a payload URL.
 */

/**
 * A header's value. A repeated header (an array) counts as missing: a
 * delivery carries each of its headers once, and a second signature or id
 * is not one to pick from.
 */
export function headerValue(
  headers: WebhookHeaders,
  name: string,
): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The value at a dotted path of a payload (`issue.fields.status.name`), or undefined. */
export function valueAt(payload: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, part) =>
        value !== null && typeof value === 'object'
          ? (value as Record<string, unknown>)[part]
          : undefined,
      payload,
    );
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * Whether `signature` (`sha256=<hex>`, as GitHub's `X-Hub-Signature-256`
 * and Jira's `X-Hub-Signature` carry it) is the HMAC-SHA256 of the raw
 * body with the secret, compared in constant time. False for a missing or
 * malformed signature and for an empty secret.
 */
export function hmacSha256Matches(
  rawBody: Buffer,
  signature: string | undefined,
  secret: string,
): boolean {
  const hex = SIGNATURE.exec(signature?.trim() ?? '')?.[1];
  if (!hex || !secret) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(hex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The host (with port) of a URL in a payload, or undefined. */
export function hostOfUrl(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
