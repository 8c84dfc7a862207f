import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../src/core/poll.js';

/** A fake clock that checks advance by `checkMs` and sleeps by what they were asked. */
function clock(checkMs: number) {
  let now = 0;
  const sleeps: number[] = [];
  const checksAt: number[] = [];
  return {
    sleeps,
    checksAt,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    checkDoneAfter: (n: number) => async () => {
      checksAt.push(now);
      now += checkMs;
      return checksAt.length > n ? true : undefined;
    },
  };
}

/** What every poll below shares: checks 100 ms apart at first. */
const BASE = { label: 'x', timeoutMs: 60_000, initialDelayMs: 100 } as const;

describe('pollUntil', () => {
  it('waits from each answer, half as long again each round, up to maxDelayMs', async () => {
    const c = clock(40);
    await pollUntil({ ...BASE, check: c.checkDoneAfter(6), maxDelayMs: 300, sleep: c.sleep, now: c.now });
    expect(c.sleeps).toEqual([100, 150, 225, 300, 300, 300]);
    expect(c.checksAt).toEqual([0, 140, 330, 595, 935, 1275, 1615]);
  });

  it('gives up at the deadline, naming what it waited for', async () => {
    const c = clock(0);
    await expect(
      pollUntil({
        ...BASE,
        timeoutMs: 1_000,
        check: async () => undefined,
        maxDelayMs: 300,
        sleep: c.sleep,
        now: c.now,
      }),
    ).rejects.toThrow('x did not finish within 1 s');
    expect(c.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(1_000);
  });

  it('waitFirst: what was just read as not done is checked a wait later, not at once', async () => {
    const c = clock(40);
    await pollUntil({
      ...BASE,
      check: c.checkDoneAfter(2),
      maxDelayMs: 2_000,
      waitFirst: true,
      sleep: c.sleep,
      now: c.now,
    });
    expect(c.checksAt).toEqual([100, 240, 430]);
  });
});
