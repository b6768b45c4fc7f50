import { systemClock } from '../WritePacer';
import { retryDelayMs, sendWithPolicy } from './requestPolicy';
import { TrackerError } from './TrackerError';

describe('retryDelayMs', () => {
  const now = Date.parse('2026-12-06T10:00:00Z');

  it.each([
    ['Retry-After in seconds', { 'retry-after': '30' }, 30_000],
    [
      'Retry-After as an HTTP date',
      { 'retry-after': 'Sun, 06 Dec 2026 10:00:45 GMT' },
      45_000,
    ],
    [
      'GitLab’s RateLimit-Reset in epoch seconds',
      { 'ratelimit-reset': String(now / 1000 + 20) },
      21_000,
    ],
    [
      'Jira’s X-RateLimit-Reset as an ISO time',
      { 'x-ratelimit-reset': '2026-12-06T10:01Z' },
      61_000,
    ],
    ['nothing to go by', {}, undefined],
  ])('reads %s', (_case, headers, expected) => {
    expect(retryDelayMs(new Headers(headers), now)).toBe(expected);
  });
});

describe('sendWithPolicy', () => {
  const policy = { clock: systemClock, retryBaseMs: 1, maxInlineWaitMs: 50 };
  const unavailable = new TrackerError(
    'unavailable',
    'GitLab could not create an issue: 502',
  );

  it('never sends a create again after a 5xx, which may have created the issue', async () => {
    const send = jest.fn().mockRejectedValue(unavailable);
    await expect(
      sendWithPolicy(policy, { idempotent: false }, send),
    ).rejects.toBe(unavailable);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('retries an idempotent request after a 5xx, and sits a short limit out once', async () => {
    const limited = new TrackerError('rate_limited', 'rate limited (429)', {
      retryAfterMs: 10,
    });
    const send = jest
      .fn()
      .mockRejectedValueOnce(unavailable)
      .mockRejectedValueOnce(limited)
      .mockResolvedValue('done');
    await expect(
      sendWithPolicy(policy, { idempotent: true }, send),
    ).resolves.toBe('done');
    expect(send).toHaveBeenCalledTimes(3);

    const long = new TrackerError('rate_limited', 'rate limited (429)', {
      retryAfterMs: 60_000,
    });
    const refused = jest.fn().mockRejectedValue(long);
    await expect(
      sendWithPolicy(policy, { idempotent: true }, refused),
    ).rejects.toBe(long);
    expect(refused).toHaveBeenCalledTimes(1);
  });
});
