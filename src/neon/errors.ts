import { formatDuration } from '../core/duration.js';
import { ApiError } from '../core/errors.js';
import { parseRetryAfter, type RetryVerdict } from '../core/retry.js';

/**
 * One failed Neon request, reduced to what is safe to print. The axios error itself is never kept:
 * its `config` carries the Authorization header, and a logger that prints `cause` would print the key.
 */
export interface NeonFailure {
  /** What went wrong, without the step: `503: service unavailable (request id r-1)`. */
  detail: string;
  retryable: boolean;
  status?: number | undefined;
  code?: string | undefined;
  requestId?: string | undefined;
  /** Node's code for a failure without an answer: ECONNRESET, ECONNABORTED, ... */
  networkCode?: string | undefined;
  retryAfterMs?: number | undefined;
  method?: string | undefined;
  path?: string | undefined;
}

/** Thrown inside the retry loop; turned into an ApiError naming the step once retries are over. */
export class NeonRequestError extends Error {
  override name = 'NeonRequestError';
  readonly failure: NeonFailure;

  constructor(failure: NeonFailure) {
    super(failure.detail);
    this.failure = failure;
  }
}

export interface FailureContext {
  /** `console.neon.tech`, for messages about requests that got no answer. */
  host: string;
  projectId: string;
  requestTimeoutMs: number;
  /** Cut out of anything Neon echoes back, in case it ever does. */
  apiKey: string;
}

/**
 * Failures without an answer that are worth another attempt. ECONNREFUSED is in: with a mistyped
 * `neon-api-host` it only delays the error by the backoff, but a proxy or load balancer that is
 * restarting refuses connections for a moment too, and a refused connection never reached Neon, so
 * repeating even a POST is safe. ENOTFOUND and certificate errors are out: they do not heal by waiting.
 */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/**
 * 423 (a conflicting operation is running), 429 (rate limit) and 5xx but 501; never
 * 400/401/403/404/409/422. 501 Not Implemented says the route is not there, which waiting never heals.
 */
