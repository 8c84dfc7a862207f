import { describe, expect, it } from 'vitest';
import { Deadline } from '../../src/core/deadline.js';
import { backoffMs, type RetryPolicy, type RetryVerdict, withRetry } from '../../src/core/retry.js';

const POLICY: RetryPolicy = { retries: 5, minTimeoutMs: 500, maxTimeoutMs: 10_000, maxRetryAfterMs: 60_000 };

class Refused extends Error {
  constructor(readonly verdict: RetryVerdict) {
    super('refused');
  }
}

/** `fn` fails with each verdict in turn, then answers 'done'; every wait is recorded, none is real. */
function run(verdicts: RetryVerdict[], options: { policy?: RetryPolicy; deadline?: Deadline } = {}) {
  const waits: number[] = [];
  let calls = 0;
  const result = withRetry(
    async () => {
      const verdict = verdicts[calls];
      calls += 1;
      if (verdict !== undefined) throw new Refused(verdict);
      return 'done';
    },
    {
      label: 'Step',
      policy: options.policy ?? POLICY,
      classify: (error) => (error instanceof Refused ? error.verdict : { retry: false }),
      sleep: async (ms) => {
        waits.push(ms);
      },
      log: () => {},
      deadline: options.deadline,
    },
  );
  return { result, waits, calls: () => calls };
}

const retryable: RetryVerdict = { retry: true };

describe('backoff', () => {
  it('doubles from minTimeoutMs, each wait jittered up to twice as long, and stops at maxTimeoutMs', () => {
    const low = [0, 1, 2, 3, 4, 5].map((n) => backoffMs(POLICY, n, () => 0));
    const high = [0, 1, 2, 3, 4, 5].map((n) => backoffMs(POLICY, n, () => 0.999_999));

    expect(low).toEqual([500, 1000, 2000, 4000, 8000, 10_000]);
    expect(high).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('waits nothing under a policy without backoff', () => {
    expect(backoffMs({ ...POLICY, minTimeoutMs: 0 }, 3)).toBe(0);
  });
});

describe('withRetry', () => {
  it('sends every wait through the injected sleep, growing within the jitter bounds up to the cap', async () => {
    const { result, waits } = run(Array(5).fill(retryable));

    expect(await result).toBe('done');
    expect(waits).toHaveLength(5);
    const bounds = [
      [500, 1000],
      [1000, 2000],
      [2000, 4000],
      [4000, 8000],
      [8000, 10_000],
    ];
    waits.forEach((wait, n) => {
      expect(wait).toBeGreaterThanOrEqual(bounds[n]?.[0] ?? Number.NaN);
      expect(wait).toBeLessThanOrEqual(bounds[n]?.[1] ?? Number.NaN);
    });
  });

  it('gives up after policy.retries retries, without a wait after the last attempt', async () => {
    const { result, waits, calls } = run(Array(9).fill(retryable), { policy: { ...POLICY, retries: 2 } });

    await expect(result).rejects.toThrow('refused');
    expect(calls()).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('does not retry or wait for what classify calls final', async () => {
    const { result, waits, calls } = run([{ retry: false }]);

    await expect(result).rejects.toThrow('refused');
    expect([calls(), waits]).toEqual([1, []]);
  });

  it('waits a Retry-After longer than the backoff once, in place of the backoff, not on top of it', async () => {
    const { result, waits } = run([{ retry: true, afterMs: 2000 }]);

    expect(await result).toBe('done');
    expect(waits).toEqual([2000]);
  });

  it('waits the backoff when it is longer than the Retry-After, and cuts a Retry-After to maxRetryAfterMs', async () => {
    const short = run([{ retry: true, afterMs: 1 }]);
    const long = run([{ retry: true, afterMs: 3_600_000 }]);

    await Promise.all([short.result, long.result]);
    expect(short.waits[0]).toBeGreaterThanOrEqual(500);
    expect(long.waits).toEqual([60_000]);
  });

  it('waits nothing of its own for an attempt held back elsewhere (the Neon limiter after a 429)', async () => {
    const { result, waits, calls } = run([{ retry: true, heldMs: 2000 }]);

    expect(await result).toBe('done');
    expect([calls(), waits]).toEqual([2, []]);
  });

  it('stops at once when a held wait or a Retry-After would outlast the budget', async () => {
    const deadline = new Deadline(1500, () => 0);
    const held = run([{ retry: true, heldMs: 2000 }], { deadline });
    const after = run([{ retry: true, afterMs: 2000 }], { deadline });

    await expect(held.result).rejects.toThrow("Step did not finish within the run's budget");
    await expect(after.result).rejects.toThrow("Step did not finish within the run's budget");
    expect([held.waits, after.waits]).toEqual([[], []]);
  });

  it('cuts the backoff to what is left of the budget', async () => {
    const deadline = new Deadline(300, () => 0);
    const { result, waits } = run([retryable], { deadline });

    expect(await result).toBe('done');
    expect(waits).toEqual([300]);
  });
});
