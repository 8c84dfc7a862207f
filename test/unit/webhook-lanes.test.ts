import { describe, expect, it } from 'vitest';
import { Lanes } from '../../src/webhook/run/lanes.js';

/** A task that finishes when told, recording when it starts and ends. */
function controllable(log: string[], name: string) {
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    task: async () => {
      log.push(`start ${name}`);
      await done;
      log.push(`end ${name}`);
      return name;
    },
    finish: () => finish(),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Lanes', () => {
  it('runs the tasks of one key strictly in order, one at a time', async () => {
    const queue = new Lanes({ concurrency: 4, capacity: 100 });
    const log: string[] = [];
    const tasks = ['push', 'push again', 'close'].map((name) => controllable(log, name));
    const results = tasks.map((t) => queue.push('repo#feature', t.task));
    await tick();
    expect(log).toEqual(['start push']);
    tasks[1]?.finish(); // finishing a later task early changes nothing
    tasks[2]?.finish();
    await tick();
    expect(log).toEqual(['start push']);
    tasks[0]?.finish();
    expect(await Promise.all(results)).toEqual(['push', 'push again', 'close']);
    expect(log).toEqual([
      'start push',
      'end push',
      'start push again',
      'end push again',
      'start close',
      'end close',
    ]);
  });

  it('runs different keys in parallel, never more than the cap', async () => {
    const queue = new Lanes({ concurrency: 3, capacity: 100 });
    let running = 0;
    let most = 0;
    const work = async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
    };
    const all = [];
    for (let i = 0; i < 30; i++) all.push(queue.push(`branch-${i % 10}`, work));
    await Promise.all(all);
    expect(most).toBe(3);
    expect(queue.size).toBe(0);
  });

  it('does not let one busy key hold back the others', async () => {
    const queue = new Lanes({ concurrency: 2, capacity: 100 });
    const log: string[] = [];
    const slow = controllable(log, 'a1');
    queue.push('a', slow.task);
    queue.push('a', async () => log.push('a2'));
    await queue.push('b', async () => log.push('b1'));
    expect(log).toEqual(['start a1', 'b1']);
    slow.finish();
    await queue.idle();
    expect(log).toEqual(['start a1', 'b1', 'end a1', 'a2']);
  });

  it('refuses past its capacity, counting running and waiting tasks', async () => {
    const queue = new Lanes({ concurrency: 1, capacity: 2 });
    const log: string[] = [];
    const first = controllable(log, '1');
    expect(queue.push('a', first.task)).toBeDefined();
    expect(queue.push('b', async () => {})).toBeDefined();
    expect(queue.push('c', async () => {})).toBeUndefined();
    first.finish();
    await queue.idle();
    expect(queue.push('c', async () => {})).toBeDefined();
  });

  it('keeps going after a task fails, and hands the failure to its caller', async () => {
    const queue = new Lanes({ concurrency: 1, capacity: 10 });
    const failed = queue.push('a', async () => {
      throw new Error('boom');
    });
    const next = queue.push('a', async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });

  it('resolves idle() once everything has run', async () => {
    const queue = new Lanes({ concurrency: 2, capacity: 10 });
    await queue.idle();
    let done = 0;
    for (let i = 0; i < 5; i++) {
      queue.push(String(i % 2), async () => {
        await tick();
        done += 1;
      });
    }
    await queue.idle();
    expect(done).toBe(5);
  });
});
