import { spawn } from 'node:child_process';

/** How a child process ended and everything it printed. */
export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `file` with `args` as a shell would (no stdin) and collects its output until it exits. */
export function runChild(
  file: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<ChildRun> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
