import type { Operation } from '@neondatabase/api-client';
import { ApiError, TimeoutError } from '../core/errors.js';
import { formatDuration, pollUntil } from '../core/poll.js';
import type { Logger, Sleep } from '../core/ports.js';

const SUCCEEDED: ReadonlySet<string> = new Set(['finished', 'skipped']);
/** `cancelling` is not final yet, but it only ever ends in `cancelled`: waiting longer cannot help. */
const FAILED: ReadonlySet<string> = new Set(['failed', 'error', 'cancelled', 'cancelling']);
const FINAL: ReadonlySet<string> = new Set(['finished', 'skipped', 'failed', 'error', 'cancelled']);

/** Not yet in a final state: `scheduling`, `running` or `cancelling`. */
export function isPending(operation: Operation): boolean {
  return !FINAL.has(operation.status);
}

export interface WaitForOperationsOptions {
  /** One GET of the operation (retried by the caller). */
  read: (operationId: string) => Promise<Operation>;
  /** For all the operations together. */
  timeoutMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  sleep: Sleep;
  now: () => number;
  log: Logger;
}

/** Polls each operation in turn until it finished or was skipped, under one deadline for all of them. */
export async function waitForOperations(
  operationIds: string[],
  options: WaitForOperationsOptions,
): Promise<void> {
  const deadline = options.now() + options.timeoutMs;
  for (const id of new Set(operationIds)) {
    let last: Operation | undefined;
    try {
      await pollUntil({
        label: `Neon operation ${id}`,
        timeoutMs: Math.max(0, deadline - options.now()),
        initialDelayMs: options.initialDelayMs,
        maxDelayMs: options.maxDelayMs,
        // Gently: a one-second operation is seen finished about a tenth of a second after it is.
        factor: 1.25,
        sleep: options.sleep,
        now: options.now,
        check: async () => {
          last = await options.read(id);
          options.log.debug(`Neon operation ${describe(id, last)}: ${last.status}`);
          return settled(id, last);
        },
      });
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      throw new TimeoutError(
        `Neon operation ${describe(id, last)} did not finish within ${formatDuration(options.timeoutMs)}; ` +
          `its last status was '${last?.status ?? 'unknown'}'`,
      );
    }
  }
}

function settled(id: string, operation: Operation): true | undefined {
  if (SUCCEEDED.has(operation.status)) return true;
  if (FAILED.has(operation.status)) {
    const reason = operation.error ? `: ${operation.error}` : '';
    throw new ApiError(
      `Neon operation ${describe(id, operation)}`,
      `it ended with status '${operation.status}'${reason}`,
      {
        service: 'Neon',
      },
    );
  }
  return undefined;
}

/** `0b6a... (start_compute) on branch br-x`, as far as it is known. */
function describe(id: string, operation: Operation | undefined): string {
  if (operation === undefined) return id;
  const branch = operation.branch_id ? ` on branch ${operation.branch_id}` : '';
  return `${id} (${operation.action})${branch}`;
}
