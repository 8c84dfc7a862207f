import { readdir, readFile } from 'node:fs/promises';

/**
 * Set in the environment of every migration, with a value of its own: each process the command
 * starts inherits it, including one that left the process group (`setsid`, a daemon's double
 * fork), so it finds what a signal to the group misses.
 */
export const RUN_MARKER = 'NEON_AMPLIFY_BRANCH_MIGRATION';
/** A process found may have forked while the others were read: look again, a few times. */
const ROUNDS = 3;

/**
 * SIGKILLs every process whose environment (as it was at its exec, in /proc/{pid}/environ) holds
 * this run's marker. What it cannot find: a process that exec'd with an environment of its own
 * (`env -i`, sudo), one of another user (its environ is not readable), and anything on a system
 * without /proc (macOS), where only the process group is stopped. Resolves with how many it killed.
 */
export async function killMarked(value: string): Promise<number> {
  const needle = `${RUN_MARKER}=${value}`;
  let killed = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const found = await findMarked(needle);
    for (const pid of found) {
      try {
        process.kill(pid, 'SIGKILL');
        killed += 1;
      } catch {
        // Ended meanwhile.
      }
    }
    if (found.length === 0) break;
  }
  return killed;
}

async function findMarked(needle: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const pids = entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
  const marked = await Promise.all(
    pids.map(async (pid) => {
      if (pid === process.pid) return false;
      try {
        const environ = await readFile(`/proc/${pid}/environ`, 'latin1');
        return environ.split('\0').includes(needle);
      } catch {
        return false;
      }
    }),
  );
  return pids.filter((_, index) => marked[index]);
}
