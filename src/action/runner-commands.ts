import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';

/**
 * The runner's side of a JavaScript action: inputs from `INPUT_*`, workflow commands on stdout
 * (`::notice::`, `::add-mask::`, ...) and the GITHUB_OUTPUT file. The same names and the same bytes
 * as `@actions/core` (test/unit/action-commands.test.ts holds the two side by side), written here
 * because importing `@actions/core` loads undici for its OIDC client: as long as node itself
 * starts, on every run, for the few lines a run that has nothing to do writes.
 */

/** `@actions/core` getInput: the runner's variable, trimmed; `''` when absent. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** Masks `secret` in everything the runner shows from now on. */
export function setSecret(secret: string): void {
  issue('add-mask', secret);
}

export function info(message: string): void {
  process.stdout.write(`${message}${EOL}`);
}

export function debug(message: string): void {
  issue('debug', message);
}

export function notice(message: string): void {
  issue('notice', message);
}

export function warning(message: string): void {
  issue('warning', message);
}

export function error(message: string): void {
  issue('error', message);
}

/** The step fails: an `::error::` annotation and exit code 1 once the process ends. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  error(message);
}

/**
 * A step output, in the GITHUB_OUTPUT file as `name<<delimiter` blocks (a random delimiter, so a
 * value cannot end the block early); the deprecated `::set-output::` only without the file.
 */
export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (!file) {
    process.stdout.write(EOL);
    issue('set-output', value, { name });
    return;
  }
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`Unexpected input: an output contains the delimiter "${delimiter}"`);
  }
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
}

/** `::command key=value,...::message`, escaped as the runner unescapes it. */
function issue(command: string, message: string, properties: Record<string, string> = {}): void {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(',');
  process.stdout.write(`::${command}${props === '' ? '' : ` ${props}`}::${escapeData(message)}${EOL}`);
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
