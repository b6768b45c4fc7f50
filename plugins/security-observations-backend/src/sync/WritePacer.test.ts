import { Clock, WritePacer } from './WritePacer';

/** A clock that only moves when someone sleeps. */
function virtualClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async ms => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('WritePacer', () => {
  it('keeps every sliding window at or below its limit, and waits no longer than needed', async () => {
    const clock = virtualClock();
    const pacer = new WritePacer(
      [
        { limit: 80, windowMs: 60_000 },
        { limit: 500, windowMs: 3_600_000 },
      ],
      clock,
    );
    const starts: number[] = [];
    for (let i = 0; i < 1000; i++) {
      await pacer.acquire();
      starts.push(clock.now());
    }
    for (let i = 0; i < starts.length; i++) {
      const inMinute = starts.filter(
        t => t > starts[i] - 60_000 && t <= starts[i],
      );
      const inHour = starts.filter(
        t => t > starts[i] - 3_600_000 && t <= starts[i],
      );
      expect(inMinute.length).toBeLessThanOrEqual(80);
      expect(inHour.length).toBeLessThanOrEqual(500);
    }
    // Bursts of 80 a minute up to 500, the 501st once the hour after the
    // first has passed: the limits' bound, plus a 2% margin per window.
    expect(starts[79]).toBe(0);
    expect(starts[80]).toBe(61_200);
    expect(starts[500]).toBe(3_672_000);
    expect(starts[999]).toBe(3_672_000 + 6 * 61_200);
  });

  it('counts operations of an earlier process', async () => {
    const clock = virtualClock();
    const pacer = new WritePacer([{ limit: 2, windowMs: 1000 }], clock, [0, 0]);
    // A second's window plus its margin: 50 ms, more than 2% of it.
    expect(pacer.delay()).toBe(1050);
    await pacer.acquire();
    expect(clock.now()).toBe(1050);
  });

  it('counts what other replicas recorded, and its own unrecorded operations, once each', async () => {
    const clock = virtualClock();
    const pacer = new WritePacer([{ limit: 5, windowMs: 10_000 }], clock);
    const recorded = await pacer.acquire(); // t=0, recorded by the engine
    await clock.sleep(1000);
    await pacer.acquire(); // t=1000: timed out, yet happened: no record
    // Another replica's creations at 2000 and 2500, and this one's record.
    pacer.reseed([recorded, 2000, 2500]);
    // 0, 1000, 2000 and 2500: one slot left, then a full window.
    expect(pacer.delay()).toBe(0);
    await pacer.acquire();
    expect(pacer.delay()).toBe(10_200 - clock.now());
  });

  it('lets a waiting caller give up', async () => {
    const clock: Clock = {
      now: () => 0,
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          if (signal?.aborted) reject(signal.reason);
          signal?.addEventListener('abort', () => reject(signal.reason));
        }),
    };
    const pacer = new WritePacer([{ limit: 1, windowMs: 1000 }], clock);
    await pacer.acquire();
    const controller = new AbortController();
    const waiting = pacer.acquire(controller.signal);
    controller.abort(new Error('run ended'));
    await expect(waiting).rejects.toThrow('run ended');
  });
});
