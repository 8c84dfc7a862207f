import { describe, expect, it } from 'vitest';
import { Deadline } from '../../src/core/deadline.js';
import { TimeoutError } from '../../src/core/errors.js';

describe('Deadline', () => {
  it('is used up when no time is left, and check names the step and how its last attempt ended', () => {
    let now = 1_000;
    const deadline = new Deadline(60_000, () => now);
    expect(deadline.usedUp()).toBe(false);
    expect(() => deadline.check('Reading Neon branch', 'ECONNRESET')).not.toThrow();
    now += 60_000;
    expect(deadline.usedUp()).toBe(true);
    expect(() => deadline.check('Reading Neon branch', 'ECONNRESET')).toThrowError(TimeoutError);
    expect(() => deadline.check('Reading Neon branch', 'ECONNRESET')).toThrowError(
      "Reading Neon branch did not finish within the run's budget of 1 minute (timeout-minutes); the last attempt: ECONNRESET",
    );
    expect(() => deadline.check('Listing branches')).toThrowError(
      /^Listing branches did not finish within .*minutes\)$/,
    );
  });

  it('stands still while a wait outside the budget runs', async () => {
    let now = 0;
    const deadline = new Deadline(1_000, () => now);
    await deadline.excluding(async () => {
      now += 5_000;
    });
    expect(deadline.usedUp()).toBe(false);
    expect(deadline.remainingMs()).toBe(1_000);
  });
});
