/**
 * The built CLI reports on GitHub when given a token and GITHUB_REPOSITORY (as in a GitHub Actions
 * `run:` step or another CI that sets them), and sends nothing to GitHub without them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GITHUB_TEST_TOKEN } from '../fakes/github-server.js';
import { type ChildRun, runChild } from './child-process.js';
import { RUNTIME_NODE, supportedNodes } from './supported-nodes.js';
import { APP_ID, startWorld, type World } from './world.js';

const CLI = join(resolve(import.meta.dirname, '../..'), 'dist/cli/index.js');

let world: World;
let cwd: string;
/** The Node.js the CLI runs on in the current test: the suite runs on every one of supportedNodes(). */
let node = process.execPath;
beforeEach(async () => {
  world = await startWorld();
  cwd = await mkdtemp(join(tmpdir(), 'cli-github-'));
});
afterEach(async () => {
  await world.close();
  await rm(cwd, { recursive: true, force: true });
});

function cli(args: string[], env: Record<string, string>): Promise<ChildRun> {
  return runChild(node, [CLI, ...args], {
    cwd,
    env: {
      PATH: `${dirname(node)}:/usr/bin:/bin`,
      HOME: cwd,
      ...world.awsEnv,
      NEON_API_KEY: world.neon.apiKey,
      NEON_API_HOST: world.neon.url,
      NEON_PROJECT_ID: world.neon.projectId,
      AMPLIFY_APP_ID: APP_ID,
      ...env,
    },
  });
}

describe.each(supportedNodes())('the CLI on GitHub, on $name', ({ bin }) => {
  beforeEach(() => {
    node = bin;
  });

  it('with GITHUB_TOKEN and GITHUB_REPOSITORY: the comment and the deployment of GITHUB_SHA', async () => {
    const sha = world.github.addBranch('feat/cli');
    const pull = world.github.addPullRequest({ head: 'feat/cli' });
    const run = await cli(['deploy', '--git-branch', 'feat/cli'], {
      GITHUB_TOKEN: GITHUB_TEST_TOKEN,
      GITHUB_REPOSITORY: 'Codertocat/Hello-World',
      GITHUB_SHA: sha,
    });
    expect(run.code).toBe(0);
    expect(world.github.comments(pull.number)).toHaveLength(1);
    const [deployment] = world.github.deployments('preview/feat/cli');
    expect(deployment?.sha).toBe(sha);
    expect(deployment?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(run.stderr).not.toContain(GITHUB_TEST_TOKEN);
  });
});

/** A settings check, the bundle's own code: on Node 24, the runtime, only. */
describe(`the CLI on GitHub, on ${RUNTIME_NODE.name}`, () => {
  beforeEach(() => {
    node = RUNTIME_NODE.bin;
  });

  it('with a token but no GITHUB_REPOSITORY: says so, and sends nothing to GitHub', async () => {
    const run = await cli(['deploy', '--git-branch', 'feat/cli', '--github-token', GITHUB_TEST_TOKEN], {});
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('no GITHUB_REPOSITORY');
    expect(world.github.requests).toEqual([]);
  });
});
