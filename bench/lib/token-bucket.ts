/**
 * Neon's API limit as a token bucket: `ratePerSecond` tokens a second, at most `burst` saved up.
 * Neon documents 700 requests a minute with bursts of up to 40 a second; the bench plays a
 * bucket of 40/s with a burst of 40 (see bench/README.md). A refused request takes no token, so
 * a client that retries too early is refused again without delaying the others.
 */
export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  /** Milliseconds, any origin; injected so the unit test needs no timers. */
  now: () => number;
}

export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number };

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly options: TokenBucketOptions;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) {
      throw new Error(
        `A token bucket needs a positive rate and a burst of at least 1, got ${options.ratePerSecond}/s and ${options.burst}`,
      );
    }
    this.options = options;
    this.tokens = options.burst;
    this.last = options.now();
  }

  take(): Admission {
    const now = this.options.now();
    const { ratePerSecond, burst } = this.options;
    this.tokens = Math.min(burst, this.tokens + ((now - this.last) * ratePerSecond) / 1000);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { admitted: true };
    }
    return { admitted: false, retryAfterMs: ((1 - this.tokens) * 1000) / ratePerSecond };
  }
}

/**
 * The `Retry-After` value for a refusal: whole seconds, as the header's delta-seconds form
 * allows no fraction, and at least 1 so that no client reads it as "retry at once".
 */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
