import type { Operation } from '@neondatabase/api-client';
import { formatDuration } from '../core/duration.js';
import { ApiError, TimeoutError } from '../core/errors.js';
import { pollUntil } from '../core/poll.js';
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

export interface WaitForOperationsOptions {
  /** One GET of the operation (retried by the caller). */
  read: (operationId: string) => Promise<Operation>;
  /** For all the operations together. */
  timeoutMs: number;
  initialDelayMs: number;
  /** How long the waits stay at `initialDelayMs` before they grow. */
  steadyMs: number;
  maxDelayMs: number;
  sleep: Sleep;
  now: () => number;
  log: Logger;
}

/**
 * Polls the operations until every one finished or was skipped, under one deadline for all of them.
 * Each round reads every operation still pending at once (a branch's create has two, which end at
 * about the same time), the first `initialDelayMs` after the call and the rounds a steady
 * `initialDelayMs` apart, counted from each round's start, for `steadyMs`, then backing off gently:
 * an operation of about a second is seen finished within about `initialDelayMs` of its end.
 */
export async function waitForOperations(
  operationIds: string[],
  options: WaitForOperationsOptions,
): Promise<void> {
  const pending = new Set(operationIds);
  if (pending.size === 0) return;
  const last = new Map<string, Operation>();
  const toldFailed = new Set<string>();
  try {
    await pollUntil({
      label: `Neon operation ${[...pending].join(', ')}`,
      timeoutMs: options.timeoutMs,
      initialDelayMs: options.initialDelayMs,
      maxDelayMs: options.maxDelayMs,
      steadyMs: options.steadyMs,
      factor: 1.25,
      fromCheckStart: true,
      // Every caller has just read these as pending (the create's or reset's answer, the branch's
      // operations): reading them again at once would only say so again.
      waitFirst: true,
      sleep: options.sleep,
      now: options.now,
      check: async () => {
        const read = await Promise.all([...pending].map(async (id) => [id, await options.read(id)] as const));
        for (const [id, operation] of read) {
          last.set(id, operation);
          options.log.debug(`Neon operation ${describe(id, operation)}: ${operation.status}`);
          if (settled(id, operation)) pending.delete(id);
          else if (operation.status === RETRIED_BY_NEON && !toldFailed.has(id)) {
            toldFailed.add(id);
            options.log.info(
              `Neon operation ${describe(id, operation)} failed${reasonOf(operation)}; Neon may retry it, so waiting for it up to ${formatDuration(options.timeoutMs)} in all`,
            );
          }
        }
        return pending.size === 0 ? true : undefined;
      },
    });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    const within = formatDuration(options.timeoutMs);
    const waiting = [...pending].map((id) => {
      const operation = last.get(id);
      if (operation?.status === RETRIED_BY_NEON) {
        return `Neon operation ${describe(id, operation)} failed${reasonOf(operation)}, and Neon had not retried it to success within ${within}`;
      }
      return `Neon operation ${describe(id, operation)} did not finish within ${within}; its last status was '${operation?.status ?? 'unknown'}'`;
    });
    throw new TimeoutError(waiting.join('; '));
  }
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
