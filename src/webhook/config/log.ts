import type { Logger } from '../../core/ports.js';
import { Redactor } from '../../core/redact.js';
import type { WebhookConfig } from './config.js';

export type Level = 'debug' | 'info' | 'warning' | 'error';

/** The fields a line may carry besides its level and message; undefined ones are left out. */
export interface LogFields {
  delivery?: string | undefined;
  event?: string | undefined;
  repository?: string | undefined;
  branch?: string | undefined;
  step?: string | undefined;
  outcome?: string | undefined;
  /** Milliseconds, from `durationSince`. */
  duration?: number | undefined;
  status?: number | undefined;
  [name: string]: unknown;
}

/** Milliseconds since `started` (a `performance.now()`), to a hundredth: a receive takes well under one. */
export function durationSince(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

export interface JsonLoggerOptions {
  redactor: Redactor;
  /** One complete line, newline included. Default: process.stdout. */
  write?: (line: string) => void;
  debug?: boolean;
  now?: () => Date;
}

/** One JSON object per line; every string in it passes through the redactor first. */
export class JsonLogger {
  private readonly write: (line: string) => void;
  private readonly now: () => Date;

  constructor(
    private readonly options: JsonLoggerOptions,
    private readonly context: LogFields = {},
  ) {
    this.write = options.write ?? ((line) => process.stdout.write(line));
    this.now = options.now ?? (() => new Date());
  }

  get redactor(): Redactor {
    return this.options.redactor;
  }

  /** The same output with more fields on every line, and optionally a job's own redactor. */
  with(fields: LogFields, redactor?: Redactor): JsonLogger {
    return new JsonLogger(redactor === undefined ? this.options : { ...this.options, redactor }, {
      ...this.context,
      ...fields,
    });
  }

  log(level: Level, msg: string, fields: LogFields = {}): void {
    if (level === 'debug' && !this.options.debug) return;
    const line: Record<string, unknown> = { time: this.now().toISOString(), level, msg };
    for (const source of [this.context, fields]) {
      for (const [name, value] of Object.entries(source)) if (value !== undefined) line[name] = value;
    }
    this.write(`${JSON.stringify(this.clean(line))}\n`);
  }

  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }

  warning(msg: string, fields?: LogFields): void {
    this.log('warning', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }

  /** The core's Logger: its messages become lines of this logger's context with `step`. */
  forCore(step: string): Logger {
    return {
      info: (message) => this.info(message, { step }),
      warning: (message) => this.warning(message, { step }),
      debug: (message) => this.debug(message, { step }),
    };
  }

  private clean(value: unknown): unknown {
    if (typeof value === 'string') return this.options.redactor.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.clean(item));
    if (typeof value === 'object' && value !== null) {
      const result: Record<string, unknown> = {};
      for (const [name, item] of Object.entries(value)) result[name] = this.clean(item);
      return result;
    }
    return value;
  }
}

/** The JSON-lines logger, masking every configured secret from the first line on. */
export function createLogger(config: Pick<WebhookConfig, 'secretValues' | 'debug'>): JsonLogger {
  const redactor = new Redactor();
  for (const secret of config.secretValues) redactor.add(secret);
  return new JsonLogger({ redactor, debug: config.debug });
}
