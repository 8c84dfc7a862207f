import { formatDuration } from './duration.js';
import { TimeoutError } from './errors.js';
import type { Sleep } from './ports.js';

export interface PollOptions<T> {
  /** Names what is awaited, for the timeout error: `Neon operation op-1 (create_branch)`. */
  label: string;
  /** Returns a value when done, undefined to keep waiting; throws to stop with an error. */
  check: () => Promise<T | undefined>;
  timeoutMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** How much longer each wait is than the one before; default 1.5. */
  factor?: number | undefined;
  /** For this long from the start, every wait is `initialDelayMs`; the backoff begins after. */
  steadyMs?: number | undefined;
  /**
   * Count each wait from the start of the check before it rather than from its answer, so that the
   * checks are `initialDelayMs` apart however long one takes to answer.
   */
  fromCheckStart?: boolean | undefined;
  /** What is awaited was just read as not done: the first check, too, comes after a wait. */
  waitFirst?: boolean | undefined;
  sleep: Sleep;
  now?: () => number;
}

/**
 * Checks at once (after a first wait with `waitFirst`), then again after each wait: waits of
 * `initialDelayMs` during `steadyMs`, then longer by `factor` each round up to `maxDelayMs`, until
 * `check` returns or time runs out.
 */
export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  const now = options.now ?? Date.now;
  const started = now();
  const deadline = started + options.timeoutMs;
  let delay = options.initialDelayMs;
  if (options.waitFirst) await options.sleep(Math.min(delay, options.timeoutMs));
  for (;;) {
    const checkedAt = now();
    const result = await options.check();
    if (result !== undefined) return result;
    const left = deadline - now();
    if (left <= 0) {
      throw new TimeoutError(`${options.label} did not finish within ${formatDuration(options.timeoutMs)}`);
    }
    const spent = options.fromCheckStart ? now() - checkedAt : 0;
    await options.sleep(Math.max(0, Math.min(delay - spent, left)));
    if (now() - started >= (options.steadyMs ?? 0)) {
      delay = Math.min(Math.round(delay * (options.factor ?? 1.5)), options.maxDelayMs);
    }
  }
}
