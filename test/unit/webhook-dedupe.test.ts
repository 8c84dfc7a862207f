import { describe, expect, it } from 'vitest';
import { DeliveryMemory } from '../../src/webhook/run/dedupe.js';

describe('DeliveryMemory', () => {
  it('takes an id once', () => {
    const memory = new DeliveryMemory();
    expect(memory.claim('a')).toBe(true);
    expect(memory.claim('a')).toBe(false);
    expect(memory.claim('b')).toBe(true);
  });

  it('remembers an id for 24 hours by default, then forgets it', () => {
    let now = 0;
    const memory = new DeliveryMemory({ now: () => now });
    memory.claim('a');
    now = 24 * 60 * 60 * 1000 - 1;
    expect(memory.claim('a')).toBe(false);
    now = 24 * 60 * 60 * 1000;
    expect(memory.claim('a')).toBe(true);
  });

  it('holds at most 10,000 ids by default, forgetting the oldest first', () => {
    const memory = new DeliveryMemory({ now: () => 0 });
    for (let i = 0; i < 25_000; i++) memory.claim(`id-${i}`);
    expect(memory.size).toBe(10_000);
    expect(memory.claim('id-24999')).toBe(false);
    expect(memory.claim('id-15000')).toBe(false);
    expect(memory.claim('id-14999')).toBe(true);
  });

  it('drops expired ids as new ones come, so the set shrinks back', () => {
    let now = 0;
    const memory = new DeliveryMemory({ ttlMs: 1000, capacity: 100, now: () => now });
    for (let i = 0; i < 50; i++) memory.claim(`old-${i}`);
    now = 1000;
    memory.claim('new');
    expect(memory.size).toBe(1);
  });

  it('forgets a released id, so a redelivery is taken again', () => {
    const memory = new DeliveryMemory();
    memory.claim('a');
    memory.release('a');
    expect(memory.claim('a')).toBe(true);
  });
});
