import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../..');
const actionYml = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>;
};

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  githubEnv: string;
}

export interface RunActionOptions {
  event: { name: string; payload: unknown; ref?: string };
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** Inputs to leave out entirely, as if the runner had not passed them. */
  omit?: string[];
}

/**
 * Runs the built dist/index.js the way the runner does: `node` on the file, every input of
 * action.yml as `INPUT_<NAME>` (upper-cased, hyphens kept) with its default when not given, the
 * event payload in a file named by GITHUB_EVENT_PATH, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY /
 * GITHUB_ENV files to read back.
 */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const dir = mkdtempSync(join(tmpdir(), 'action-run-'));
  try {
    const files = {
      event: join(dir, 'event.json'),
      output: join(dir, 'output'),
      summary: join(dir, 'summary'),
      env: join(dir, 'env'),
    };
    writeFileSync(files.event, JSON.stringify(options.event.payload));
    for (const file of [files.output, files.summary, files.env]) writeFileSync(file, '');

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
      GITHUB_REF: options.event.ref ?? refOf(options.event.payload),
      GITHUB_REPOSITORY: 'Codertocat/Hello-World',
      GITHUB_WORKSPACE: dir,
      RUNNER_TEMP: dir,
      // No instance metadata service here: never let the AWS SDK wait for one.
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    for (const [name, spec] of Object.entries(actionYml.inputs)) {
      if (options.omit?.includes(name)) continue;
      const given = options.inputs[name];
      // The runner fills github-token's default from the expression action.yml gives.
      const fallback = spec.default?.includes('github.token')
        ? 'ghs_faketoken0000000000000000000000'
        : spec.default;
      const value = given ?? fallback;
      if (value !== undefined) env[`INPUT_${name.toUpperCase()}`] = value;
    }
    for (const name of Object.keys(options.inputs)) {
      if (!(name in actionYml.inputs)) throw new Error(`test passes unknown input ${name}`);
    }
    Object.assign(env, options.env);

    const child = spawn(process.execPath, [join(root, 'dist/index.js')], { env, cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exitCode = await new Promise<number | null>((done) => child.on('close', done));
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseOutputFile(readFileSync(files.output, 'utf8')),
      summary: readFileSync(files.summary, 'utf8'),
      githubEnv: readFileSync(files.env, 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function refOf(payload: unknown): string {
  const ref = (payload as { ref?: unknown }).ref;
  return typeof ref === 'string' && ref.startsWith('refs/') ? ref : 'refs/heads/main';
}

/** The runner's file format: `name<<DELIMITER\nvalue\nDELIMITER\n`, one block per output. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match as unknown as [string, string, string];
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    outputs[name] = value.join('\n');
  }
  return outputs;
}
