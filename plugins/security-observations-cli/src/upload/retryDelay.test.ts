import {
  backoffDelay,
  formatDelay,
  MAX_BACKOFF_MS,
  retryAfterDelay,
} from './retryDelay';

describe('backoffDelay', () => {
  it('doubles from one second, jittered by a fifth either way, capped at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(n => backoffDelay(n, () => 0.5))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect(backoffDelay(1, () => 0)).toBe(800);
    expect(backoffDelay(1, () => 0.999999)).toBe(1_200);
    expect(backoffDelay(20, () => 0.999999)).toBe(MAX_BACKOFF_MS);
    expect(backoffDelay(6, () => 0)).toBe(24_000);
  });
});

describe('retryAfterDelay', () => {
  const now = Date.parse('2026-12-07T10:00:00Z');

  it('reads seconds and HTTP dates, caps them at two minutes', () => {
    expect(retryAfterDelay('30', now)).toBe(30_000);
    expect(retryAfterDelay(' 0 ', now)).toBe(0);
    expect(retryAfterDelay('3600', now)).toBe(120_000);
    expect(retryAfterDelay('Mon, 07 Dec 2026 10:00:05 GMT', now)).toBe(5_000);
    // A date already past: retry now.
    expect(retryAfterDelay('Mon, 07 Dec 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read, so the backoff applies', () => {
    expect(retryAfterDelay(null, now)).toBeUndefined();
    expect(retryAfterDelay('soon', now)).toBeUndefined();
    expect(retryAfterDelay('-5', now)).toBeUndefined();
  });
});

describe('formatDelay', () => {
  it('reads as seconds', () => {
    expect(formatDelay(800)).toBe('0.8 s');
    expect(formatDelay(2_000)).toBe('2 s');
    expect(formatDelay(1_234)).toBe('1.2 s');
    expect(formatDelay(30_000)).toBe('30 s');
  });
});
