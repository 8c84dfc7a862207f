/** Bad input: the message names the input, quotes the value and gives the expected form. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ApiErrorDetails {
  /** Which service answered: 'Neon' or 'Amplify'. */
  service: string;
  /** HTTP status, when the service answered at all. */
  status?: number | undefined;
  /** Neon's `code` or Amplify's error type (e.g. `LimitExceededException`). */
  code?: string | undefined;
  requestId?: string | undefined;
  cause?: unknown;
}

/**
 * A failed call to Neon or Amplify. The message names the step and keeps what the service said:
 * `Creating Neon branch 'preview/x' failed: 422 BRANCHES_LIMIT_EXCEEDED: ... (request id ...)`.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly service: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly requestId: string | undefined;

  constructor(step: string, detail: string, details: ApiErrorDetails) {
    super(`${step} failed: ${detail}`, { cause: details.cause });
    this.service = details.service;
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
  }
}

/** Waiting (for a Neon operation, for an Amplify job) ran past its limit. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** The message of any thrown value, for `setFailed` and logs; never `String(error)` on an object. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
