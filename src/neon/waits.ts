import type { Operation } from '@neondatabase/api-client';
import { ApiError } from '../core/errors.js';
import {
  DENSE_MS,
  DENSE_READS,
  firstReadAt,
  isPending,
  pendingIds,
  type StartedBy,
  waitBeforeRead,
  waitForOperations,
} from './operations.js';
import type { NeonPortOptions, NeonRequester } from './request.js';

/**
 * A wait for several operations reads them in one listing of the project's newest: they were made
 * moments ago, so only a burst of this many newer ones pushes one off the page (then it is read
 * on its own).
 */
const WAIT_PAGE_LIMIT = 25;

/**
 * The port's waits for Neon's operations, each timed by what it waits for: the operations an answer
 * started are remembered with their kind (`action`) and the answer's timing, so a later wait for
 * them reads first when they typically end (see firstReadAt in operations.ts).
 */
export class OperationWaits {
  private readonly started = new Map<string, { operation: Operation; by: StartedBy }>();
  private readonly now: () => number;
  /** waitBeforeRead's schedule: dense reads this far apart, growing waits up to maxMs. */
  private readonly denseMs: number;
  private readonly maxMs: number;

  constructor(
    private readonly neon: NeonRequester,
    private readonly options: NeonPortOptions,
    private readonly capped: (ms: number) => number,
  ) {
    this.now = options.now ?? Date.now;
    this.denseMs = options.operationPollInitialMs ?? DENSE_MS;
    this.maxMs = options.operationPollMaxMs ?? 2_000;
  }

  /** A request's answer with when it arrived and how long it took (retries included). */
  async timed<T>(request: () => Promise<T>): Promise<T & { by: StartedBy }> {
    const sent = this.now();
    const answer = await request();
    const answeredAt = this.now();
    return { ...answer, by: { answeredAt, roundTripMs: answeredAt - sent } };
  }

  /** Keeps the pending ones of an answer's operations for a later forIds. */
  remember(operations: Operation[], by: StartedBy): void {
    for (const operation of operations.filter(isPending)) this.started.set(operation.id, { operation, by });
  }

  /** Waits for these; the first read is timed by the ones an answer remembered here started. */
  forIds(operationIds: string[]): Promise<void> {
    const firstAt = this.typicalEnd(operationIds);
    for (const id of operationIds) this.started.delete(id);
    return this.poll(operationIds, firstAt);
  }

  /** When the last of these typically ends (see firstReadAt), as far as remembered kinds tell. */
  private typicalEnd(operationIds: string[]): number | undefined {
    const ends = operationIds.flatMap((id) => {
      const entry = this.started.get(id);
      const at = entry && firstReadAt([entry.operation], entry.by);
      return at === undefined ? [] : [at];
    });
    return ends.length === 0 ? undefined : Math.max(...ends);
  }

  /**
   * Waits for the pending ones of an answer's operations, the first read timed by their kinds, and
   * for `also` (earlier ones not waited for yet, see whenOver) in the same reads.
   */
  forAnswer(operations: Operation[], by: StartedBy, also: string[] = []): Promise<void> {
    const pending = operations.filter(isPending);
    for (const id of also) this.started.delete(id);
    const ids = [...new Set([...pendingIds(pending), ...also])];
    return this.poll(ids, firstReadAt(pending, by));
  }

  /**
   * Sends a change when the operations `after` (remembered from the answer that started them)
   * typically end, instead of reading them first: Neon refuses a change with 423 while operations
   * run (docs/stand-ins.md, N28), so the change's own attempt is the read. A 423 is tried again as
   * often as a wait reads around the typical end (waitBeforeRead's dense reads); past them, the
   * operations are waited for by reading, as without this, and the change sent once they ended
   * (a 423 then is retried with the usual backoff: another operation in the project), so a long
   * operation or a busy project costs no more requests than a wait would. `send(locked)` passes
   * `locked` to NeonRequester.call. Only the accepted attempt is timed. Neon may also have queued
   * the change behind them: the caller still waits for `after` with the change's own operations
   * (forAnswer's `also`), which costs no request while they end together.
   */
  async whenOver<T>(
    after: string[],
    send: (locked: 'retry' | 'fail') => Promise<T>,
  ): Promise<T & { by: StartedBy }> {
    const { denseMs, maxMs } = this;
    const firstAt = this.typicalEnd(after);
    let roundStart = this.now();
    for (let n = 0; n <= DENSE_READS; n++) {
      const wait = waitBeforeRead(n, { now: this.now(), firstAt, denseMs, maxMs });
      await this.neon.sleep(Math.max(0, roundStart + wait - this.now()));
      roundStart = this.now();
      try {
        return await this.timed(() => send('fail'));
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 423)) throw error;
        this.options.log.debug(`${error.message}: Neon's operations still run`);
      }
    }
    await this.forIds(after);
    return this.timed(() => send('retry'));
  }

  private async poll(operationIds: string[], firstAt: number | undefined): Promise<void> {
    const { options, neon } = this;
    const projectId = options.projectId;
    await waitForOperations(operationIds, {
      read: async (id) => {
        const { data } = await neon.call(`Reading Neon operation ${id}`, (api) =>
          api.getProjectOperation(projectId, id),
        );
        return data.operation;
      },
      list: async () => {
        const { data } = await neon.call(`Reading Neon operations ${operationIds.join(', ')}`, (api) =>
          api.listProjectOperations({ projectId, limit: WAIT_PAGE_LIMIT }),
        );
        return data.operations;
      },
      timeoutMs: this.capped(options.operationTimeoutMs ?? 10 * 60_000),
      firstAt,
      denseMs: this.denseMs,
      maxMs: this.maxMs,
      sleep: neon.sleep,
      now: this.now,
      log: options.log,
    });
  }
}
