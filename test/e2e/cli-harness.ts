/**
 * What the CLI's end-to-end files share: the built CLI run as a child process the way a shell runs
 * it, against fresh Neon, Amplify and SSM stand-ins per test (cli.test.ts, cli-usage.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import {
  AMPLIFY_TEST_CREDENTIALS,
  type AmplifyStandIn,
  amplifyClientEnv,
  startAmplifyStandIn,
} from '../fakes/amplify-server.js';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { type SsmStandIn, startSsmStandIn } from '../fakes/ssm-server.js';
import { type ChildRun, runChild } from './child-process.js';

export const ROOT = resolve(import.meta.dirname, '../..');
/** Node.js binaries of the machine itself, outside the project's own Node 24. */
export const OLD_NODES = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].filter((file) =>
  existsSync(file),
);

export function major(node: string): number | undefined {
  try {
    return Number(/^v(\d+)/.exec(execFileSync(node, ['--version'], { encoding: 'utf8' }))?.[1]);
  } catch {
    return undefined;
  }
}
export const CLI = join(ROOT, 'dist/cli/index.js');
/** The Node.js the CLI runs on in the current test (useNode). */
let node = process.execPath;
export const APP_ID = 'd1a2b3c4d5e6f7';
export const KEY_PARAMETER = '/neon/api-key';

// Live bindings: each test's own stand-ins and folder, set by the hooks of useCliStandIns().
export let neon: NeonStandIn;
export let amplify: AmplifyStandIn;
export let ssm: SsmStandIn;
export let cwd: string;

export type Run = ChildRun;

/** Fresh Neon, Amplify and SSM stand-ins and an empty working folder for every test of the file. */
export function useCliStandIns(): void {
  beforeEach(async () => {
    neon = await startNeonStandIn({ operationSteps: 0, operationDurationMs: null });
    amplify = await startAmplifyStandIn();
    // One role for everything, as in a build: SSM accepts the same key as Amplify.
    ssm = await startSsmStandIn({ credentials: [{ ...AMPLIFY_TEST_CREDENTIALS }] });
    ssm.putParameter({ name: KEY_PARAMETER, value: neon.apiKey });
    amplify.addApp({ appId: APP_ID });
    cwd = await mkdtemp(join(tmpdir(), 'cli-e2e-'));
  });

  afterEach(async () => {
    expect(neon.violations).toEqual([]);
    await Promise.all([neon.close(), amplify.close(), ssm.close()]);
    await rm(cwd, { recursive: true, force: true });
  });
}

/** The CLI of the tests that follow runs on `bin`. */
export function useNode(bin: string): void {
  beforeEach(() => {
    node = bin;
  });
}

/** The environment a shell has: nothing of this process's own, only what the test gives it. */
export function baseEnv(): Record<string, string> {
  return {
    PATH: `${dirname(node)}:/usr/bin:/bin`,
    HOME: cwd,
    ...amplifyClientEnv(amplify),
    AWS_ENDPOINT_URL_SSM: ssm.url,
    NEON_API_HOST: neon.url,
    NEON_PROJECT_ID: neon.projectId,
  };
}

/** What Amplify puts into the environment of every build. */
export function buildEnv(branch: string): Record<string, string> {
  return { ...baseEnv(), AWS_APP_ID: APP_ID, AWS_BRANCH: branch };
}

export function run(
  args: string[],
  env: Record<string, string>,
  command: string[] = [node, CLI],
): Promise<Run> {
  const [file = '', ...rest] = command;
  return runChild(file, [...rest, ...args], { cwd, env });
}

/** The connection string's parts, checked against the stand-in's own records of the branch. */
export function expectUrlOfBranch(url: string | undefined, branchName: string, options: { pooled: boolean }) {
  const branch = neon.branchByName(branchName);
  expect(branch, `Neon branch ${branchName}`).toBeDefined();
  const endpoint = neon.state.endpoints.find((candidate) => candidate.branch_id === branch?.id);
  expect(endpoint).toBeDefined();
  const parsed = new URL(url ?? '');
  expect(parsed.username).toBe('neondb_owner');
  expect(decodeURIComponent(parsed.password)).toBe(neon.passwordOf(branch?.id ?? '', 'neondb_owner'));
  expect(parsed.pathname).toBe('/neondb');
  const hostId = parsed.hostname.split('.')[0];
  expect(hostId).toBe(options.pooled ? `${endpoint?.id}-pooler` : endpoint?.id);
}

export function secretsOf(branchName: string): string[] {
  const branch = neon.branchByName(branchName);
  return [neon.apiKey, neon.passwordOf(branch?.id ?? '', 'neondb_owner') ?? 'no-password'];
}
