import { getOctokit } from '@actions/github';
import type { Logger, Sleep } from '../core/ports.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy, withRetry } from '../core/retry.js';

/** The Octokit of `@actions/github`; everything in src/github takes one, so tests hand in their own. */
export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubClientOptions {
  token: string;
  /** GITHUB_API_URL; left out, `@actions/github` reads GITHUB_API_URL itself. */
  baseUrl?: string | undefined;
  /** Per request; default 15 s. Octokit has no timeout of its own. */
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  log: Logger;
  sleep?: Sleep;
}

/**
 * Comments and deployments are extras, so retries are few and short: a run should not sit for a
 * minute on GitHub after its real work is done.
 */
export const GITHUB_RETRY_POLICY: RetryPolicy = {
  ...DEFAULT_RETRY_POLICY,
  retries: 2,
  minTimeoutMs: 500,
  maxTimeoutMs: 4_000,
  maxRetryAfterMs: 20_000,
};

const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Octokit with a timeout on every request and retries for what heals by waiting: no answer, 5xx,
 * 429, and a 403 that carries `retry-after` (GitHub's secondary rate limit). Retrying a POST can
 * leave a duplicate comment or deployment if the first attempt landed; the sticky comment removes
 * duplicates and a second deployment is harmless, which is why POSTs are retried at all.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const client = getOctokit(options.token, options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl });
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  client.hook.wrap('request', (request, requestOptions) =>
    withRetry(
      async () => {
        // A fresh signal per attempt, its timer cleared once answered, so no timer outlives a request.
        const controller = new AbortController();
        const timer = setTimeout(
          () => controller.abort(new Error(`timeout: no answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
        // Mutated, not copied: before-after-hook binds the same options object into every wrapper,
        // and the token hook inside this one ignores options passed in a call.
        requestOptions.request = { ...requestOptions.request, signal: controller.signal };
        try {
          return await request(requestOptions);
        } finally {
          clearTimeout(timer);
        }
      },
      {
        label: `GitHub ${requestOptions.method} ${routeOf(requestOptions.url)}`,
        policy: options.retry ?? GITHUB_RETRY_POLICY,
        classify: classifyGitHubError,
        sleep,
        log: (message) => options.log.info(message),
      },
    ),
  );
  return client;
}

/** The route template, not the expanded URL: a branch name in the path is the user's, not a log field. */
function routeOf(url: string): string {
  return url.replace(/^https?:\/\/[^/]+/, '');
}

interface RequestErrorLike {
  status?: unknown;
  response?: { status?: unknown; headers?: Record<string, string | undefined> } | undefined;
}

function classifyGitHubError(error: unknown) {
  const { status, response } = (error ?? {}) as RequestErrorLike;
  if (response === undefined) {
    // No answer at all: a dropped connection, a refused one, or our own timeout.
    return { retry: typeof status !== 'number' || status === 500 };
  }
  const code = typeof response.status === 'number' ? response.status : 0;
  const retryAfter = parseRetryAfter(response.headers?.['retry-after']);
  if (code === 429 || (code >= 500 && code <= 599)) return { retry: true, afterMs: retryAfter };
  if (code === 403 && retryAfter !== undefined) return { retry: true, afterMs: retryAfter };
  return { retry: false };
}
