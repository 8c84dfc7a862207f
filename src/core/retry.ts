import pRetry from 'p-retry';
import type { Deadline } from './deadline.js';
import type { Sleep } from './ports.js';

export interface RetryVerdict {
  retry: boolean;
  /** The service's own `Retry-After`, in milliseconds: the wait before the next attempt, or the backoff when longer. */
  afterMs?: number | undefined;
  /**
   * The next attempt is already held back this long elsewhere, so the retry waits nothing of its
   * own: Neon's rate limiter holds every request after a 429 until its `Retry-After` has passed
   * (src/neon/request.ts), and a wait here as well would pay it twice.
   */
  heldMs?: number | undefined;
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
 * Runs `fn`, retrying only what `classify` calls retryable, with jittered exponential backoff:
 * p-retry runs the attempts and keeps the count, and every wait goes through `sleep` (p-retry's
 * own timer is given no delay), so tests control all of them. A `Retry-After` from the service is
 * the wait when it is longer than the backoff.
 *
 * An `untilDeadline` answer under a budget counts against neither `policy.retries` nor the
 * counted backoff: it is waited with a backoff of its own, from `minTimeoutMs` up to
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
    // p-retry waits on a real timer of its own; with no delay it never starts one (its
    // calculateDelay returns 0), and the waits below go through the injected sleep instead.
    minTimeout: 0,
    shouldConsumeRetry: ({ error }) => !untilDeadline(error),
    shouldRetry: ({ error }) =>
      options.classify(error).retry &&
      !(options.deadline?.usedUp() ?? false) &&
      (untilDeadline(error) || counted <= policy.retries),
    onFailedAttempt: async ({ error, attemptNumber }) => {
      const verdict = options.classify(error);
      if (!verdict.retry) return;
      if (deadline !== undefined && verdict.untilDeadline) {
        const wait = Math.max(patientBackoffMs(policy, patient), retryAfterMs(verdict, policy));
        patient += 1;
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
      const wait = countedWaitMs({ verdict, policy, n: counted - 1, deadline });
      if (wait === undefined) throw deadline?.exceeded(options.label, error.message) ?? error;
      options.log(
        `${options.label}: attempt ${attemptNumber} failed (${error.message}); retrying, ${retriesLeft} left`,
      );
      if (wait > 0) await options.sleep(wait);
    },
  });
}

/**
 * The wait before the `n`th counted retry (from 0): the backoff, or the service's `Retry-After`
 * when longer, none when the next attempt is held elsewhere; cut to what is left of the budget.
 * Undefined when a held wait or a `Retry-After` would outlast the budget: it would only end in the
 * same failure, later.
 */
function countedWaitMs(options: {
  verdict: RetryVerdict;
  policy: RetryPolicy;
  n: number;
  deadline: Deadline | undefined;
}): number | undefined {
  const { verdict, policy, deadline } = options;
  const left = deadline?.remainingMs() ?? Number.POSITIVE_INFINITY;
  if (verdict.heldMs !== undefined) return verdict.heldMs >= left ? undefined : 0;
  const after = retryAfterMs(verdict, policy);
  if (after > 0 && after >= left) return undefined;
  return Math.min(Math.max(backoffMs(policy, options.n), after), left);
}

/** The service's `Retry-After`, cut to `maxRetryAfterMs`; 0 without one. */
function retryAfterMs(verdict: RetryVerdict, policy: RetryPolicy): number {
  return Math.min(verdict.afterMs ?? 0, policy.maxRetryAfterMs);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The `n`th wait (from 0) of exponential backoff as p-retry computes it with `randomize` (its
 * calculateDelay): `minTimeoutMs` doubled `n` times, times a random factor in [1, 2), rounded,
 * capped at `maxTimeoutMs`.
 */
export function backoffMs(policy: RetryPolicy, n: number, random: () => number = Math.random): number {
  if (policy.minTimeoutMs === 0) return 0;
  const grown = Math.round(policy.minTimeoutMs * 2 ** Math.min(n, 30) * (1 + random()));
  return Math.min(grown, policy.maxTimeoutMs);
}

/**
 * The shortest wait for an answer that waits for the budget: a policy without backoff would
 * otherwise ask again at once, as often as the service answers, until the budget is gone.
 */
const MIN_PATIENT_WAIT_MS = 100;

function patientBackoffMs(policy: RetryPolicy, n: number): number {
  return Math.max(MIN_PATIENT_WAIT_MS, backoffMs(policy, n));
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
