/**
 * The built CLI (dist/cli/index.js) against a Neon stand-in on the Free plan's root-branch limit:
 * the third concurrent schema-only preview (the default branch is the first root) fails with exit 1
 * and a message that says which limit, which plans hold how many, and what to change.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { NEON_ROOT_BRANCH_LIMITS, type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { type ChildRun, runChild } from './child-process.js';

const CLI = join(resolve(import.meta.dirname, '../..'), 'dist/cli/index.js');

let neon: NeonStandIn;
let cwd: string;

beforeEach(async () => {
  neon = await startNeonStandIn({
    operationSteps: 0,
    operationDurationMs: null,
    rootBranchLimit: NEON_ROOT_BRANCH_LIMITS.free,
  });
  cwd = await mkdtemp(join(tmpdir(), 'cli-root-limit-'));
});

afterEach(async () => {
  expect(neon.violations).toEqual([]);
  await neon.close();
  await rm(cwd, { recursive: true, force: true });
});

/** Inside an Amplify build: the CLI writes the dotenv file and calls Neon only. */
function deploy(branch: string): Promise<ChildRun> {
  const env = {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: cwd,
    AWS_APP_ID: 'd1a2b3c4d5e6f7',
    AWS_BRANCH: branch,
    AWS_REGION: 'us-east-1',
    NEON_API_HOST: neon.url,
    NEON_PROJECT_ID: neon.projectId,
    NEON_API_KEY: neon.apiKey,
    BRANCH_TYPE: 'schema-only',
  };
  return runChild(process.execPath, [CLI, 'deploy', '--write-env', `.env.${branch}`], { cwd, env });
}

it('the third schema-only preview on the Free plan fails naming the root-branch limit and branch-type', async () => {
  expect((await deploy('feat-a')).code).toBe(0);
  expect((await deploy('feat-b')).code).toBe(0);

  const third = await deploy('feat-c');

  expect(third.code).toBe(1);
  expect(third.stderr).toContain(
    "Creating Neon branch 'preview/feat-c' failed: 422 ROOT_BRANCHES_LIMIT_EXCEEDED",
  );
  expect(third.stderr).toContain('root-branch limit');
  expect(third.stderr).toContain('3 on Free, 5 on Launch, 10 on Scale, 25 on Business');
  expect(third.stderr).toContain('branch-type: schema-only');
  expect(neon.branchByName('preview/feat-c')).toBeUndefined();
  expect(neon.requestsTo('POST', `/projects/${neon.projectId}/branches`)).toHaveLength(3);
});
