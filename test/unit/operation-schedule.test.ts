import type { Operation } from '@neondatabase/api-client';
import { describe, expect, it } from 'vitest';
import { firstReadAt, waitBeforeRead, waitForOperations } from '../../src/neon/operations.js';

const quiet = { info: () => {}, warning: () => {}, debug: () => {} };

function op(id: string, action: string, status: string): Operation {
  return { id, action, status, project_id: 'p', branch_id: 'br-x' } as unknown as Operation;
}

describe('when a wait for Neon operations reads', () => {
  it("reads a create's operations half a round trip after their typical second", () => {
    const started = { answeredAt: 10_000, roundTripMs: 80 };
    const create = [{ action: 'create_branch' }, { action: 'start_compute' }];
    expect(firstReadAt(create, started)).toBe(10_000 + 1_000 - 40);
  });

  it('leads by at most a quarter of the typical length when the request took long (retried)', () => {
    const started = { answeredAt: 0, roundTripMs: 3_000 };
    expect(firstReadAt([{ action: 'start_compute' }], started)).toBe(750);
  });

  it('reads a password reset (apply_config) after about half a second', () => {
    expect(firstReadAt([{ action: 'apply_config' }], { answeredAt: 0, roundTripMs: 100 })).toBe(450);
  });

  it('has no first time for kinds it does not know: those are read after one dense wait', () => {
    expect(firstReadAt([{ action: 'suspend_compute' }], { answeredAt: 0, roundTripMs: 0 })).toBeUndefined();
    expect(waitBeforeRead(0, { now: 5, firstAt: undefined, denseMs: 50, maxMs: 2000 })).toBe(50);
  });

  it('waits until the first time, never less than one dense wait', () => {
    const schedule = { firstAt: 1_000, denseMs: 50, maxMs: 2000 };
    expect(waitBeforeRead(0, { ...schedule, now: 200 })).toBe(800);
    // The flow did other work meanwhile: the time has passed.
    expect(waitBeforeRead(0, { ...schedule, now: 3_000 })).toBe(50);
  });

  it('reads four times 50 ms apart after the first, then waits half as long again each round, up to the maximum', () => {
    const waits = Array.from({ length: 14 }, (_, n) =>
      waitBeforeRead(n + 1, { now: 0, firstAt: 0, denseMs: 50, maxMs: 2000 }),
    );
    expect(waits).toEqual([50, 50, 50, 50, 100, 150, 225, 338, 506, 759, 1139, 1709, 2000, 2000]);
  });
});

describe('waitForOperations on an injected clock', () => {
  it('reads two pending operations in one listing per round, the last one left by id', async () => {
    let clock = 0;
    const reads: number[] = [];
    const byId: string[] = [];
    const ends = { a: 1_020, b: 1_060 };
    const statusAt = (id: 'a' | 'b') => (clock >= ends[id] ? 'finished' : 'running');
    await waitForOperations(['a', 'b'], {
      read: async (id) => {
        byId.push(`${id}@${clock}`);
        return op(id, 'start_compute', statusAt(id as 'b'));
      },
      list: async () => {
        reads.push(clock);
        return [
          op('a', 'create_branch', statusAt('a')),
          op('b', 'start_compute', statusAt('b')),
          op('c', 'x', 'running'),
        ];
      },
      timeoutMs: 60_000,
      firstAt: 1_000,
      denseMs: 50,
      maxMs: 2_000,
      sleep: async (ms) => {
        clock += ms;
      },
      now: () => clock,
      log: quiet,
    });
    expect(reads).toEqual([1_000, 1_050]);
    expect(byId).toEqual(['b@1100']);
  });

  it('reads a single pending operation by id, without a listing', async () => {
    let clock = 0;
    const got: string[] = [];
    await waitForOperations(['a'], {
      read: async (id) => {
        got.push(id);
        return op(id, 'apply_config', clock >= 500 ? 'finished' : 'running');
      },
      list: async () => {
        throw new Error('listed');
      },
      timeoutMs: 60_000,
      firstAt: 480,
      denseMs: 50,
      maxMs: 2_000,
      sleep: async (ms) => {
        clock += ms;
      },
      now: () => clock,
      log: quiet,
    });
    expect(got).toEqual(['a', 'a']);
    expect(clock).toBe(530);
  });
});
