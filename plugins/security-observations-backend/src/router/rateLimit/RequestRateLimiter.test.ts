import { RequestRateLimiter } from './RequestRateLimiter';

describe('RequestRateLimiter', () => {
  let now = Date.parse('2026-12-07T10:00:00Z');
  const limiter = () => new RequestRateLimiter({ limit: 3, now: () => now });

  it('refuses the request after the limit until the window ends, and says when that is', () => {
    const limits = limiter();
    expect([1, 2, 3].map(() => limits.take('service:ci').allowed)).toEqual([
      true,
      true,
      true,
    ]);
    now += 20_500;
    expect(limits.take('service:ci')).toEqual({
      allowed: false,
      retryAfterSeconds: 40,
    });
    now += 39_499;
    expect(limits.take('service:ci')).toEqual({
      allowed: false,
      retryAfterSeconds: 1,
    });
    now += 1;
    expect(limits.take('service:ci').allowed).toBe(true);
  });

  it('counts each caller on its own', () => {
    const limits = limiter();
    for (let i = 0; i < 3; i += 1) limits.take('service:ci');
    expect(limits.take('service:ci').allowed).toBe(false);
    expect(limits.take('user:default/alice').allowed).toBe(true);
  });
});
