import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationError } from '../../src/core/errors.js';
import { runShellMigration } from '../../src/migrate/shell.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'migrate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

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
      timeoutMs: 10_000,
      log,
    });
    await expect(run).rejects.toThrow(MigrationError);
    await expect(run).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/^migrate-command exited with code 3; nothing was written to Amplify/),
      tail: Array.from({ length: 20 }, (_, i) => `line ${i + 11}`),
    });
  });

  it('a hanging command is stopped at its timeout with everything it started', async () => {
    const { log } = logger();
    const pidFile = join(dir, 'child.pid');
    // A background child that would outlive its shell if only the shell were killed.
    const run = runShellMigration({
      command: `sleep 60 & echo $! > ${pidFile}; echo started; wait`,
      env: {},
      timeoutMs: 500,
      log,
    });
    await expect(run).rejects.toThrow(/migrate-command timed out after 500 ms \(migrate-timeout-minutes\)/);
    const childPid = Number(await readFile(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await alive(childPid)).toBe(false);
  });

  it('exit 0 resolves', async () => {
    const { log } = logger();
    await expect(
      runShellMigration({ command: 'true', env: {}, timeoutMs: 5_000, log }),
    ).resolves.toBeUndefined();
  });
});
