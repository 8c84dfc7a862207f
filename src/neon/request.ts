import { type Api, createApiClient } from '@neondatabase/api-client';
import type { Deadline } from '../core/deadline.js';
import type { Logger, Sleep } from '../core/ports.js';
import { neonRateLimiter, type RateLimiter, type RateLimits } from '../core/rate-limiter.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, type RetryVerdict, withRetry } from '../core/retry.js';
import { realSleep } from '../core/sleep.js';
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
  /** The run's budget (timeout-minutes): requests, retries and operation waits all fit in it. */
  deadline?: Deadline | undefined;
  /** Overall limit when waiting for operations. Default 10 minutes. */
  operationTimeoutMs?: number;
  operationPollInitialMs?: number;
  operationPollMaxMs?: number;
  /**
   * Paces every request of the port. Share one between ports that use the same API key (the
   * webhook's concurrent deliveries do). Default: a limiter of the port's own over `rateLimits`.
   */
  limiter?: RateLimiter;
  /** Branches asked for per page when listing; default 1,000. */
  branchPageLimit?: number;
  /** Default: Neon's documented limit (NEON_RATE_LIMITS). */
  rateLimits?: RateLimits;
}

/** The Neon client with the retries and the error wording every request shares. */
export class NeonRequester {
  readonly api: Api<unknown>;
  readonly sleep: Sleep;
  private readonly policy: RetryPolicy;
  private readonly limiter: RateLimiter;
  private readonly failureContext: FailureContext;

  constructor(private readonly options: NeonPortOptions) {
    const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.sleep = options.sleep ?? realSleep;
    this.policy = options.retry ?? DEFAULT_RETRY_POLICY;
    this.limiter =
      options.limiter ?? neonRateLimiter({ limits: options.rateLimits, now: options.now, sleep: this.sleep });
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
    const { deadline } = options;
    if (deadline !== undefined) {
      // Each request's own limit, cut to what is left of the run's budget.
      this.api.instance.interceptors.request.use((config) => {
        config.timeout = Math.max(1, deadline.cap(config.timeout || requestTimeoutMs));
        return config;
      });
    }
  }

  /**
   * One request with retries; every failure leaves as an ApiError naming `step`. `locked: 'fail'`
   * hands Neon's 423 straight back instead of retrying it: for a caller that timed the request to
   * follow operations it knows of, and tries again on its own schedule (OperationWaits.whenOver).
   */
  async call<T>(
    step: string,
    request: (api: Api<unknown>) => Promise<T>,
    { locked = 'retry' }: { locked?: 'retry' | 'fail' } = {},
  ): Promise<T> {
    try {
      return await withRetry(
        // Every attempt, retries included, waits its turn at the limiter.
        () => this.attempt(request),
        {
          label: step,
          policy: this.policy,
          classify: (error) => {
            const verdict = this.classify(error);
            return locked === 'fail' && isLocked(error) ? { ...verdict, retry: false } : verdict;
          },
          sleep: this.sleep,
          log: (message) => this.options.log.warning(message),
          deadline: this.options.deadline,
        },
      );
    } catch (error) {
      if (!(error instanceof NeonRequestError)) throw error;
      this.options.deadline?.check(step, error.message);
      throw toApiError(step, error);
    }
  }

  /**
   * A 429's `Retry-After` is the limiter's to wait out: `attempt` hands it over, and the limiter
   * holds every request until then, this one's retry included. The retry waits nothing more.
   */
  private classify(error: unknown): RetryVerdict {
    const verdict = classifyNeonError(error);
    if (
      !(error instanceof NeonRequestError) ||
      error.failure.status !== 429 ||
      verdict.afterMs === undefined
    ) {
      return verdict;
    }
    return { ...verdict, afterMs: undefined, heldMs: Math.min(verdict.afterMs, this.policy.maxRetryAfterMs) };
  }

  private async attempt<T>(request: (api: Api<unknown>) => Promise<T>): Promise<T> {
    const ticket = await this.limiter.acquire();
    try {
      const answer = await request(this.api);
      this.limiter.succeeded();
      return answer;
    } catch (error) {
      const failure = describeNeonFailure(error, this.failureContext);
      if (failure?.failure.status === 429) {
        const retryAfterMs = failure.failure.retryAfterMs;
        this.limiter.throttled(
          ticket,
          retryAfterMs === undefined ? undefined : Math.min(retryAfterMs, this.policy.maxRetryAfterMs),
        );
      } else if (failure?.failure.status !== undefined) {
        // Any other answer came through the limit too.
        this.limiter.succeeded();
      }
      throw failure ?? error;
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

function isLocked(error: unknown): boolean {
  return error instanceof NeonRequestError && error.failure.status === 423;
}
