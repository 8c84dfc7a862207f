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
  /** What is awaited was just read as not done: the first check, too, comes after a wait. */
  waitFirst?: boolean | undefined;
  sleep: Sleep;
  now?: () => number;
}

/** Each wait half as long again as the one before, up to `maxDelayMs`. */
const FACTOR = 1.5;

/**
 * Checks at once (after a first wait with `waitFirst`), then again after each wait, counted from
 * the check's answer: `initialDelayMs` first, then longer by `FACTOR` each round up to `maxDelayMs`,
 * until `check` returns or time runs out. (Neon's operations have a schedule of their own, shaped by
 * what they wait for: src/neon/operations.ts.)
 */
export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  let delay = options.initialDelayMs;
  if (options.waitFirst) await options.sleep(Math.min(delay, options.timeoutMs));
  for (;;) {
    const result = await options.check();
    if (result !== undefined) return result;
    const left = deadline - now();
    if (left <= 0) {
      throw new TimeoutError(`${options.label} did not finish within ${formatDuration(options.timeoutMs)}`);
    }
    await options.sleep(Math.min(delay, left));
    delay = Math.min(Math.round(delay * FACTOR), options.maxDelayMs);
  }
}
