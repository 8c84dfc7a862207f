import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';

export interface Timed {
  /** performance.now() just before spawn: "process start". */
  startedAt: number;
  exitedAt: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/** Ends whatever the bench started and is still running (on Ctrl-C or a failed measure). */
export function killStarted(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Runs a command to its end, with its output kept; a run past `timeoutMs` is killed and fails. */
export function runTimed(
  command: string,
  args: readonly string[],
  options: { env: Record<string, string>; cwd?: string; timeoutMs?: number },
): Promise<Timed> {
  const startedAt = performance.now();
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const timeoutMs = options.timeoutMs ?? 300_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolvePromise, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    // 'exit' rather than 'close': the time is when the process ended, not when its pipes drained.
    child.once('exit', (code) => {
      const exitedAt = performance.now();
      clearTimeout(timer);
      child.once('close', () => {
        running.delete(child);
        resolvePromise({ startedAt, exitedAt, code, stdout, stderr });
      });
    });
  });
}

/** The end of a child's output, for an error message. */
export function tail(run: Pick<Timed, 'stdout' | 'stderr'>, lines = 15): string {
  return `${run.stdout}\n${run.stderr}`.trim().split('\n').slice(-lines).join('\n');
}

interface ActionYml {
  inputs?: Record<string, { default?: unknown } | null>;
  runs?: { using?: string; main?: string };
}

export interface ActionInvocation {
  /** `node` and the action's main file. */
  main: string;
  env: Record<string, string>;
  /** The GITHUB_OUTPUT file, to read back. */
  outputFile: string;
  /** Removes the run's scratch folder. */
  cleanup(): void;
}

/**
 * What the GitHub runner hands a JavaScript action (see test/e2e/run-action.ts, which the e2e
 * tests use for ours): every input of its action.yml as INPUT_<NAME> with its default when not
 * given, the event in GITHUB_EVENT_PATH, and the runner's command files. Written for any
 * action.yml, so the official create-branch-action runs under the same rules as ours.
 */
export function actionInvocation(options: {
  actionDir: string;
  inputs: Record<string, string>;
  event: { name: string; payload: unknown; ref?: string };
  env: Record<string, string>;
}): ActionInvocation {
  const yml = parse(readFileSync(join(options.actionDir, 'action.yml'), 'utf8')) as ActionYml;
  const using = yml.runs?.using ?? '';
  if (!/^node\d+$/.test(using) || yml.runs?.main === undefined) {
    throw new Error(
      `${options.actionDir}/action.yml runs '${using}', not a node main file: only JavaScript actions can be run here`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-action-'));
  const files = {
    event: join(dir, 'event.json'),
    output: join(dir, 'output'),
    summary: join(dir, 'summary'),
    env: join(dir, 'env'),
  };
  writeFileSync(files.event, JSON.stringify(options.event.payload));
  for (const file of [files.output, files.summary, files.env]) writeFileSync(file, '');
  const ref = (options.event.payload as { ref?: unknown }).ref;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_REF:
      options.event.ref ?? (typeof ref === 'string' && ref.startsWith('refs/') ? ref : 'refs/heads/main'),
    GITHUB_REPOSITORY: 'Codertocat/Hello-World',
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
  };
  const declared = yml.inputs ?? {};
  for (const [name, spec] of Object.entries(declared)) {
    const fallback = spec?.default;
    // An expression default (`${{ github.token }}`) is the runner's to fill; a token-shaped value stands in.
    const value =
      options.inputs[name] ??
      (typeof fallback === 'string' && fallback.includes('${{')
        ? 'ghs_faketoken0000000000000000000000'
        : fallback === undefined
          ? undefined
          : String(fallback));
    // @actions/core reads INPUT_ + the name with spaces as underscores, upper-cased.
    if (value !== undefined) env[`INPUT_${name.replaceAll(' ', '_').toUpperCase()}`] = value;
  }
  for (const name of Object.keys(options.inputs)) {
    if (!(name in declared)) throw new Error(`${options.actionDir}/action.yml has no input '${name}'`);
  }
  Object.assign(env, options.env);
  return {
    main: resolve(options.actionDir, yml.runs.main),
    env,
    outputFile: files.output,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
