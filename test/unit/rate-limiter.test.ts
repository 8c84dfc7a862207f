import { describe, expect, it } from 'vitest';
import { NEON_RATE_LIMITS, RateLimiter, type RateLimits, type Ticket } from '../../src/core/rate-limiter.js';

const FORTY: RateLimits = { pace: { ratePerSecond: 40, burst: 20 } };

/** A limiter on a fake clock that only its own sleeps move: no timers, no real time. */
function limiterWith(limits: RateLimits, extra: { minPace?: number; recoveryPerRequest?: number } = {}) {
  const clock = { now: 1_700_000_000_000 };
  const start = clock.now;
  const sleeps: number[] = [];
  const limiter = new RateLimiter({
    limits,
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
    ...extra,
  });
  /** `count` requests asked for at once; when each was let through, in ms from the start. */
  const times = async (count: number) =>
    (await Promise.all(Array.from({ length: count }, () => limiter.acquire()))).map((t) => t.at - start);
  return { limiter, clock, start, sleeps, times };
}

describe('pacing', () => {
  it('lets a burst through at once, then one request per 1/rate', async () => {
    const { times } = limiterWith(FORTY);

    const at = await times(24);

    expect(at.slice(0, 20)).toEqual(Array(20).fill(0));
    expect(at.slice(20)).toEqual([25, 50, 75, 100]);
  });

  it('takes a token from every bucket: the slower one binds once its own burst is spent', async () => {
    const { times } = limiterWith({
      pace: { ratePerSecond: 10, burst: 2 },
      budgets: [{ ratePerSecond: 1, burst: 4 }],
    });

    const at = await times(6);

    // Two at once, two more at the per-second pace; then the per-minute-like bucket is empty.
    expect(at).toEqual([0, 0, 100, 200, 1000, 2000]);
  });

  it('never lets more through in any window than the burst plus the rate allow, however many wait', async () => {
    const { times } = limiterWith(NEON_RATE_LIMITS);

    const at = await times(1_000);

    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (const { ratePerSecond, burst } of [NEON_RATE_LIMITS.pace, ...(NEON_RATE_LIMITS.budgets ?? [])]) {
      for (let i = 0; i < at.length; i += 1) {
        for (let j = i; j < at.length; j += 1) {
          const windowMs = (at[j] as number) - (at[i] as number);
          if (j - i + 1 > burst + (windowMs * ratePerSecond) / 1000 + 1e-6) {
            throw new Error(
              `${j - i + 1} requests in ${windowMs} ms exceed ${ratePerSecond}/s, burst ${burst}`,
            );
          }
        }
      }
    }
    // 20 at once, then 40 a second until the 700 of the minute are spent, then 700 a minute.
    expect(at[19]).toBe(0);
    expect(at[20]).toBe(25);
  });
});

describe('429 and Retry-After', () => {
  it('holds everyone back until Retry-After has passed, lets one go then, and halves the pace', async () => {
    const { limiter, clock, start, times } = limiterWith(FORTY);
    const first = await limiter.acquire();

    limiter.throttled(first, 3_000);
    const at = await times(3);

    expect(limiter.pace).toBe(0.5);
    expect(at).toEqual([3_000, 3_050, 3_100]);
    expect(clock.now - start).toBe(3_100);
  });

  it('without Retry-After slows down and lets the next request go at the slower pace', async () => {
    const { limiter, times } = limiterWith(FORTY);
    const first = await limiter.acquire();

    limiter.throttled(first);
    const at = await times(3);

    expect(limiter.pace).toBe(0.5);
    expect(at).toEqual([0, 50, 100]);
  });

  it('halves once for the requests that were already in flight, again for one sent after', async () => {
    const { limiter } = limiterWith(FORTY);
    const inFlight: Ticket[] = await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);

    for (const ticket of inFlight) limiter.throttled(ticket, 1_000);
    expect(limiter.pace).toBe(0.5);

    const later = await limiter.acquire();
    limiter.throttled(later, 1_000);
    expect(limiter.pace).toBe(0.25);
  });

  it('wins the pace back as answers come in, up to the full rate and no further', async () => {
    const { limiter } = limiterWith(FORTY, { recoveryPerRequest: 0.1 });
    limiter.throttled(await limiter.acquire());
    expect(limiter.pace).toBe(0.5);

    for (let i = 0; i < 3; i += 1) limiter.succeeded();
    expect(limiter.pace).toBeCloseTo(0.5 * 1.1 ** 3);
    for (let i = 0; i < 10; i += 1) limiter.succeeded();
    expect(limiter.pace).toBe(1);
  });

  it('never slows below minPace', async () => {
    const { limiter } = limiterWith(FORTY, { minPace: 0.25 });
    for (let i = 0; i < 5; i += 1) limiter.throttled(await limiter.acquire(), 1_000);
    expect(limiter.pace).toBe(0.25);
  });

  it('empties the budgets on a 429: after the wait, requests go at the budget rate, not from its savings', async () => {
    const { limiter, start, times } = limiterWith({
      pace: { ratePerSecond: 10, burst: 1 },
      budgets: [{ ratePerSecond: 2, burst: 50 }],
    });
    const first = await limiter.acquire();

    limiter.throttled(first, 1_000);
    const at = (await times(5)).map((ms) => ms + start - first.at);

    // The budget had 49 saved up; from empty at the 429 it has 2 by the end of the wait, which
    // go at the halved pace (5 a second); the rest one per 500 ms, the budget's rate (to the whole
    // millisecond a sleep is rounded up to).
    const expected = [1_000, 1_200, 1_500, 2_000, 2_500];
    expect(at.map((ms, i) => Math.abs(ms - (expected[i] as number)) <= 1)).toEqual(Array(5).fill(true));
  });

  it('empties the budgets once for the requests already in flight, not again for each', async () => {
    const { limiter, clock, start, times } = limiterWith({
      pace: { ratePerSecond: 10, burst: 5 },
      budgets: [{ ratePerSecond: 1, burst: 50 }],
    });
    const inFlight: Ticket[] = await Promise.all([limiter.acquire(), limiter.acquire()]);

    limiter.throttled(inFlight[0] as Ticket);
    clock.now += 3_000;
    // An answer to a request sent before the slow-down: the 3 tokens earned since stay.
    limiter.throttled(inFlight[1] as Ticket);
    const at = await times(3);

    expect(at).toEqual([3_000, 3_200, 3_400]);
    expect(clock.now - start).toBe(3_400);
  });

  it('a longer Retry-After extends the wait, a shorter one does not cut it', async () => {
    const { limiter, times } = limiterWith(FORTY);
    const [a, b] = await Promise.all([limiter.acquire(), limiter.acquire()]);

    limiter.throttled(a as Ticket, 5_000);
    limiter.throttled(b as Ticket, 1_000);

    expect((await times(1))[0]).toBe(5_000);
  });
});

describe('configuration', () => {
  it.each([
    [{ ratePerSecond: 0, burst: 1 }],
    [{ ratePerSecond: 10, burst: 0 }],
    [{ ratePerSecond: Number.NaN, burst: 5 }],
  ])('refuses %j', (limit) => {
    expect(() => limiterWith({ pace: { ratePerSecond: 40, burst: 20 }, budgets: [limit] })).toThrow(
      'A rate limit needs a positive rate and a burst of at least 1',
    );
  });

  it("models Neon's documented limit: 40 a second (half of it at once) and 700 a minute", () => {
    expect(NEON_RATE_LIMITS).toEqual({
      pace: { ratePerSecond: 40, burst: 20 },
      budgets: [{ ratePerSecond: 700 / 60, burst: 700 }],
    });
  });
});
