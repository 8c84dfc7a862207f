import { describe, expect, it } from 'vitest';
import { retryAfterSeconds, TokenBucket } from '../../bench/lib/token-bucket.js';

/** A clock the test moves by hand: the bucket is pure arithmetic on it. */
function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TokenBucket', () => {
  it('admits a full burst at once, then refuses with the wait for the next token', () => {
    const time = clock();
    const bucket = new TokenBucket({ ratePerSecond: 40, burst: 40, now: time.now });
    for (let i = 0; i < 40; i++) expect(bucket.take()).toEqual({ admitted: true });
    const refused = bucket.take();
    expect(refused.admitted).toBe(false);
    expect(refused.admitted === false && refused.retryAfterMs).toBeCloseTo(25, 6);
  });

  it('refills at the rate: one token every 25 ms at 40/s', () => {
    const time = clock();
    const bucket = new TokenBucket({ ratePerSecond: 40, burst: 1, now: time.now });
    expect(bucket.take().admitted).toBe(true);
    time.advance(10);
    const early = bucket.take();
    expect(early.admitted === false && early.retryAfterMs).toBeCloseTo(15, 6);
    time.advance(15);
    expect(bucket.take().admitted).toBe(true);
  });

  it('lets a steady client at the rate through and holds one above it to the rate', () => {
    const steady = clock();
    const atRate = new TokenBucket({ ratePerSecond: 40, burst: 40, now: steady.now });
    let admitted = 0;
    for (let i = 0; i < 4000; i++, steady.advance(25)) if (atRate.take().admitted) admitted++;
    expect(admitted).toBe(4000);

    const fast = clock();
    const above = new TokenBucket({ ratePerSecond: 40, burst: 40, now: fast.now });
    admitted = 0;
    // 100 requests a second for 10 s: the burst, then 40 a second.
    for (let i = 0; i < 1000; i++, fast.advance(10)) if (above.take().admitted) admitted++;
    expect(admitted).toBeGreaterThanOrEqual(40 + 399);
    expect(admitted).toBeLessThanOrEqual(40 + 400);
  });

  it('saves up no more than the burst, however long it idles', () => {
    const time = clock();
    const bucket = new TokenBucket({ ratePerSecond: 40, burst: 5, now: time.now });
    time.advance(60_000);
    const results = Array.from({ length: 7 }, () => bucket.take().admitted);
    expect(results).toEqual([true, true, true, true, true, false, false]);
  });

  it('takes no token for a refusal, so retrying early does not push others back', () => {
    const time = clock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 1, now: time.now });
    bucket.take();
    for (let i = 0; i < 5; i++) expect(bucket.take().admitted).toBe(false);
    time.advance(100);
    expect(bucket.take().admitted).toBe(true);
  });

  it('refuses a rate or burst it cannot honour', () => {
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1, now: Date.now })).toThrow(/positive rate/);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0, now: Date.now })).toThrow(
      /burst of at least 1/,
    );
  });
});

describe('retryAfterSeconds', () => {
  it('is whole seconds, rounded up, at least 1', () => {
    expect(retryAfterSeconds(25)).toBe(1);
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
  });
});
