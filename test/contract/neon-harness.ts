import type { NeonPort } from '../../src/core/ports.js';
import type { RetryPolicy } from '../../src/core/retry.js';
import { createNeonPort, type NeonPortOptions } from '../../src/neon/port.js';
import { type NeonStandIn, type NeonStandInOptions, startNeonStandIn } from '../fakes/neon-server.js';

/** Backoff of a few milliseconds, so retried tests read short waits in `sleeps`. */
export const FAST_RETRY: RetryPolicy = {
  retries: 3,
  minTimeoutMs: 1,
  maxTimeoutMs: 4,
  maxRetryAfterMs: 60_000,
};

export interface Harness {
  standIn: NeonStandIn;
  port: NeonPort;
  /** Every wait the port asked for through `sleep` (Retry-After, operation polls), in ms. */
  sleeps: number[];
  /** Every line the port logged, as `level: message`. */
  logs: string[];
  /** A port with other options over the same stand-in, sharing `sleeps`, `logs` and the clock. */
  portWith(overrides: Partial<NeonPortOptions>): NeonPort;
  /** The fake clock the ports' `sleep` advances; pass it to the stand-in as `now` to share it. */
  now(): number;
  /** Moves the fake clock on, as a sleep of the port's would. */
  advance(ms: number): void;
}

/**
 * The port against a fresh stand-in, with a fake `sleep` that only advances a fake clock: polling
 * and Retry-After cost no real time, and the operation deadline still passes.
 */
export async function startHarness(
  options: {
    standIn?: NeonStandInOptions;
    port?: Partial<NeonPortOptions>;
    /** The stand-in reads the same fake clock: its operations end as the port's sleeps add up. */
    sharedClock?: boolean;
  } = {},
): Promise<Harness> {
  let clock = 1_700_000_000_000;
  const now = () => clock;
  const standIn = await startNeonStandIn({
    ...options.standIn,
    ...(options.sharedClock ? { now } : {}),
  });
  const sleeps: number[] = [];
  const logs: string[] = [];
  const portWith = (overrides: Partial<NeonPortOptions>) =>
    createNeonPort({
      apiKey: standIn.apiKey,
      apiHost: standIn.url,
      projectId: standIn.projectId,
      log: {
        info: (message) => logs.push(`info: ${message}`),
        warning: (message) => logs.push(`warning: ${message}`),
        debug: (message) => logs.push(`debug: ${message}`),
      },
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      now,
      retry: FAST_RETRY,
      requestTimeoutMs: 2_000,
      ...options.port,
      ...overrides,
    });
  const advance = (ms: number) => {
    clock += ms;
  };
  return { standIn, port: portWith({}), sleeps, logs, portWith, now, advance };
}

/** `/projects/{id}/branches` of the harness's stand-in: where creates go. */
export function branchesPath(harness: Harness): string {
  return `/projects/${harness.standIn.projectId}/branches`;
}

/** Neon answers the next create with `status` and `body`, as a plan's refusal would come. */
export function refuseCreate(
  harness: Harness,
  status: number,
  body: { code?: string; message: string },
): void {
  harness.standIn.injectFault({
    method: 'POST',
    path: branchesPath(harness),
    fault: { kind: 'respond', status, body },
  });
}
