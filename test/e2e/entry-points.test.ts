/**
 * One test per shipped entry point this file covers: the action (dist/index.js), the CLI
 * (dist/cli/index.js), the webhook server (dist/webhook/index.js) and the single Lambda
 * (dist/lambda/index.js), each run as it ships: its own defaults, nothing handed in but the
 * endpoints of the Neon, Amplify and GitHub stand-ins, the credentials and a GitHub token. Each
 * deploys a branch that has an open pull request, then cleans it up, and the test reads the end
 * state from the stand-ins: the Neon branch, the Amplify variable and job, the pull request
 * comment and the deployment. (The queued receiver and worker have theirs in
 * webhook-queued-*.test.ts.)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GITHUB_TEST_TOKEN, type StandInPull } from '../fakes/github-server.js';
import { pullRequest, pushTo } from '../fixtures/payloads.js';
import { post, type SignedDelivery, signedDelivery } from '../fixtures/webhook-deliveries.js';
import { runChild } from './child-process.js';
import { lambdaEnvironment } from './lambda-environment.js';
import { runAction } from './run-action.js';
import {
  LAMBDA_ENTRY,
  requireBuilt,
  standInEnv,
  startWebhookProcess,
  WEBHOOK_ENTRY,
} from './webhook-process.js';
import { APP_ID, EXAMPLE_PUSH_SHA, startWorld, type World } from './world.js';

const root = resolve(import.meta.dirname, '../..');
const CLI_ENTRY = join(root, 'dist/cli/index.js');
const BRANCH = 'feature/entry';
const REPOSITORY = 'Codertocat/Hello-World';
/** A variable the app's team set on the branch before: every run must leave it as it was. */
const KEPT = { API_ORIGIN: 'https://api.example.com' };

let world: World | undefined;
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  const w = world;
  world = undefined;
  if (w === undefined) return;
  await w.close();
  // Every request fitted Neon's and GitHub's descriptions, and so did every answer.
  expect(w.neon.violations).toEqual([]);
  expect(w.github.violations).toEqual([]);
});

/** The stand-ins, an Amplify branch with a variable of its own, and an open pull request. */
async function setUp(): Promise<{ w: World; pull: StandInPull }> {
  world = await startWorld({ operationDurationMs: null });
  world.amplify.addBranch(APP_ID, BRANCH, { environmentVariables: { ...KEPT } });
  const pull = world.github.addPullRequest({ head: BRANCH, headSha: EXAMPLE_PUSH_SHA });
  return { w: world, pull };
}

/** Returns the comment's id, which the cleanup must edit rather than replace. */
function expectDeployed(w: World, pull: StandInPull): number {
  const neonBranch = w.neon.branchByName(`preview/${BRANCH}`);
  expect(neonBranch?.parent_id).toBe(w.neon.defaultBranch().id);
  const amplifyBranch = w.amplify.branch(APP_ID, BRANCH);
  // What Neon's connection_uri answers for the new branch (pooled, the default), beside the team's own.
  expect(amplifyBranch?.environmentVariables).toEqual({
    ...KEPT,
    DATABASE_URL: w.neon.connectionUri({ branchId: neonBranch?.id ?? 'none', pooled: true }),
  });
  expect(amplifyBranch?.jobs.map((job) => job.jobType)).toEqual(['RELEASE']);

  const comments = w.github.comments(pull.number);
  expect(comments).toHaveLength(1);
  const body = comments[0]?.body ?? '';
  expect(body.split('\n')[0]).toBe(`<!-- neon-amplify-branch:${BRANCH} -->`);
  expect(body).toContain(`\`preview/${BRANCH}\``);
  expect(body).toContain(neonBranch?.id ?? 'none');
  expect(comments[0]?.user.login).toBe('github-actions[bot]');

  const deployments = w.github.deployments(`preview/${BRANCH}`);
  expect(deployments.map((d) => [d.sha, d.transient, d.statuses.map((s) => s.state)])).toEqual([
    [EXAMPLE_PUSH_SHA, true, ['in_progress', 'success']],
  ]);
  expect(deployments[0]?.statuses.at(-1)?.environmentUrl).toBe(
    `https://feature-entry.${APP_ID}.amplifyapp.com`,
  );
  return comments[0]?.id ?? 0;
}

function expectCleanedUp(w: World, pull: StandInPull, commentId: number): void {
  expect(w.neon.branchByName(`preview/${BRANCH}`)).toBeUndefined();
  // The Amplify branch stays (delete-amplify-branch: false), without the URL of a deleted database.
  expect(w.amplify.branch(APP_ID, BRANCH)?.environmentVariables).toEqual(KEPT);
  const comments = w.github.comments(pull.number);
  expect(comments.map((comment) => comment.id)).toEqual([commentId]);
  expect(comments[0]?.body).toMatch(/was deleted/);
  expect(w.github.deployments(`preview/${BRANCH}`).map((d) => w.github.latestState(d))).toEqual(['inactive']);
}

