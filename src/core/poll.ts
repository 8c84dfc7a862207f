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
  sleep: Sleep;
  now?: () => number;
}

/** Polls fast at first and backs off by half again each round, until `check` returns or time runs out. */
export async function pollUntil<T>(options: PollOptions<T>): Promise<T> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  let delay = options.initialDelayMs;
  for (;;) {
    const result = await options.check();
    if (result !== undefined) return result;
    const left = deadline - now();
    if (left <= 0) {
      throw new TimeoutError(`${options.label} did not finish within ${formatDuration(options.timeoutMs)}`);
    }
    await options.sleep(Math.min(delay, left));
    delay = Math.min(Math.round(delay * (options.factor ?? 1.5)), options.maxDelayMs);
  }
}

export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000} minute${ms === 60_000 ? '' : 's'}`;
  if (ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
