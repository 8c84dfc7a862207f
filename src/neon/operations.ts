import type { Operation } from '@neondatabase/api-client';
import { formatDuration } from '../core/duration.js';
import { ApiError, TimeoutError } from '../core/errors.js';
import type { Logger, Sleep } from '../core/ports.js';

const SUCCEEDED: ReadonlySet<string> = new Set(['finished', 'skipped']);
/**
 * Ends the wait at once. `cancelling` is not final yet, but it only ever ends in `cancelled`: waiting
 * longer cannot help. `error` is in the API's enum only; no page says Neon retries it.
 */
const FAILED: ReadonlySet<string> = new Set(['error', 'cancelled', 'cancelling']);
/**
 * `failed` is not terminal: Neon may retry the operation to `running` and `finished` (its operations
 * reference, https://neon.com/docs/reference/api/operations). A wait keeps polling it until its
 * deadline; test/contract/neon.test.ts holds the product to both endings.
 */
const RETRIED_BY_NEON = 'failed';
const FINAL: ReadonlySet<string> = new Set(['finished', 'skipped', 'failed', 'error', 'cancelled']);

/**
 * Not yet in a final state: `scheduling`, `running` or `cancelling`. An operation already `failed`
 * when listed is not waited for: nothing says when, or whether, Neon retries it.
 */
export function isPending(operation: Operation): boolean {
  return !FINAL.has(operation.status);
}

/** The operations of an answer that are not over yet: the ones there is to wait for. */
export function pendingIds(operations: Operation[]): string[] {
  return operations.filter(isPending).map((operation) => operation.id);
}

/**
 * How long Neon's operations of each kind take, typically, from the moment Neon made them: a new
 * branch's `create_branch` and its compute's `start_compute` about a second (Neon's computes start
 * in a few hundred milliseconds once the timeline exists), a password reset's `apply_config` about
 * half that. The bench (bench/README.md) plays them at these lengths. Other kinds are not guessed.
 */
const TYPICAL_MS: Readonly<Record<string, number>> = {
  create_branch: 1_000,
  start_compute: 1_000,
  create_timeline: 1_000,
  apply_config: 500,
};

/** Reads this far apart around the typical end, so an operation is seen done soon after it is. */
export const DENSE_MS = 50;
/** How many dense reads follow the first before the waits grow, by `FACTOR` each, to the maximum. */
export const DENSE_READS = 4;
const FACTOR = 1.5;

/** An answer that started operations: when it arrived and how long its round trip took. */
export interface StartedBy {
  answeredAt: number;
  roundTripMs: number;
}

/**
 * When to read first: a read sent at this time reaches Neon half a round trip after the slowest of
 * these operations typically ends. Neon made them about half a round trip before its answer came
 * back, and a read takes half a round trip to get there. A request that took long (retries, the
 * rate limiter) says little about the network: the lead is at most a quarter of the typical
 * length. Undefined when no kind is known.
 */
export function firstReadAt(operations: { action: string }[], started: StartedBy): number | undefined {
  const typical = Math.max(0, ...operations.map((operation) => TYPICAL_MS[operation.action] ?? 0));
  if (typical === 0) return undefined;
  return started.answeredAt + typical - Math.min(started.roundTripMs / 2, typical / 4);
}

/**
 * The wait before read `n` (0 the first), counted from the start of read `n - 1` (or from the call
 * for the first): the first at `firstAt` (at least one dense wait away: every caller has just seen
 * these operations pending), then `DENSE_READS` reads `denseMs` apart, then waits growing by half
 * each round up to `maxMs`. Dense reads are where an operation is likely to end; the longer it
 * runs past that, the less a late sighting costs compared with the requests it would take.
 */
export function waitBeforeRead(
  n: number,
  schedule: { now: number; firstAt?: number | undefined; denseMs: number; maxMs: number },
): number {
  const { now, firstAt, denseMs, maxMs } = schedule;
  if (n === 0) return Math.max(denseMs, Math.round((firstAt ?? 0) - now));
  if (n <= DENSE_READS) return denseMs;
  return Math.min(maxMs, Math.round(2 * denseMs * FACTOR ** (n - DENSE_READS - 1)));
}

