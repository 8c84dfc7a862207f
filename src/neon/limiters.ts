import { createHash } from 'node:crypto';
import { neonRateLimiter, type RateLimiter } from '../core/rate-limiter.js';

/**
 * Neon's rate limit is per account, not per run. A process that runs many plans at once (the
 * webhook server's concurrent deliveries, a worker's batch) paces every run that uses one API key
 * at one limiter, so that together they hold the limit instead of each holding it alone.
 */
export class NeonLimiters {
  private readonly byAccount = new Map<string, RateLimiter>();

  /** The limiter of the account behind this API host and key (a digest of the key is kept, not the key). */
  for(apiHost: string, apiKey: string): RateLimiter {
    const account = createHash('sha256').update(`${apiHost}\n${apiKey}`).digest('hex');
    let limiter = this.byAccount.get(account);
    if (limiter === undefined) {
      limiter = neonRateLimiter();
      this.byAccount.set(account, limiter);
    }
    return limiter;
  }
}
