import { describe, expect, it } from 'vitest';
import { boundMs, burstFigures, share429 } from '../../bench/lib/burst.js';

const count = {
  deliveries: 100,
  failed: 0,
  neonRequests: 2800,
  answers429: 14,
  startJobs: 100,
  elapsedMs: 288_000,
  sentInMs: 1500,
};

describe('boundMs', () => {
  it('is the time 700 requests a minute need for every request of the burst', () => {
    expect(boundMs(700)).toBe(60_000);
    expect(boundMs(2800)).toBe(240_000);
    expect(boundMs(35, 70)).toBe(30_000);
  });
});

describe('share429', () => {
  it('divides the 429s by every Neon request, and is 0 without requests', () => {
    expect(share429({ neonRequests: 2800, answers429: 14 })).toBe(0.005);
    expect(share429({ neonRequests: 0, answers429: 0 })).toBe(0);
  });
});

describe('burstFigures', () => {
  it('divides first delivery → last StartJob by the bound and says what failed', () => {
    const figure = burstFigures(count, { title: 't', target: 1.2, repos: 20 });
    expect(figure.ratio).toBeCloseTo(1.2, 10);
    expect(figure.ours).toEqual({ value: 288, unit: 's' });
    expect(figure.against?.amount).toEqual({ value: 240, unit: 's' });
    expect(figure.notes?.join('\n')).toMatch(/0 of 100 deliveries failed \(20 repositories\)/);
    expect(figure.notes?.join('\n')).toMatch(/14 answers 429 of 2800 Neon requests \(0\.5%/);
    expect(figure.extra).toMatchObject({ failedDeliveries: 0, share429: 0.005 });
  });
});