/** The pull request's `closed` delivery, for the pull request the stand-in holds, now closed there too. */
function closedPayload(pull: StandInPull) {
  pull.state = 'closed';
  const payload = pullRequest('closed', BRANCH);
  payload.pull_request.number = pull.number;
  payload.number = pull.number;
  return payload;
}

describe('each shipped entry point, as shipped, against the stand-ins', () => {
  it('the action: a push, then the pull request closed', async () => {
    const { w, pull } = await setUp();
    const push = await runAction({
      event: { name: 'push', payload: pushTo(BRANCH) },
      inputs: w.inputs,
      env: w.awsEnv,
    });
    expect(push.exitCode).toBe(0);
    const commentId = expectDeployed(w, pull);

    const closed = await runAction({
      event: { name: 'pull_request', payload: closedPayload(pull), ref: `refs/pull/${pull.number}/merge` },
      inputs: w.inputs,
      env: w.awsEnv,
    });
    expect(closed.exitCode).toBe(0);
    expectCleanedUp(w, pull, commentId);
  });

  it('the CLI: deploy, then cleanup, reporting with GITHUB_TOKEN and GITHUB_REPOSITORY', async () => {
    const { w, pull } = await setUp();
    const cwd = await mkdtemp(join(tmpdir(), 'entry-cli-'));
    cleanups.push(() => rm(cwd, { recursive: true, force: true }));
    const env = {
      PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: cwd,
      ...w.awsEnv,
      NEON_API_KEY: w.neon.apiKey,
      NEON_API_HOST: w.neon.url,
      NEON_PROJECT_ID: w.neon.projectId,
      AMPLIFY_APP_ID: APP_ID,
      GITHUB_TOKEN: GITHUB_TEST_TOKEN,
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_SHA: EXAMPLE_PUSH_SHA,
    };
    const cli = (args: string[]) => runChild(process.execPath, [CLI_ENTRY, ...args], { cwd, env });

    const deploy = await cli(['deploy', '--git-branch', BRANCH]);
    expect(deploy).toMatchObject({ code: 0 });
    const commentId = expectDeployed(w, pull);

    pull.state = 'closed';
    const cleanup = await cli(['cleanup', '--git-branch', BRANCH]);
    expect(cleanup).toMatchObject({ code: 0 });
    expectCleanedUp(w, pull, commentId);
    expect(deploy.stderr + cleanup.stderr).not.toContain(GITHUB_TEST_TOKEN);
  });

  const SECRET = 'entry-points-webhook-secret';
  const webhookEnv = (w: World) => ({
    ...standInEnv(w.neon, w.amplify, APP_ID),
    GITHUB_WEBHOOK_SECRET: SECRET,
    GITHUB_TOKEN: GITHUB_TEST_TOKEN,
    GITHUB_API_URL: w.github.url,
  });

  it('the webhook server: signed deliveries over HTTP, the environment only', async () => {
    requireBuilt(WEBHOOK_ENTRY);
    const { w, pull } = await setUp();
    const server = await startWebhookProcess(webhookEnv(w));
    cleanups.push(() => server.stop());
    const deliver = async (delivery: SignedDelivery) => {
      expect((await post(`${server.url}/webhook`, delivery)).status).toBe(202);
      const finish = await server.waitForLine(
        (line) => line.delivery === delivery.id && line.step === 'finish',
      );
      expect(finish.outcome).toBe('succeeded');
    };

    await deliver(await signedDelivery({ event: 'push', payload: pushTo(BRANCH), secret: SECRET }));
    const commentId = expectDeployed(w, pull);
    await deliver(
      await signedDelivery({ event: 'pull_request', payload: closedPayload(pull), secret: SECRET }),
    );
    expectCleanedUp(w, pull, commentId);
    // The cleanup asked GitHub first whether the pull request is really closed (src/webhook/run/replay-guard.ts).
    expect(w.github.requestsFor('pulls.get').map((request) => request.status)).toEqual([200]);
  });

  it('the single Lambda: function URL events to its handler, the environment only', async () => {
    requireBuilt(LAMBDA_ENTRY);
    const { w, pull } = await setUp();
    const lambda = lambdaEnvironment(LAMBDA_ENTRY, webhookEnv(w));
    cleanups.push(() => lambda.close());
    const template = JSON.parse(
      await readFile(join(root, 'test/fixtures/webhook-function-url-event.json'), 'utf8'),
    ) as { headers: Record<string, string>; body?: string; isBase64Encoded?: boolean };
    const invoke = async (delivery: SignedDelivery) => {
      const event = structuredClone(template);
      Object.assign(event.headers, delivery.headers);
      event.body = delivery.body.toString('utf8');
      event.isBase64Encoded = false;
      const result = (await lambda.invoke(event)) as { statusCode: number; body: string };
      expect([result.statusCode, JSON.parse(result.body).status]).toEqual([200, 'done']);
    };

    await invoke(await signedDelivery({ event: 'push', payload: pushTo(BRANCH), secret: SECRET }));
    const commentId = expectDeployed(w, pull);
    await invoke(
      await signedDelivery({ event: 'pull_request', payload: closedPayload(pull), secret: SECRET }),
    );
    expectCleanedUp(w, pull, commentId);
  });
});
