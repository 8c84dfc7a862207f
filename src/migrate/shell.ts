import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { formatDuration } from '../core/duration.js';
import { MigrationError, messageOf } from '../core/errors.js';
import type { MigrationInput } from '../core/ports.js';
import { migrationEnvironment } from './environment.js';
import { killMarked, RUN_MARKER } from './escaped.js';
import { LineSplitter, OutputTail } from './output.js';

/** After SIGTERM, how long the process group has before SIGKILL. */
const KILL_GRACE_MS = 5_000;
/**
 * Once the shell has exited and what it started is killed, how long its output may take to end.
 * Output still open past it is held by a process this run could not find (src/migrate/escaped.ts):
 * it is not waited for.
 */
const DRAIN_MS = 2_000;

/**
 * Runs `migrate-command` through the shell in the current directory (the workspace), in a process
 * group of its own so that a timeout stops the command and everything it started (a migration
 * tool's children, a `sh -c` pipeline), not only the shell. Output is passed on line by line, as it
 * comes, to the log, which masks every secret; the last 8 KiB are kept for the error.
 *
 * The command has ended when its shell exits: what it left running in the background is killed
 * with the group (and, found by its environment, what left the group), and its output is not
 * waited for longer than DRAIN_MS, so neither a background child nor one that escaped (and holds
 * the pipes open) keeps the run or its limit waiting. Nothing escapes the returned promise: whatever goes wrong (the log throwing, a stream
 * error) fails this migration only, never the process around it (a webhook server).
 */
export function runShellMigration(input: MigrationInput): Promise<void> {
  return new Promise((resolve, reject) => {
    new ShellRun(input, (error) => (error === undefined ? resolve() : reject(error))).start();
  });
}

class ShellRun {
  private readonly tail: OutputTail;
  private readonly marker = randomUUID();
  private child: ChildProcess | undefined;
  private streams: Readable[] = [];
  private splitters: LineSplitter[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  /** The first error of the run itself (the log throwing): it decides the outcome. */
  private failure: unknown;
  private startError: Error | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private limit: NodeJS.Timeout | undefined;
  private timedOut = false;
  private settled = false;

  constructor(
    private readonly input: MigrationInput,
    private readonly done: (error?: MigrationError) => void,
  ) {
    this.tail = new OutputTail(input.secrets);
  }

  start(): void {
    const child = spawn(this.input.command, {
      shell: true,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: migrationEnvironment(process.env, this.input.passEnv, {
        ...this.input.env,
        [RUN_MARKER]: this.marker,
      }),
    });
    this.child = child;
    this.streams = [child.stdout, child.stderr].filter((s): s is Readable => s !== null);
    this.splitters = this.streams.map((stream) => {
      const splitter = new LineSplitter((line) => this.take(line), this.input.secrets);
      stream.on('data', (chunk: Buffer) => this.guard(() => splitter.push(chunk)));
      stream.on('end', () => this.guard(() => splitter.end()));
      stream.on('error', () => {
        // The pipe broke: what came is logged; the shell's exit decides the outcome.
      });
      return splitter;
    });
    this.limit = this.later(this.input.timeoutMs, () => this.onTimeout());
    child.on('error', (error) => {
      this.startError = error;
      this.finish();
    });
    child.on('exit', (code, signal) => this.onExit(code, signal));
    child.on('close', () => this.finish());
  }

  private take(line: string): void {
    if (this.failure !== undefined) return;
    this.input.log.info(line);
    this.tail.add(line);
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.failure ??= error;
      this.killAll();
    }
  }

  private later(ms: number, then: () => void): NodeJS.Timeout {
    const timer = setTimeout(then, ms);
    this.timers.push(timer);
    return timer;
  }

  private onTimeout(): void {
    this.timedOut = true;
    this.stop('SIGTERM');
    this.later(KILL_GRACE_MS, () => {
      this.killAll();
      // A shell that does not end even then is not waited for.
      this.later(DRAIN_MS, () => this.finish());
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exit = { code, signal };
    // Its end is the command's end: the limit no longer runs while its output drains.
    clearTimeout(this.limit);
    // Past the limit, the group keeps its grace after SIGTERM (onTimeout): the shell dies at once,
    // a migration tool may need a moment to release its lock.
    if (this.timedOut) return;
    // Whatever the shell left behind goes with it.
    this.killAll();
    this.later(DRAIN_MS, () => {
      if (this.streams.some((stream) => !stream.readableEnded)) {
        this.guard(() =>
          this.input.log.warning(
            'migrate-command exited, but a process it started still holds its output (one that left its process group and its environment): not waiting for it',
          ),
        );
      }
      this.finish();
    });
  }

  private finish(): void {
    if (this.settled) return;
    // Nothing of the run outlives it, whichever way it ended.
    this.killAll();
    for (const splitter of this.splitters) this.guard(() => splitter.end());
    this.settled = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const stream of this.streams) stream.destroy();
    this.done(this.outcome());
  }

  private outcome(): MigrationError | undefined {
    const tail = this.tail.get();
    if (this.startError !== undefined) {
      return new MigrationError(`migrate-command could not be started: ${this.startError.message}`, { tail });
    }
    if (this.failure !== undefined) {
      const how = `migrate-command's output could not be passed on: ${messageOf(this.failure)}`;
      return new MigrationError(how, { tail });
    }
    if (this.timedOut) {
      const limit = formatDuration(this.input.timeoutMs);
      return new MigrationError(`migrate-command timed out after ${limit} (migrate-timeout-minutes)`, {
        tail,
      });
    }
    const code = this.exit?.code ?? null;
    if (code === 0) return undefined;
    const how =
      code === null ? `was stopped by ${this.exit?.signal ?? 'a signal'}` : `exited with code ${code}`;
    return new MigrationError(`migrate-command ${how}`, { tail, exitCode: code ?? undefined });
  }

  /** The process group, and the processes that left it but still carry this run's marker. */
  private killAll(): void {
    this.stop('SIGKILL');
    killMarked(this.marker).catch(() => {
      // Best effort: what it cannot find, it cannot stop.
    });
  }

  /** Signals the whole process group; a group already gone is fine. */
  private stop(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already ended.
    }
  }
}
