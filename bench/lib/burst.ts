import { type Figure, ratio, round } from './figures.js';

/**
 * Neon's limit as the webhook-burst measure enforces it over the whole account: 700 requests a
 * minute, at most 40 at once (https://api-docs.neon.tech/reference/api-rate-limiting; one bucket
 * for every route, as bench/README.md "Neon's 429" explains).
 */
export const NEON_ACCOUNT_LIMIT = { perMinute: 700, burst: 40 } as const;

/** What one burst did, as counted by the proxies and the server's log. */
export interface BurstCount {
  deliveries: number;
  /** Deliveries not answered 202, or whose work logged `outcome: failed`. */
  failed: number;
  neonRequests: number;
  answers429: number;
  /** StartJob calls Amplify accepted: one per new branch when nothing failed. */
  startJobs: number;
  /** First delivery sent → last StartJob answered. */
  elapsedMs: number;
  /** First delivery sent → every delivery answered. */
  sentInMs: number;
}

/** The bound: the time Neon's limit needs to let every one of the burst's Neon requests through. */
export function boundMs(neonRequests: number, perMinute: number = NEON_ACCOUNT_LIMIT.perMinute): number {
  return (neonRequests / perMinute) * 60_000;
}

/** The share of Neon requests answered 429, 0 when there were none. */
export function share429(count: Pick<BurstCount, 'neonRequests' | 'answers429'>): number {
  return count.neonRequests === 0 ? 0 : count.answers429 / count.neonRequests;
}

/** The burst's figure: elapsed over the bound, with failures, 429s and their share in the notes. */
export function burstFigures(
  count: BurstCount,
  meta: { title: string; target: number; repos: number },
): Figure {
  const bound = boundMs(count.neonRequests);
  const share = share429(count);
  return {
    measure: 'webhook-burst',
    title: meta.title,
    ours: { value: count.elapsedMs / 1000, unit: 's' },
    against: {
      label: `${count.neonRequests} Neon requests / ${NEON_ACCOUNT_LIMIT.perMinute} a minute`,
      amount: { value: bound / 1000, unit: 's' },
    },
    ratio: ratio(count.elapsedMs, bound),
    target: meta.target,
    notes: [
      `${count.failed} of ${count.deliveries} deliveries failed (${meta.repos} repositories); ${count.startJobs} StartJob`,
      `${count.answers429} answers 429 of ${count.neonRequests} Neon requests (${round(share * 100, 2)}%, target < 1%)`,
      `deliveries sent in ${round(count.sentInMs / 1000, 1)} s`,
    ],
    extra: {
      deliveries: count.deliveries,
      failedDeliveries: count.failed,
      neonRequests: count.neonRequests,
      answers429: count.answers429,
      share429: round(share, 4),
      startJobs: count.startJobs,
    },
  };
}
