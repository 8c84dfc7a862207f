import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MigrationError } from '../../src/core/errors.js';
import { runShellMigration } from '../../src/migrate/shell.js';
import { waitFor } from '../wait-for.js';

let dir: string;
/** Processes a test started that could outlive it; killed whatever the test's outcome. */
const strays: number[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'migrate-'));
});
afterEach(async () => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await rm(dir, { recursive: true, force: true });
});

async function pidIn(file: string): Promise<number> {
  const pid = Number(await readFile(file, 'utf8'));
  strays.push(pid);
  return pid;
}

/** Waits until the process has ended: a killed process takes a moment to be gone. */
async function gone(pid: number): Promise<void> {
  await vi.waitFor(async () => expect(await alive(pid)).toBe(false), { timeout: 5_000, interval: 20 });
}

function logger() {
  const lines: string[] = [];
  return {
    lines,
    log: { info: (m: string) => lines.push(m), warning: (m: string) => lines.push(m), debug: () => {} },
  };
}

/** Running, not a zombie: a killed orphan may wait as a zombie for a PID 1 that does not reap. */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe('runShellMigration', () => {
  it('runs through the shell with the branch variables, streaming every line of stdout and stderr', async () => {
    const { lines, log } = logger();
    await runShellMigration({
      command: 'echo "to $NEON_BRANCH_NAME ($NEON_BRANCH_ID)"; echo "on stderr" >&2; printf "no newline"',
      env: { DATABASE_URL: 'postgresql://u:p@h/db', NEON_BRANCH_ID: 'br-1', NEON_BRANCH_NAME: 'preview/x' },
      passEnv: [],
      secrets: [],
      timeoutMs: 10_000,
      log,
    });
    expect(lines.sort()).toEqual(['no newline', 'on stderr', 'to preview/x (br-1)']);
  });

  it('a failure carries the exit code and the last lines', async () => {
    const { log } = logger();
    const run = runShellMigration({
      command: 'for i in $(seq 1 30); do echo "line $i"; done; exit 3',
      env: {},
      passEnv: [],
      secrets: [],
      timeoutMs: 10_000,
      log,
    });
    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/^migrate-command exited with code 3; nothing was written to Amplify/),
      // Lines are kept by their size (8 KiB), not their number.
      tail: Array.from({ length: 30 }, (_, i) => `line ${i + 1}`),
    });
  });

  it('a hanging command is stopped at its timeout with everything it started', async () => {
    const { log } = logger();
    const pidFile = join(dir, 'child.pid');
    // A background child that would outlive its shell if only the shell were killed.
    const run = runShellMigration({
      command: `sleep 60 & echo $! > ${pidFile}; echo started; wait`,
      env: {},
      passEnv: [],
      secrets: [],
      timeoutMs: 500,
      log,
    });
    await expect(run).rejects.toThrow(/migrate-command timed out after 500 ms \(migrate-timeout-minutes\)/);
    const childPid = Number(await readFile(pidFile, 'utf8'));
    // The kill is sent by the time the run rejects; the process takes a moment to go.
    await waitFor(
      `the command's background child ${childPid} to be gone`,
      async () => !(await alive(childPid)),
      {
        withinMs: 5_000,
      },
    );
  });

  it('past the limit, what the command started keeps its grace after SIGTERM though the shell died at once', async () => {
    const { lines, run } = migration(
      `sh -c 'trap "sleep 0.3; echo released the lock; exit 0" TERM; while :; do sleep 0.05; done' & wait`,
      { timeoutMs: 500 },
    );
    await expect(run).rejects.toThrow(/timed out/);
    expect(lines).toContain('released the lock');
  });

  it('exit 0 resolves', async () => {
    const { log } = logger();
    await expect(
      runShellMigration({ command: 'true', env: {}, passEnv: [], secrets: [], timeoutMs: 5_000, log }),
    ).resolves.toBeUndefined();
  });
});

function migration(command: string, options: { timeoutMs?: number; secrets?: string[] } = {}) {
  const { lines, log } = logger();
  const run = runShellMigration({
    command,
    env: {},
    passEnv: [],
    secrets: options.secrets ?? [],
    timeoutMs: options.timeoutMs ?? 20_000,
    log,
  });
  return { lines, run };
}

const KiB = 1024;
const URL_SECRET = 'postgresql://neondb_owner:s3cret-Passw0rd@ep-x.us-east-2.aws.neon.tech/neondb';

