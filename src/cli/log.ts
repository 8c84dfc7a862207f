import type { Logger } from '../core/ports.js';
import { Redactor } from '../core/redact.js';

export interface Writer {
  write(text: string): unknown;
}

export interface CliLogger extends Logger {
  error(message: string): void;
  /** The CLI's `core.setSecret`: from now on the value is printed as `***` wherever it appears. */
  secret(value: string): void;
  redact(text: string): string;
}

/**
 * Progress for a person or a build log, on stderr: stdout stays free for the JSON result. The core
 * never hands a secret to a log line; the redaction is the second line of defence, as masking is in
 * the action, for whatever a service might echo back into an error message.
 */
export function createLogger(stderr: Writer, options: { verbose: boolean }): CliLogger {
  const redactor = new Redactor();
  const redact = (text: string): string => redactor.redact(text);
  const line = (prefix: string, message: string) => {
    stderr.write(`${prefix}${redact(message)}\n`);
  };
  return {
    info: (message) => line('', message),
    warning: (message) => line('warning: ', message),
    error: (message) => line('error: ', message),
    debug: (message) => {
      if (options.verbose) line('debug: ', message);
    },
    secret: redactor.add,
    redact,
  };
}
