import type { NeonPort } from '../../src/core/ports.js';
import type { RetryPolicy } from '../../src/core/retry.js';
import { createNeonPort, type NeonPortOptions } from '../../src/neon/port.js';
import { type NeonStandIn, type NeonStandInOptions, startNeonStandIn } from '../fakes/neon-server.js';

/** Backoff of a few milliseconds, so retried tests stay fast; p-retry waits on real timers. */
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
}

/**
 * The port against a fresh stand-in, with a fake `sleep` that only advances a fake clock: polling
 * and Retry-After cost no real time, and the operation deadline still passes.
 */
export async function startHarness(
  options: { standIn?: NeonStandInOptions; port?: Partial<NeonPortOptions> } = {},
): Promise<Harness> {
  const standIn = await startNeonStandIn(options.standIn);
  const sleeps: number[] = [];
  const logs: string[] = [];
  let clock = 1_700_000_000_000;
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
      now: () => clock,
      retry: FAST_RETRY,
      requestTimeoutMs: 2_000,
      ...options.port,
      ...overrides,
    });
  return { standIn, port: portWith({}), sleeps, logs, portWith };
}
