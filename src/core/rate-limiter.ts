import type { Sleep } from './ports.js';
import { realSleep } from './sleep.js';

/** One token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. */
export interface RateLimit {
  ratePerSecond: number;
  burst: number;
}

/** What a limiter holds to: a pace it slows down on 429, and longer budgets it only spends from. */
export interface RateLimits {
  /** Requests a second and how many may go at once; halved on each 429 and won back slowly. */
  pace: RateLimit;
  /**
   * Budgets every request also spends a token from (Neon's 700 a minute). A 429 empties them: what
   * they had saved up was this process's guess, and the service just said the account has none.
   */
  budgets?: readonly RateLimit[];
}

/**
 * Neon's documented limit: 700 requests a minute, with bursts of up to 40 a second per route
 * (https://api-docs.neon.tech/reference/api-rate-limiting). Modelled as a pace of 40 a second of
 * which only half is spent at once, so that a request that reaches Neon a little early still finds
 * a token there, and a budget of 700 a minute, saved up to 700.
 */
export const NEON_RATE_LIMITS: RateLimits = {
  pace: { ratePerSecond: 40, burst: 20 },
  budgets: [{ ratePerSecond: 700 / 60, burst: 700 }],
};

/** A limiter over Neon's documented limit (or `limits`), on real time unless given a clock. */
export function neonRateLimiter(
  options: {
    limits?: RateLimits | undefined;
    now?: (() => number) | undefined;
    sleep?: Sleep | undefined;
  } = {},
): RateLimiter {
  return new RateLimiter({
    limits: options.limits ?? NEON_RATE_LIMITS,
    now: options.now ?? Date.now,
    sleep: options.sleep ?? realSleep,
  });
}

export interface RateLimiterOptions {
  limits: RateLimits;
  /** Milliseconds; injected, with `sleep`, so that tests need no timers. */
  now: () => number;
  sleep: Sleep;
  /** The slowest the pace gets after 429s, as a share of its rate. Default 1/16. */
  minPace?: number;
  /**
   * How much faster each answered request makes a slowed pace, as a share of it: 0.002 (the default)
   * takes about 350 answers to win back a halving, at whatever rate the pace has fallen to.
   */
  recoveryPerRequest?: number;
}

/** A request the limiter let through, and when. */
export interface Ticket {
  at: number;
}

interface Bucket extends RateLimit {
  tokens: number;
  last: number;
}

/**
 * Paces requests that run concurrently: each waits in one queue until every bucket has a token.
 * On a 429 it holds everyone back until `Retry-After` has passed, empties the pace bucket and
 * halves its rate (once for all the requests that were already in flight), then wins the rate back
 * slowly as answers come in. The first 429 of a slow-down also empties the budgets: a budget saved
 * up while this process was idle is not Neon's, whose account other processes (or the same key's
 * other runs) may have spent, and which may save up less than a whole minute's worth. From empty, a
 * budget lets requests through at its own rate, which a 429 never slows.
 */
export class RateLimiter {
  private readonly paceBucket: Bucket;
  private readonly buckets: Bucket[];
  private readonly queue: Array<(ticket: Ticket) => void> = [];
  private pumping = false;
  private blockedUntil = Number.NEGATIVE_INFINITY;
  private slowedAt = Number.NEGATIVE_INFINITY;
  private currentPace = 1;

  constructor(private readonly options: RateLimiterOptions) {
    const start = options.now();
    const limits = [options.limits.pace, ...(options.limits.budgets ?? [])];
    for (const { ratePerSecond, burst } of limits) {
      if (!(ratePerSecond > 0) || !(burst >= 1)) {
        throw new Error(
          `A rate limit needs a positive rate and a burst of at least 1, got ${ratePerSecond}/s and ${burst}`,
        );
      }
    }
    this.buckets = limits.map((limit) => ({ ...limit, tokens: limit.burst, last: start }));
    this.paceBucket = this.buckets[0] as Bucket;
  }

  /** The share of its configured rate the pace runs at now (1 until the service answers 429). */
  get pace(): number {
    return this.currentPace;
  }

  /** Resolves when the request may be sent. */
  acquire(): Promise<Ticket> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      void this.pump();
    });
  }

  /** The request of `ticket` was answered 429: wait `retryAfterMs` (when given) and slow down. */
  throttled(ticket: Ticket, retryAfterMs?: number): void {
    const now = this.options.now();
    this.refill(now);
    // Requests sent before the last slow-down were already on their way: one halving covers them.
    if (ticket.at > this.slowedAt) {
      this.currentPace = Math.max(this.options.minPace ?? 1 / 16, this.currentPace / 2);
      this.slowedAt = now;
      // Refilling from now, as the service's own bucket does once it is empty.
      for (const bucket of this.buckets) if (bucket !== this.paceBucket) bucket.tokens = 0;
    }
    if (retryAfterMs !== undefined && retryAfterMs > 0) {
      this.blockedUntil = Math.max(this.blockedUntil, now + retryAfterMs);
    }
    // Empty, refilling from the end of the wait so that one request may go then, as Retry-After
    // promises, and the rest follow at the slower pace.
    const bucket = this.paceBucket;
    bucket.tokens = 0;
    bucket.last = Math.max(now, this.blockedUntil) - 1000 / this.rateOf(bucket);
  }

  /** A request was answered (anything but 429): the pace creeps back towards its full rate. */
  succeeded(): void {
    // What the pace bucket gained so far, at the rate it had.
    this.refill(this.options.now());
    this.currentPace = Math.min(1, this.currentPace * (1 + (this.options.recoveryPerRequest ?? 0.002)));
  }

  /** Lets the queued requests go one at a time, as tokens and the Retry-After wait allow. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        const now = this.options.now();
        const wait = this.waitMs(now);
        if (wait > 0) {
          // Whole milliseconds, as timers have them.
          await this.options.sleep(Math.ceil(wait));
          continue;
        }
        for (const bucket of this.buckets) bucket.tokens -= 1;
        this.queue.shift()?.({ at: now });
      }
    } finally {
      this.pumping = false;
    }
  }

  /** How long until every bucket holds a token and no Retry-After is pending. */
  private waitMs(now: number): number {
    this.refill(now);
    let wait = this.blockedUntil - now;
    for (const bucket of this.buckets) {
      // Within rounding of a whole token counts as one: a clock near 1.7e12 ms cannot move by less.
      if (bucket.tokens < 1 - 1e-6) {
        wait = Math.max(wait, bucket.last - now + ((1 - bucket.tokens) * 1000) / this.rateOf(bucket));
      }
    }
    return wait;
  }

  /** Adds what each bucket earned up to `now`. */
  private refill(now: number): void {
    for (const bucket of this.buckets) {
      // `last` is in the future while a Retry-After wait runs: nothing refills before it.
      const earned = (Math.max(0, now - bucket.last) * this.rateOf(bucket)) / 1000;
      bucket.tokens = Math.min(bucket.burst, bucket.tokens + earned);
      bucket.last = Math.max(bucket.last, now);
    }
  }

  /** Tokens a second: the pace bucket's slowed by 429s, the budgets' as configured. */
  private rateOf(bucket: Bucket): number {
    return bucket === this.paceBucket ? bucket.ratePerSecond * this.currentPace : bucket.ratePerSecond;
  }
}
