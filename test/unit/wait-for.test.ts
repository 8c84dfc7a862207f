import { describe, expect, it } from 'vitest';
import { settled, waitFor } from '../wait-for.js';

describe('waitFor', () => {
  it('resolves with the first value the condition returns', async () => {
    let calls = 0;
    const value = await waitFor(
      'the third call',
      () => {
        calls += 1;
        return calls === 3 ? 'third' : undefined;
      },
      { everyMs: 1 },
    );

    expect([value, calls]).toEqual(['third', 3]);
  });

  it('fails naming what it waited for once the bound has passed', async () => {
    await expect(
      waitFor('a door that never opens', () => false, { withinMs: 30, everyMs: 5 }),
    ).rejects.toThrow('Waited 30 ms for a door that never opens, in vain');
  });

  it('passes on what the condition throws', async () => {
    const boom = () => {
      throw new Error('boom');
    };
    await expect(waitFor('nothing', boom)).rejects.toThrow('boom');
  });
});

describe('settled', () => {
  it('reads a promise as undefined until it resolves, then its value; a rejection throws', async () => {
    let resolve: (value: string) => void = () => {};
    const answered = settled(new Promise<string>((r) => (resolve = r)));
    const failed = settled(Promise.reject(new Error('no')));

    expect(answered()).toBeUndefined();
    resolve('yes');
    expect(await waitFor('the answer', answered)).toEqual({ value: 'yes' });
    await expect(waitFor('the rejection', failed)).rejects.toThrow('no');
  });
});
