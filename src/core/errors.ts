/** Bad input: the message names the input, quotes the value and gives the expected form. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Bad input in one setting, with its parts as fields, so each front end can name the setting in its
 * own terms (the CLI's flag and variable, the webhook's CONFIG_FILE key) without rewording the
 * core's English. The message names the setting by its action input name.
 */
export class SettingError extends UsageError {
  override name = 'SettingError';

  private constructor(
    message: string,
    /** The action input name, such as `neon-project-id`. */
    readonly setting: string,
    /** What was given, quoted in messages; undefined when missing or secret. */
    readonly value: string | undefined,
    /** What is wrong or expected: `expected a Neon project id such as autumn-disk-484331`. */
    readonly detail: string,
    readonly missing: boolean,
  ) {
    super(message);
  }

  /** Not given at all; `form` says what to give. */
  static missing(setting: string, form: string): SettingError {
    return new SettingError(
      `Input required and not supplied: ${setting} (${form})`,
      setting,
      undefined,
      form,
      true,
    );
  }

  /** Given but wrong; a secret's value is passed as undefined so it is never quoted. */
  static invalid(setting: string, value: string | undefined, detail: string): SettingError {
    const quoted = value === undefined ? '' : ` '${value}'`;
    return new SettingError(`Invalid ${setting}${quoted}: ${detail}`, setting, value, detail, false);
  }

  /** The same error with the setting named as `where` says, for a front end's own terms. */
  describe(where: string, howToSet: string): string {
    if (this.missing) return `${where} is required and not set (${this.detail}): ${howToSet}`;
    const quoted = this.value === undefined ? '' : ` '${this.value}'`;
    return `Invalid ${where}${quoted}: ${this.detail}`;
  }
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

/** Neon's masking of an anonymized branch ended in `error` or `initialization_error`. */
export class MaskingError extends ApiError {
  override name = 'MaskingError';
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

/**
 * `migrate-command` failed or timed out: nothing was written to Amplify. The message says how it
 * ended and carries the last 8 KiB of its output (src/migrate/output.ts), masked by the front end's
 * log when it prints the error, as every other message is.
 */
export class MigrationError extends Error {
  override name = 'MigrationError';
  readonly tail: readonly string[];
  readonly exitCode: number | undefined;

  constructor(how: string, details: { tail: readonly string[]; exitCode?: number | undefined }) {
    const last = details.tail.length === 0 ? '' : `; its last lines:\n${details.tail.join('\n')}`;
    super(`${how}; nothing was written to Amplify and no job was started${last}`);
    this.tail = [...details.tail];
    this.exitCode = details.exitCode;
  }
}