export interface WaitForOperationsOptions {
  /** One GET of the operation (retried by the caller). */
  read: (operationId: string) => Promise<Operation>;
  /**
   * The project's latest operations in one request: read instead of one GET each when two or more
   * are pending. One missing from it (pushed off the page by newer ones) is read on its own.
   */
  list?: (() => Promise<Operation[]>) | undefined;
  /** For all the operations together. */
  timeoutMs: number;
  /** See firstReadAt; undefined: one dense wait after the call. */
  firstAt?: number | undefined;
  denseMs: number;
  maxMs: number;
  sleep: Sleep;
  now: () => number;
  log: Logger;
}

/**
 * Polls the operations until every one finished or was skipped, under one deadline for all of them.
 * Each round reads every operation still pending at once (a branch's create has two, which end at
 * about the same time), on the schedule of waitBeforeRead, each wait counted from the start of the
 * round before.
 */
export async function waitForOperations(
  operationIds: string[],
  options: WaitForOperationsOptions,
): Promise<void> {
  const pending = new Set(operationIds);
  if (pending.size === 0) return;
  const last = new Map<string, Operation>();
  const toldFailed = new Set<string>();
  const { now, timeoutMs } = options;
  const deadline = now() + timeoutMs;
  let roundStart = now();
  for (let n = 0; ; n++) {
    const wait = waitBeforeRead(n, { ...options, now: now() });
    const left = deadline - now();
    if (left <= 0) throw timedOut(pending, last, timeoutMs);
    await options.sleep(Math.max(0, Math.min(roundStart + wait - now(), left)));
    roundStart = now();
    for (const [id, operation] of await readRound([...pending], options)) {
      last.set(id, operation);
      options.log.debug(`Neon operation ${describe(id, operation)}: ${operation.status}`);
      if (settled(id, operation)) pending.delete(id);
      else if (operation.status === RETRIED_BY_NEON && !toldFailed.has(id)) {
        toldFailed.add(id);
        options.log.info(
          `Neon operation ${describe(id, operation)} failed${reasonOf(operation)}; Neon may retry it, so waiting for it up to ${formatDuration(timeoutMs)} in all`,
        );
      }
    }
    if (pending.size === 0) return;
  }
}

/** The pending operations as Neon has them now: one listing for several, the ones it misses by id. */
async function readRound(ids: string[], options: WaitForOperationsOptions): Promise<[string, Operation][]> {
  const listed = new Map<string, Operation>();
  if (ids.length > 1 && options.list !== undefined) {
    for (const operation of await options.list()) {
      if (ids.includes(operation.id)) listed.set(operation.id, operation);
    }
  }
  return Promise.all(
    ids.map(async (id) => [id, listed.get(id) ?? (await options.read(id))] as [string, Operation]),
  );
}

function timedOut(pending: Set<string>, last: Map<string, Operation>, timeoutMs: number): TimeoutError {
  const within = formatDuration(timeoutMs);
  const waiting = [...pending].map((id) => {
    const operation = last.get(id);
    if (operation?.status === RETRIED_BY_NEON) {
      return `Neon operation ${describe(id, operation)} failed${reasonOf(operation)}, and Neon had not retried it to success within ${within}`;
    }
    return `Neon operation ${describe(id, operation)} did not finish within ${within}; its last status was '${operation?.status ?? 'unknown'}'`;
  });
  return new TimeoutError(waiting.join('; '));
}

function settled(id: string, operation: Operation): true | undefined {
  if (SUCCEEDED.has(operation.status)) return true;
  if (FAILED.has(operation.status)) {
    throw new ApiError(
      `Neon operation ${describe(id, operation)}`,
      `it ended with status '${operation.status}'${reasonOf(operation)}`,
      {
        service: 'Neon',
      },
    );
  }
  return undefined;
}

function reasonOf(operation: Operation): string {
  return operation.error ? `: ${operation.error}` : '';
}

/** `0b6a... (start_compute) on branch br-x`, as far as it is known. */
function describe(id: string, operation: Operation | undefined): string {
  if (operation === undefined) return id;
  const branch = operation.branch_id ? ` on branch ${operation.branch_id}` : '';
  return `${id} (${operation.action})${branch}`;
}
