import type { Operation } from '@neondatabase/api-client';
import {
  DENSE_MS,
  firstReadAt,
  isPending,
  pendingIds,
  type StartedBy,
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

  constructor(
    private readonly neon: NeonRequester,
    private readonly options: NeonPortOptions,
    private readonly capped: (ms: number) => number,
  ) {
    this.now = options.now ?? Date.now;
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
    const firsts: number[] = [];
    for (const id of operationIds) {
      const entry = this.started.get(id);
      this.started.delete(id);
      const at = entry && firstReadAt([entry.operation], entry.by);
      if (at !== undefined) firsts.push(at);
    }
    return this.poll(operationIds, firsts.length === 0 ? undefined : Math.max(...firsts));
  }

  /** Waits for the pending ones of an answer's operations, the first read timed by their kinds. */
  forAnswer(operations: Operation[], by: StartedBy): Promise<void> {
    const pending = operations.filter(isPending);
    return this.poll(pendingIds(pending), firstReadAt(pending, by));
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
      denseMs: options.operationPollInitialMs ?? DENSE_MS,
      maxMs: options.operationPollMaxMs ?? 2_000,
      sleep: neon.sleep,
      now: this.now,
      log: options.log,
    });
  }
}
