import type { Logger } from '../core/ports.js';

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
  const secrets: string[] = [];
  const redact = (text: string): string => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('***');
    return out;
  };
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
    secret: (value) => {
      if (value === '' || secrets.includes(value)) return;
      secrets.push(value);
      // Longest first, so a URL is masked whole before the password inside it.
      secrets.sort((a, b) => b.length - a.length);
    },
    redact,
  };
}
