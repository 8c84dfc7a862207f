import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { MigrationError } from '../core/errors.js';
import { formatDuration } from '../core/poll.js';
import type { MigrationInput } from '../core/ports.js';

/** Lines of output kept for the error message of a failed migration. */
const TAIL_LINES = 20;
/** After SIGTERM, how long the process group has before SIGKILL. */
const KILL_GRACE_MS = 5_000;

/**
 * Runs `migrate-command` through the shell in the current directory (the workspace), in a process
 * group of its own so that a timeout stops the command and everything it started (a migration
 * tool's children, a `sh -c` pipeline), not only the shell. Output is passed on line by line, as it
 * comes, to the log, which masks every secret; the last lines are kept for the error.
 */
export function runShellMigration(input: MigrationInput): Promise<void> {
  const child = spawn(input.command, {
    shell: true,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...input.env },
  });
  const tail: string[] = [];
  const take = (line: string) => {
    input.log.info(line);
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  createInterface({ input: child.stdout }).on('line', take);
  createInterface({ input: child.stderr }).on('line', take);

  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stopGroup(child.pid, 'SIGTERM');
      setTimeout(() => stopGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
    }, input.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new MigrationError(`migrate-command could not be started: ${error.message}`, { tail }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        stopGroup(child.pid, 'SIGKILL');
        const limit = formatDuration(input.timeoutMs);
        reject(
          new MigrationError(`migrate-command timed out after ${limit} (migrate-timeout-minutes)`, { tail }),
        );
      } else if (code === 0) {
        resolve();
      } else {
        const how = code === null ? `was stopped by ${signal}` : `exited with code ${code}`;
        reject(new MigrationError(`migrate-command ${how}`, { tail, exitCode: code ?? undefined }));
      }
    });
  });
}

/** Signals the whole process group; a group already gone is fine. */
function stopGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already ended.
  }
}
