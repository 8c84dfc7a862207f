export interface LanesOptions {
  /** Tasks running at once, across keys. */
  concurrency: number;
  /** Tasks held at once, waiting and running; past it `push` refuses. */
  capacity: number;
}

interface Entry {
  run: () => Promise<void>;
}

/**
 * Tasks of one key run one at a time in the order they came (a push, then the pull request closing,
 * must end with the branch deleted); tasks of different keys run in parallel, at most `concurrency`
 * at once. Keys take turns: a key whose task finished goes to the back of the line.
 */
export class Lanes {
  /** Per key, the tasks not started yet. A key is here while it has a task waiting or running. */
  private readonly lanes = new Map<string, Entry[]>();
  /** Keys whose next task may start now: not running, with a task waiting. */
  private readonly ready: string[] = [];
  private running = 0;
  private held = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: LanesOptions) {}

  /** Tasks waiting or running. */
  get size(): number {
    return this.held;
  }

  get active(): number {
    return this.running;
  }

  /**
   * Queues `task` behind the other tasks of `key`. Undefined when the queue is full; otherwise the
   * task's own outcome, once it has run.
   */
  push<T>(key: string, task: () => Promise<T>): Promise<T> | undefined {
    if (this.held >= this.options.capacity) return undefined;
    this.held += 1;
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        run: async () => {
          try {
            resolve(await task());
          } catch (error) {
            reject(error);
          }
        },
      };
      const lane = this.lanes.get(key);
      if (lane === undefined) {
        this.lanes.set(key, [entry]);
        this.ready.push(key);
      } else {
        // The key is running or already in line: its turn comes when its current task ends.
        lane.push(entry);
      }
      this.pump();
    });
  }

  /** Resolves once nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.held === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      const lane = this.lanes.get(key) as Entry[];
      const entry = lane.shift() as Entry;
      this.running += 1;
      void entry.run().finally(() => this.finish(key));
    }
  }

  private finish(key: string): void {
    this.running -= 1;
    this.held -= 1;
    const lane = this.lanes.get(key);
    if (lane !== undefined && lane.length > 0) this.ready.push(key);
    else this.lanes.delete(key);
    this.pump();
    if (this.held === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
