import { type Api, createApiClient } from '@neondatabase/api-client';
import { realSleep } from '../core/poll.js';
import type { Logger, Sleep } from '../core/ports.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from '../core/retry.js';
import {
  classifyNeonError,
  describeNeonFailure,
  type FailureContext,
  NeonRequestError,
  toApiError,
} from './errors.js';

export interface NeonPortOptions {
  apiKey: string;
  /** Base URL of the API, e.g. `https://console.neon.tech/api/v2`. */
  apiHost: string;
  projectId: string;
  log: Logger;
  /** Default: real timers. Tests pass a fake one. */
  sleep?: Sleep;
  /** Clock for the operation deadline; default `Date.now`. Tests pair it with a fake `sleep`. */
  now?: () => number;
  /** Per request; the client has no timeout of its own. Default 30 s. */
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  /** Overall limit when waiting for operations. Default 10 minutes. */
  operationTimeoutMs?: number;
  operationPollInitialMs?: number;
  operationPollMaxMs?: number;
}

/** The Neon client with the retries and the error wording every request shares. */
export class NeonRequester {
  readonly api: Api<unknown>;
  readonly sleep: Sleep;
  private readonly policy: RetryPolicy;
  private readonly failureContext: FailureContext;

  constructor(private readonly options: NeonPortOptions) {
    const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.sleep = options.sleep ?? realSleep;
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.failureContext = {
      host: hostOf(options.apiHost),
      projectId: options.projectId,
      requestTimeoutMs,
      apiKey: options.apiKey,
    };
    this.api = createApiClient({
      apiKey: options.apiKey,
      baseURL: options.apiHost,
      timeout: requestTimeoutMs,
    });
  }

  /** One request with retries; every failure leaves as an ApiError naming `step`. */
  async call<T>(step: string, request: (api: Api<unknown>) => Promise<T>): Promise<T> {
    try {
      return await withRetry(
        async () => {
          try {
            return await request(this.api);
          } catch (error) {
            throw describeNeonFailure(error, this.failureContext) ?? error;
          }
        },
        {
          label: step,
          policy: this.policy,
          classify: classifyNeonError,
          sleep: this.sleep,
          log: (message) => this.options.log.warning(message),
        },
      );
    } catch (error) {
      if (error instanceof NeonRequestError) throw toApiError(step, error);
      throw error;
    }
  }
}

function hostOf(apiHost: string): string {
  try {
    return new URL(apiHost).host;
  } catch {
    return apiHost;
  }
}