describe('runShellMigration: it has ended when its shell exits', () => {
  it('a background child left behind keeps neither the run nor its limit waiting, and is stopped', async () => {
    const pidFile = join(dir, 'child.pid');
    const { lines, run } = migration(`sleep 300 & echo $! > ${pidFile}; echo done; exit 0`);
    await expect(run).resolves.toBeUndefined();
    const pid = await pidIn(pidFile);
    expect(lines).toEqual(['done']);
    await gone(pid);
  });

  it('the limit holds when a child outside the process group keeps the output open', async () => {
    const pidFile = join(dir, 'escaped.pid');
    const { run } = migration(`setsid sleep 300 & echo $! > ${pidFile}; sleep 300`, { timeoutMs: 1_000 });
    const settled = await run.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    const pid = await pidIn(pidFile);
    expect(settled).toMatch(/timed out after 1 s \(migrate-timeout-minutes\)/);
    // Found by the variable every process of the run inherits (Linux /proc; src/migrate/escaped.ts).
    await gone(pid);
  });

  it('a child that left the process group is stopped when the shell exits too', async () => {
    const pidFile = join(dir, 'escaped.pid');
    const { lines, run } = migration(`setsid sleep 300 & echo $! > ${pidFile}; echo done`);
    await expect(run).resolves.toBeUndefined();
    const pid = await pidIn(pidFile);
    expect(lines).toEqual(['done']);
    await gone(pid);
  });
});

describe('runShellMigration: output bounds', () => {
  it('cuts a line at 64 KiB: 80 MB without a newline is one line of 64 KiB, and the next line follows', async () => {
    const { lines, run } = migration(`head -c 80000000 /dev/zero | tr '\\0' x; echo; echo after`);
    await run;
    expect(lines).toHaveLength(2);
    const [cut, after] = lines;
    expect(cut).toBe(`${'x'.repeat(64 * KiB)} … [line cut at 64 KiB]`);
    expect(after).toBe('after');
  });

  it('keeps at most 8 KiB of output for the error, ending with the last line', async () => {
    // 5 lines of 60 KB each, then a short last one.
    const { run } = migration(
      `for i in $(seq 1 5); do head -c 60000 /dev/zero | tr '\\0' y; echo; done; echo "the end"; exit 3`,
    );
    const error: MigrationError = await run.then(
      () => expect.fail('resolved'),
      (e: MigrationError) => e,
    );
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.tail.at(-1)).toBe('the end');
    expect(Buffer.byteLength(error.tail.join('\n'))).toBeLessThanOrEqual(8 * KiB);
    expect(Buffer.byteLength(error.tail.join('\n'))).toBeGreaterThan(7 * KiB);
    expect(Buffer.byteLength(error.message)).toBeLessThan(9 * KiB);
  });

  it('never leaves part of a secret where a line is cut, so masking whole values still hides it', async () => {
    // The URL straddles the 64 KiB cut: what is kept must not end with the start of it.
    const before = 64 * KiB - 20;
    const { lines, run } = migration(
      `head -c ${before} /dev/zero | tr '\\0' x; printf '%s' '${URL_SECRET}'; head -c 1000 /dev/zero | tr '\\0' z; echo`,
      { secrets: [URL_SECRET] },
    );
    await run;
    expect(lines).toEqual([`${'x'.repeat(before)} … [line cut at 64 KiB]`]);
  });

  it('never starts the kept tail with the end of a secret', async () => {
    // The last line is 6 KiB of x, the URL, then 8 KiB - 20 bytes of z: the 8 KiB kept start inside the URL.
    const after = 8 * KiB - 20;
    const { run } = migration(
      `head -c 6000 /dev/zero | tr '\\0' x; printf '%s' '${URL_SECRET}'; head -c ${after} /dev/zero | tr '\\0' z; echo; exit 1`,
      { secrets: [URL_SECRET] },
    );
    const error: MigrationError = await run.then(
      () => expect.fail('resolved'),
      (e: MigrationError) => e,
    );
    expect(error.tail).toHaveLength(1);
    expect(error.tail[0]).toMatch(/^… z+$/);
  });
});

describe('runShellMigration: a failure stays the migration', () => {
  it('a log that throws fails the migration instead of the process', async () => {
    const run = runShellMigration({
      command: 'echo one; echo two',
      env: {},
      passEnv: [],
      secrets: [],
      timeoutMs: 20_000,
      log: {
        info: () => {
          throw new RangeError('Invalid string length');
        },
        warning: () => {},
        debug: () => {},
      },
    });
    await expect(run).rejects.toThrow(
      /migrate-command's output could not be passed on: Invalid string length/,
    );
  });
});
