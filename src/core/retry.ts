import pRetry from 'p-retry';
import type { Deadline } from './deadline.js';
import type { Sleep } from './ports.js';

export interface RetryVerdict {
  retry: boolean;
  /** The service's own `Retry-After`, in milliseconds, waited on top of the backoff. */
  afterMs?: number | undefined;
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Longest `Retry-After` honoured; a longer one is cut to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 5,
  minTimeoutMs: 500,
  maxTimeoutMs: 10_000,
  maxRetryAfterMs: 60_000,
};

export interface RetryOptions {
  label: string;
  policy: RetryPolicy;
  classify: (error: unknown) => RetryVerdict;
  sleep: Sleep;
  log: (message: string) => void;
  /** The run's budget: no retry starts once it is used up. */
  deadline?: Deadline | undefined;
}

/**
 * Runs `fn`, retrying only what `classify` calls retryable, with jittered exponential backoff
 * (p-retry). A `Retry-After` from the service is slept through `sleep`, so tests control it.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, deadline } = options;
  deadline?.check(options.label);
  return pRetry(fn, {
    ...(deadline === undefined ? {} : { maxRetryTime: deadline.remainingMs() }),
    retries: policy.retries,
    minTimeout: policy.minTimeoutMs,
    maxTimeout: policy.maxTimeoutMs,
    factor: 2,
    randomize: true,
    shouldRetry: ({ error }) => options.classify(error).retry && (options.deadline?.remainingMs() ?? 1) > 0,
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
      const verdict = options.classify(error);
      if (!verdict.retry || retriesLeft === 0) return;
      options.log(
        `${options.label}: attempt ${attemptNumber} failed (${error.message}); retrying, ${retriesLeft} left`,
      );
      if (verdict.afterMs !== undefined && verdict.afterMs > 0) {
        const wait = Math.min(verdict.afterMs, policy.maxRetryAfterMs);
        // A Retry-After longer than what is left would only end in the same failure, later.
        if (deadline !== undefined && wait >= deadline.remainingMs())
          throw deadline.exceeded(options.label, error.message);
        await options.sleep(wait);
      }
    },
  });
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(
  value: string | undefined | null,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
