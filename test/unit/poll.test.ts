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
  it('fromCheckStart: checks a steady 100 ms apart however long each one takes to answer', async () => {
    const c = clock(40);
    await pollUntil({
      ...BASE,
      check: c.checkDoneAfter(5),
      maxDelayMs: 2_000,
      steadyMs: 2_000,
      fromCheckStart: true,
      sleep: c.sleep,
      now: c.now,
    });
    expect(c.checksAt).toEqual([0, 100, 200, 300, 400, 500]);
    expect(c.sleeps).toEqual([60, 60, 60, 60, 60]);
  });

  it('without it, each wait starts when the answer came (the checks drift apart by the answer time)', async () => {
    const c = clock(40);
    await pollUntil({
      ...BASE,
      check: c.checkDoneAfter(3),
      maxDelayMs: 2_000,
      factor: 1,
      sleep: c.sleep,
      now: c.now,
    });
    expect(c.checksAt).toEqual([0, 140, 280, 420]);
  });

  it('backs off by the factor once steadyMs has passed, up to maxDelayMs', async () => {
    const c = clock(0);
    await pollUntil({
      ...BASE,
      check: c.checkDoneAfter(8),
      maxDelayMs: 300,
      steadyMs: 300,
      factor: 2,
      sleep: c.sleep,
      now: c.now,
    });
    expect(c.sleeps).toEqual([100, 100, 100, 200, 300, 300, 300, 300]);
  });

  it('waitFirst: what was just read as not done is checked a wait later, not at once', async () => {
    const c = clock(40);
    await pollUntil({
      ...BASE,
      check: c.checkDoneAfter(2),
      maxDelayMs: 2_000,
      steadyMs: 2_000,
      fromCheckStart: true,
      waitFirst: true,
      sleep: c.sleep,
      now: c.now,
    });
    expect(c.checksAt).toEqual([100, 200, 300]);
  });
});
