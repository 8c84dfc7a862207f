/**
 * The previews as shipped (dist/cli/index.js, a child process) against the Neon and Amplify
 * stand-ins: `list`, checked against the stand-ins' own records and never printing a connection
 * string or password.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AmplifyStandIn, amplifyClientEnv, startAmplifyStandIn } from '../fakes/amplify-server.js';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { type ChildRun, runChild } from './child-process.js';

const CLI = join(resolve(import.meta.dirname, '../..'), 'dist/cli/index.js');
const APP_ID = 'd1a2b3c4d5e6f7';

let neon: NeonStandIn;
let amplify: AmplifyStandIn;
let cwd: string;

beforeEach(async () => {
  neon = await startNeonStandIn({ operationSteps: 0, operationDurationMs: null });
  amplify = await startAmplifyStandIn();
  amplify.addApp({ appId: APP_ID });
  cwd = await mkdtemp(join(tmpdir(), 'cli-list-'));
});

afterEach(async () => {
  expect(neon.violations).toEqual([]);
  await Promise.all([neon.close(), amplify.close()]);
  await rm(cwd, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: cwd,
    ...amplifyClientEnv(amplify),
    NEON_API_HOST: neon.url,
    NEON_PROJECT_ID: neon.projectId,
    NEON_API_KEY: neon.apiKey,
    AMPLIFY_APP_ID: APP_ID,
    ...extra,
  };
}

function run(args: string[], extra: Record<string, string> = {}): Promise<ChildRun> {
  return runChild(process.execPath, [CLI, ...args], { cwd, env: env(extra) });
}

describe('list', () => {
  it('one row per preview, from the stand-ins, as JSON and as a table, never a connection string', async () => {
    const deploy = await run(['deploy', '--git-branch=feat/x', '--expires-in=7d']);
    expect(deploy.stderr).not.toContain('error:');
    expect(deploy.code).toBe(0);
    const orphan = neon.addBranch({ name: 'preview/orphan' });
    neon.addBranch({ name: 'other/feat/x' });
    const branch = neon.branchByName('preview/feat/x');
    const started = amplify.branch(APP_ID, 'feat/x')?.jobs[0];
    // A job that has ended stays as it is, however often it is read.
    const job = amplify.setJobStatus(APP_ID, 'feat/x', started?.jobId ?? '', 'SUCCEED');
    const writes = () => [...neon.requests, ...amplify.requests].filter((r) => r.method !== 'GET').length;
    const writesBefore = writes();

    const json = await run(['list', '--output=json']);
    expect(json.stderr).not.toContain('error:');
    expect(json.code).toBe(0);
    const previews = JSON.parse(json.stdout).previews;
    expect(previews).toEqual([
      {
        gitBranch: 'feat/x',
        neonBranch: { id: branch?.id, name: 'preview/feat/x' },
        createdAt: branch?.created_at,
        expiresAt: branch?.expires_at,
        amplifyBranch: 'feat/x',
        lastJob: { id: job.jobId, status: 'SUCCEED' },
      },
      { neonBranch: { id: orphan.id, name: 'preview/orphan' }, createdAt: orphan.created_at },
    ]);
    expect(branch?.expires_at).toBeTruthy();

    const table = await run(['list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]?.split(/\s+/)).toEqual([
      'feat/x',
      'preview/feat/x',
      branch?.id,
      branch?.created_at,
      branch?.expires_at,
      'feat/x',
      job.jobId,
      'SUCCEED',
    ]);
    const password = neon.passwordOf(branch?.id ?? '', 'neondb_owner') ?? 'no-password';
    for (const output of [json.stdout, json.stderr, table.stdout, table.stderr]) {
      expect(output).not.toContain(password);
      expect(output).not.toContain('postgresql://');
    }
    // Reads only: nothing was created, changed or deleted by either list.
    expect(writes()).toBe(writesBefore);
  });
});

describe("Amplify's own pull request previews", () => {
  /** What Amplify sets in the build of pull request 7's preview (its branch is pr-7). */
  const PREVIEW_BUILD = {
    AWS_APP_ID: APP_ID,
    AWS_BRANCH: 'pr-7',
    AWS_PULL_REQUEST_ID: '7',
    AWS_PULL_REQUEST_SOURCE_BRANCH: 'feature/cart',
    AWS_PULL_REQUEST_DESTINATION_BRANCH: 'main',
  };

  it('deploy uses preview/pr-7, not the source branch; reconcile deletes it once Amplify removed pr-7', async () => {
    amplify.addBranch(APP_ID, 'pr-7');
    const deploy = await run(['deploy', '--write-env=.env'], PREVIEW_BUILD);
    expect(deploy.stderr).not.toContain('error:');
    expect(deploy.code).toBe(0);
    expect(neon.branchByName('preview/pr-7')).toBeDefined();
    expect(neon.branchByName('preview/feature/cart')).toBeUndefined();
    // Inside the build: Amplify is left alone (no variable written, no job started).
    expect(amplify.branch(APP_ID, 'pr-7')?.jobs).toEqual([]);

    // The pull request is open: reconcile keeps its preview.
    expect((await run(['reconcile'])).code).toBe(0);
    expect(neon.branchByName('preview/pr-7')).toBeDefined();

    // Amplify deletes pr-7 when the pull request closes and tells nobody: reconcile is the cleanup.
    amplify.state.apps.get(APP_ID)?.branches.delete('pr-7');
    expect(amplify.branch(APP_ID, 'pr-7')).toBeUndefined();
    const reconcile = await run(['reconcile', '--output=json']);
    expect(reconcile.code).toBe(0);
    expect(JSON.parse(reconcile.stdout).reconcile.deleted).toEqual(['preview/pr-7']);
    expect(neon.branchByName('preview/pr-7')).toBeUndefined();
  });
});
