import pRetry from 'p-retry';
import type { Deadline } from './deadline.js';
import type { Sleep } from './ports.js';

export interface RetryVerdict {
  retry: boolean;
  /** The service's own `Retry-After`, in milliseconds, waited on top of the backoff. */
  afterMs?: number | undefined;
  /**
   * Retried for as long as the run's budget lasts rather than `policy.retries` times, when there is
   * a budget: an answer that only says "not yet" (Neon's 423 while an operation runs anywhere in
   * the project, its own background ones included; README, "Choices made where the design is silent").
   */
  untilDeadline?: boolean | undefined;
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
 *
 * An `untilDeadline` answer under a budget counts against neither `policy.retries` nor p-retry's
 * own delays: it is waited through `sleep` with a backoff of its own, from `minTimeoutMs` up to
 * `maxTimeoutMs`, until the budget would not last through the next wait.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, deadline } = options;
  deadline?.check(options.label);
  const untilDeadline = (error: unknown) =>
    deadline !== undefined && options.classify(error).untilDeadline === true;
  /** Failures retried by count so far, which `policy.retries` limits. */
  let counted = 0;
  /** Waits of the until-the-deadline kind so far: their backoff grows with them. */
  let patient = 0;
  return pRetry(fn, {
    ...(deadline === undefined ? {} : { maxRetryTime: deadline.remainingMs() }),
    // The count is kept here, since the answers that wait for the budget do not use it up.
    retries: Number.POSITIVE_INFINITY,
    minTimeout: policy.minTimeoutMs,
    maxTimeout: policy.maxTimeoutMs,
    factor: 2,
    randomize: true,
    shouldConsumeRetry: ({ error }) => !untilDeadline(error),
    shouldRetry: ({ error }) =>
      options.classify(error).retry &&
      !(options.deadline?.usedUp() ?? false) &&
      (untilDeadline(error) || counted <= policy.retries),
    onFailedAttempt: async ({ error, attemptNumber }) => {
      const verdict = options.classify(error);
      if (!verdict.retry) return;
      if (deadline !== undefined && verdict.untilDeadline) {
        const backoff = jittered(policy, patient);
        patient += 1;
        const wait = Math.max(backoff, Math.min(verdict.afterMs ?? 0, policy.maxRetryAfterMs));
        const left = deadline.remainingMs();
        if (wait >= left) throw deadline.exceeded(options.label, error.message);
        options.log(
          `${options.label}: attempt ${attemptNumber} failed (${error.message}); retrying in ${seconds(wait)} while the run's budget (timeout-minutes) lasts, ${seconds(left)} left`,
        );
        await options.sleep(wait);
        return;
      }
      counted += 1;
      const retriesLeft = policy.retries - counted + 1;
      if (retriesLeft <= 0) return;
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

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The shortest wait for an answer that waits for the budget: a policy without backoff would
 * otherwise ask again at once, as often as the service answers, until the budget is gone.
 */
const MIN_PATIENT_WAIT_MS = 100;

/** The `n`th wait (from 0) of exponential backoff, doubled from `minTimeoutMs`, jittered, capped. */
function jittered(policy: RetryPolicy, n: number): number {
  const grown = policy.minTimeoutMs * 2 ** Math.min(n, 30) * (1 + Math.random());
  return Math.max(MIN_PATIENT_WAIT_MS, Math.round(Math.min(grown, policy.maxTimeoutMs)));
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