function isRetryableStatus(status: number): boolean {
  return status === 423 || status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

const MAX_MESSAGE_CHARS = 500;

interface AxiosLikeError {
  isAxiosError: true;
  code?: unknown;
  message?: unknown;
  response?: { status: number; statusText?: unknown; data?: unknown; headers?: unknown } | undefined;
  config?: { method?: unknown; url?: unknown } | undefined;
}

function isAxiosLikeError(error: unknown): error is AxiosLikeError {
  return (
    typeof error === 'object' && error !== null && (error as { isAxiosError?: unknown }).isAxiosError === true
  );
}

/**
 * Describes an error from the Neon client, or returns undefined for anything else (a bug of ours
 * should surface as itself, not as a Neon failure).
 */
export function describeNeonFailure(error: unknown, context: FailureContext): NeonRequestError | undefined {
  if (!isAxiosLikeError(error)) return undefined;
  const method = typeof error.config?.method === 'string' ? error.config.method.toUpperCase() : undefined;
  const path = typeof error.config?.url === 'string' ? error.config.url : undefined;
  const response = error.response;
  if (response === undefined) {
    const networkCode = typeof error.code === 'string' ? error.code : undefined;
    return new NeonRequestError({
      detail: redact(describeNoAnswer(networkCode, error.message, context), context.apiKey),
      retryable: networkCode !== undefined && TRANSIENT_NETWORK_CODES.has(networkCode),
      networkCode,
      method,
      path,
    });
  }

  const status = response.status;
  const body = typeof response.data === 'object' && response.data !== null ? response.data : undefined;
  const code = stringField(body, 'code');
  const requestId = stringField(body, 'request_id') ?? headerValue(response.headers, 'x-neon-ret-request-id');
  const said =
    stringField(body, 'message') ??
    firstLine(response.data) ??
    (typeof response.statusText === 'string' && response.statusText !== ''
      ? response.statusText
      : undefined) ??
    'no message';
  const codePart = code === undefined || code === '' ? '' : ` ${code}`;
  const requestPart = requestId === undefined ? '' : ` (request id ${requestId})`;
  const hint = hintFor(status, code, context, said);
  return new NeonRequestError({
    detail: redact(
      `${status}${codePart}: ${truncate(said)}${requestPart}${hint ? `. ${hint}` : ''}`,
      context.apiKey,
    ),
    retryable: isRetryableStatus(status),
    status,
    code: code === '' ? undefined : code,
    requestId,
    retryAfterMs: isRetryableStatus(status) ? retryAfterOf(response.headers) : undefined,
    method,
    path,
  });
}

function describeNoAnswer(
  networkCode: string | undefined,
  message: unknown,
  context: FailureContext,
): string {
  const { host } = context;
  switch (networkCode) {
    case 'ECONNABORTED':
    case 'ETIMEDOUT':
      return `no answer from ${host} within ${formatDuration(context.requestTimeoutMs)} (the request timed out)`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `the connection to ${host} was dropped before Neon answered (${networkCode})`;
    case 'ECONNREFUSED':
      return `${host} refused the connection (ECONNREFUSED); check neon-api-host`;
    case 'ENOTFOUND':
      return `the host ${host} was not found (ENOTFOUND); check neon-api-host`;
    default: {
      const reason =
        networkCode ?? (typeof message === 'string' && message !== '' ? message : 'unknown error');
      return `the request to ${host} failed without an answer (${truncate(reason)})`;
    }
  }
}

/** What the user can do about the statuses that are about their configuration or their plan. */
function hintFor(
  status: number,
  code: string | undefined,
  context: FailureContext,
  said: string,
): string | undefined {
  if (status === 401) {
    return 'The Neon API key is wrong or has been revoked: check the neon-api-key setting (NEON_API_KEY)';
  }
  if (status === 403) {
    return `The Neon API key may not do this in project '${context.projectId}': check that neon-api-key belongs to an account or organization with access to neon-project-id`;
  }
  // The root-branch limit's refusal may share the code; neon/create-branch.ts explains that one.
  if (status === 422 && code === 'BRANCHES_LIMIT_EXCEEDED' && !/root[ _-]?branch/i.test(said)) {
    return "The branch quota of the Neon plan is full: delete unused preview branches (for example with 'command: reconcile') or raise the plan's branch limit";
  }
  if (status === 429) return 'Neon is rate limiting this API key; try again in a minute';
  return undefined;
}

export function classifyNeonError(error: unknown): RetryVerdict {
  if (error instanceof NeonRequestError) {
    const { failure } = error;
    // 423: a conflicting operation runs somewhere in the project (Neon's own background ones too);
    // it ends by itself, so it is waited for as long as the run's budget allows.
    return { retry: failure.retryable, afterMs: failure.retryAfterMs, untilDeadline: failure.status === 423 };
  }
  return { retry: false };
}

/** The error callers see: the step, what Neon said, and a cause that is safe to log. */
export function toApiError(step: string, error: NeonRequestError): ApiError {
  const { failure } = error;
  return new ApiError(step, failure.detail, {
    service: 'Neon',
    status: failure.status,
    code: failure.code,
    requestId: failure.requestId,
    cause: {
      method: failure.method,
      path: failure.path,
      status: failure.status,
      code: failure.code,
      requestId: failure.requestId,
      networkCode: failure.networkCode,
    },
  });
}

function stringField(body: object | undefined, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** axios hands headers over as an AxiosHeaders instance; both it and a plain object index by lower-case name. */
function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = (headers as Record<string, unknown>)[name];
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

function retryAfterOf(headers: unknown): number | undefined {
  return parseRetryAfter(headerValue(headers, 'retry-after'));
}

/** A body that is not JSON (a proxy's HTML page, say): its first non-empty line. */
function firstLine(data: unknown): string | undefined {
  if (typeof data !== 'string') return undefined;
  const line = data
    .split('\n')
    .map((part) => part.trim())
    .find((part) => part !== '');
  return line === undefined ? undefined : line;
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}...` : text;
}

function redact(text: string, secret: string): string {
  return secret === '' ? text : text.split(secret).join('***');
}
