import type { AnonymizedBranchStatusResponse } from '@neondatabase/api-client';
import { formatDuration } from '../core/duration.js';
import { ApiError, MaskingError, TimeoutError } from '../core/errors.js';
import { pollUntil } from '../core/poll.js';
import type { AnonymizedStatus, Logger, NeonMaskingRule, Sleep } from '../core/ports.js';
import type { NeonPortOptions, NeonRequester } from './request.js';

/**
 * Neon's anonymized branches (Beta): `branch_anonymized`, `masking_rules`, `anonymize` and
 * `anonymized_status` in the OpenAPI file node_modules/@neondatabase/api-client ships. Polling the
 * status goes through the same requester as every call, so it counts against the same rate limit.
 */
export interface AnonymizedTarget {
  neon: NeonRequester;
  projectId: string;
  branchId: string;
}

/** The states that end a wait with an error: masking did not happen, so the data may be real. */
const FAILED: ReadonlySet<string> = new Set(['error', 'initialization_error']);

export async function maskingRules(target: AnonymizedTarget): Promise<NeonMaskingRule[] | undefined> {
  const { neon, projectId, branchId } = target;
  try {
    const { data } = await neon.call(`Reading the masking rules of Neon branch '${branchId}'`, (api) =>
      api.getMaskingRules(projectId, branchId),
    );
    return data.masking_rules;
  } catch (error) {
    // Neon does not publish how it refuses a branch that is not anonymized; both refusals mean that.
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return undefined;
    throw error;
  }
}

export async function replaceMaskingRules(target: AnonymizedTarget, rules: NeonMaskingRule[]): Promise<void> {
  const { neon, projectId, branchId } = target;
  await neon.call(`Replacing the masking rules of Neon branch '${branchId}'`, (api) =>
    api.updateMaskingRules(projectId, branchId, { masking_rules: rules }),
  );
}

export async function startAnonymization(target: AnonymizedTarget): Promise<void> {
  const { neon, projectId, branchId } = target;
  await neon.call(`Starting the anonymization of Neon branch '${branchId}'`, (api) =>
    api.startAnonymization(projectId, branchId),
  );
}

export interface WaitOptions {
  timeoutMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
  sleep: Sleep;
  now: () => number;
  log: Logger;
}

/**
 * The port's polling settings for the wait. Masking a large database takes longer than an
 * operation, so the limit is the run's budget (`capped`) rather than the operations' 10 minutes.
 */
export function waitOptions(
  options: NeonPortOptions,
  sleep: Sleep,
  capped: (ms: number) => number,
): WaitOptions {
  return {
    timeoutMs: capped(60 * 60_000),
    // Masking runs after the branch's own operations (about a second) and then over the data: a
    // read sooner than that only says `initialized` or `anonymizing`.
    initialDelayMs: options.operationPollInitialMs ?? 1_000,
    maxDelayMs: options.operationPollMaxMs ?? 5_000,
    sleep,
    now: options.now ?? Date.now,
    log: options.log,
  };
}

/** Polls `anonymized_status` until `anonymized`; `error` and `initialization_error` throw at once. */
export async function waitForAnonymized(
  target: AnonymizedTarget,
  options: WaitOptions,
): Promise<AnonymizedStatus> {
  const { neon, projectId, branchId } = target;
  const step = `Anonymizing Neon branch '${branchId}'`;
  let last: AnonymizedBranchStatusResponse | undefined;
  try {
    return await pollUntil({
      label: step,
      timeoutMs: options.timeoutMs,
      initialDelayMs: options.initialDelayMs,
      maxDelayMs: options.maxDelayMs,
      // Every caller has just created the branch or started the masking: it is not done yet.
      waitFirst: true,
      sleep: options.sleep,
      now: options.now,
      check: async () => {
        const { data } = await neon.call(
          `Reading the anonymized status of Neon branch '${branchId}'`,
          (api) => api.getAnonymizedBranchStatus(projectId, branchId),
        );
        last = data;
        options.log.debug(`Neon branch ${branchId}: ${data.state}${messageOf(data)}`);
        if (FAILED.has(data.state)) {
          throw new MaskingError(step, `Neon's masking ended in '${data.state}'${messageOf(data)}`, {
            service: 'Neon',
          });
        }
        return data.state === 'anonymized' ? statusOf(data) : undefined;
      },
    });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    throw new TimeoutError(
      `${step} did not finish within ${formatDuration(options.timeoutMs)}; its last state was '${last?.state ?? 'unknown'}'${last === undefined ? '' : messageOf(last)}`,
    );
  }
}

function statusOf(data: AnonymizedBranchStatusResponse): AnonymizedStatus {
  return {
    state: data.state,
    message: data.status_message,
    maskedColumns: data.last_run?.masked_columns,
  };
}

function messageOf(data: AnonymizedBranchStatusResponse): string {
  return data.status_message ? `: ${data.status_message}` : '';
}
