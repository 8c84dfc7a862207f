import { formatDuration } from './duration.js';
import { TimeoutError } from './errors.js';

/**
 * The run's budget (`timeout-minutes`): every request, retry and wait for a Neon operation fits in
 * it, so a hanging service fails the run in minutes with the call that hung named, instead of each
 * layer's own limits adding up. Waits for Amplify jobs are not counted: `job-timeout-minutes`
 * bounds those.
 */
export class Deadline {
  private end: number;
  /** When the current `excluding` began; the clock of the budget stands still meanwhile. */
  private pausedAt: number | undefined;

  constructor(
    readonly budgetMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.end = now() + budgetMs;
  }

  remainingMs(): number {
    return Math.max(0, this.end - (this.pausedAt ?? this.now()));
  }

  /**
   * Runs `fn` outside the budget: the time it takes is given back afterwards, so a wait that has a
   * limit of its own (an Amplify build, `job-timeout-minutes`) does not use up the run's budget.
   * Calls made meanwhile see the budget as it stood when the wait began.
   */
  async excluding<T>(fn: () => Promise<T>): Promise<T> {
    if (this.pausedAt !== undefined) return fn();
    const pausedAt = this.now();
    this.pausedAt = pausedAt;
    try {
      return await fn();
    } finally {
      this.end += this.now() - pausedAt;
      this.pausedAt = undefined;
    }
  }

  /** A limit of the caller's own (a request timeout, a wait) cut to what is left of the budget. */
  cap(ms: number): number {
    return Math.min(ms, this.remainingMs());
  }

  /** The one test of a budget that has run out, for every caller. */
  usedUp(): boolean {
    return this.remainingMs() <= 0;
  }

  /**
   * Throws when the budget is used up, naming the step that was about to start, or that just
   * failed (`detail`: how its last attempt ended).
   */
  check(step: string, detail?: string): void {
    if (this.usedUp()) throw this.exceeded(step, detail);
  }

  /** The error for a step the budget ran out in; `detail` says how the last attempt ended. */
  exceeded(step: string, detail?: string): TimeoutError {
    return new TimeoutError(
      `${step} did not finish within the run's budget of ${formatDuration(this.budgetMs)} (timeout-minutes)${detail === undefined ? '' : `; the last attempt: ${detail}`}`,
    );
  }

  /** An AbortSignal that fires when the budget runs out, for clients that take one. */
  signal(): AbortSignal {
    return AbortSignal.timeout(Math.max(1, this.remainingMs()));
  }
}
