/**
 * The built action (dist/index.js) reporting on GitHub, as the runner runs it: GITHUB_API_URL at the
 * strict GitHub stand-in, GITHUB_REPOSITORY and real event payloads, the real Octokit inside the
 * bundle. Assertions read the stand-ins' state and request logs.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { commentMarker } from '../../src/github/comment-marker.js';
import type { JobProgress } from '../fakes/amplify-server.js';
import { seedShows } from '../fakes/neon-seed.js';
import type { NeonStandInOptions } from '../fakes/neon-server.js';
import { pullRequest, pushTo } from '../fixtures/payloads.js';
import { waitFor } from '../wait-for.js';
import { type ActionRun, runAction } from './run-action.js';
import { APP_ID, EXAMPLE_PUSH_SHA, startWorld, type World } from './world.js';

let world: World | undefined;

async function start(neon: NeonStandInOptions = {}, jobProgress?: JobProgress): Promise<World> {
  world = await startWorld(neon, jobProgress === undefined ? {} : { jobProgress });
  return world;
}

afterEach(async () => {
  if (world === undefined) return;
  const w = world;
  world = undefined;
  expect(w.neon.violations).toEqual([]);
  expect(w.github.violations).toEqual([]);
  // No secret in any request body sent to GitHub: API key, token, passwords, connection strings.
  const urls = [...(w.amplify.state.apps.get(APP_ID)?.branches.values() ?? [])].flatMap((branch) =>
    Object.values(branch.environmentVariables),
  );
  const secrets = [...w.secrets(), ...urls.filter((value) => value.startsWith('postgres'))];
  const leaks = w.github.requests.filter((request) =>
    secrets.some((secret) => request.rawBody.includes(secret)),
  );
  expect(leaks.map((request) => request.route)).toEqual([]);
  await w.close();
});

function run(w: World, payload: { name: string; payload: unknown }, inputs: Record<string, string> = {}) {
  return runAction({ event: payload, inputs: { ...w.inputs, ...inputs }, env: w.awsEnv });
}

const push = (branch: string) => ({ name: 'push', payload: pushTo(branch) });

/** The runner's `::warning::` lines. */
function warnings(result: ActionRun): string[] {
  return result.stdout.split('\n').filter((line) => line.startsWith('::warning::'));
}

describe('the pull request comment and the deployment', () => {
  it('comments once on the open pull request and edits it on the next push; a deployment per push', async () => {
    const w = await start();
    const pull = w.github.addPullRequest({ head: 'feature/login', headSha: EXAMPLE_PUSH_SHA });

    const first = await run(w, push('feature/login'));
    expect(first.exitCode).toBe(0);
    expect(warnings(first)).toEqual([expect.stringContaining('Schema diff skipped')]);
    const [created] = w.github.comments(pull.number);
    expect(created?.body.split('\n')[0]).toBe(commentMarker('feature/login'));
    const host = first.outputs['database-host'] ?? 'missing';
    expect(created?.body).toContain(`\`${host}\``);
    expect(created?.body).toContain('`preview/feature/login`');
    expect(created?.body).toContain('created by this run');
    expect(first.outputs['comment-url']).toBe(
      `https://github.com/Codertocat/Hello-World/pull/${pull.number}#issuecomment-${created?.id}`,
    );

    const second = await run(w, push('feature/login'));
    expect(second.exitCode).toBe(0);
    const after = w.github.comments(pull.number);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(created?.id);
    expect(after[0]?.body).toContain('reused');
    expect(w.github.requestsFor('issues.createComment')).toHaveLength(1);

    const deployments = w.github.deployments('preview/feature/login');
    expect(deployments.map((d) => [d.sha, d.transient, d.statuses.map((s) => s.state)])).toEqual([
      [EXAMPLE_PUSH_SHA, true, ['in_progress', 'success']],
      [EXAMPLE_PUSH_SHA, true, ['in_progress', 'success']],
    ]);
    expect(deployments[1]?.statuses[1]?.environmentUrl).toBe(
      `https://feature-login.${APP_ID}.amplifyapp.com`,
    );
    expect(second.outputs['deployment-id']).toBe(String(deployments[1]?.id));
    expect(second.summary).toContain('Reported in the [pull request comment]');
  });

  it('two concurrent runs for one branch end with one comment', async () => {
    const w = await start();
    const pull = w.github.addPullRequest({ head: 'feat/race', headSha: EXAMPLE_PUSH_SHA });
    const results = await Promise.all([run(w, push('feat/race')), run(w, push('feat/race'))]);
    expect(results.map((result) => result.exitCode)).toEqual([0, 0]);
    expect(w.github.comments(pull.number)).toHaveLength(1);
  });

  it('a token without pull-requests: write and deployments: write: warnings naming them, and the deploy succeeds', async () => {
    const w = await start();
    w.github.addToken('ghs_readOnlyToken0000000000000000001', {
      permissions: { 'pull-requests': 'read', contents: 'read' },
    });
    w.github.addPullRequest({ head: 'feat/ro', headSha: EXAMPLE_PUSH_SHA });
    const result = await run(w, push('feat/ro'), { 'github-token': 'ghs_readOnlyToken0000000000000000001' });

    expect(result.exitCode).toBe(0);
    expect(result.outputs['neon-branch-name']).toBe('preview/feat/ro');
    const said = warnings(result).join('\n');
    expect(said).toContain('lacks the permission `pull-requests: write`');
    expect(said).toContain('lacks the permission `deployments: write`');
    expect(w.github.deployments()).toEqual([]);
  });

  it('comment-on-pr: false and create-deployment: false send no GitHub request at all', async () => {
    const w = await start();
    w.github.addPullRequest({ head: 'feat/off', headSha: EXAMPLE_PUSH_SHA });
    const inputs = { 'comment-on-pr': 'false', 'create-deployment': 'false' };
    expect((await run(w, push('feat/off'), inputs)).exitCode).toBe(0);
    const closed = pullRequest('closed', 'feat/off');
    expect((await run(w, { name: 'pull_request', payload: closed }, inputs)).exitCode).toBe(0);
    expect(w.github.requests).toEqual([]);
  });

  it('cleanup edits the comment to say the branch was deleted and marks the deployments inactive', async () => {
    const w = await start();
    const pull = w.github.addPullRequest({ head: 'feat/gone', headSha: EXAMPLE_PUSH_SHA });
    expect((await run(w, push('feat/gone'))).exitCode).toBe(0);
    const closed = pullRequest('closed', 'feat/gone');
    closed.pull_request.number = pull.number;

    const result = await run(w, { name: 'pull_request', payload: closed });

    expect(result.exitCode).toBe(0);
    expect(result.outputs.deleted).toBe('true');
    const [comment] = w.github.comments(pull.number);
    expect(comment?.body).toContain('was deleted: the pull request was closed');
    expect(w.github.deployments('preview/feat/gone').map((d) => w.github.latestState(d))).toEqual([
      'inactive',
    ]);
    expect(result.outputs['comment-url']).toContain(`#issuecomment-${comment?.id}`);
  });
});

describe('wait-for-job', () => {
  it('a build that succeeds: amplify-job-status SUCCEED, the deployment success', async () => {
    const w = await start({}, { afterMs: 200 });
    const result = await run(w, push('feat/ok'), { 'wait-for-job': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs['amplify-job-status']).toBe('SUCCEED');
    expect(result.stdout).toContain("Amplify job 1 on 'feat/ok': job SUCCEED, step BUILD SUCCEED");
    const [deployment] = w.github.deployments('preview/feat/ok');
    expect(deployment?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
  });

  it('a build that fails fails the step naming the failed step; outputs, comment and deployment say so', async () => {
    const w = await start({}, { afterMs: 200, finalStatus: 'FAILED' });
    const pull = w.github.addPullRequest({ head: 'feat/broken', headSha: EXAMPLE_PUSH_SHA });
    const result = await run(w, push('feat/broken'), { 'wait-for-job': 'true' });

    expect(result.exitCode).toBe(1);
    // The runner's command syntax escapes `%` as `%25`; GitHub shows `feat%2Fbroken`.
    expect(result.stdout).toContain(
      "::error::Amplify job 1 on 'feat/broken' ended FAILED at step BUILD (BUILD failed: command exited with code 1). Its log: https://us-east-1.console.aws.amazon.com/amplify/apps/d1a2b3c4d5e6f7/branches/feat%252Fbroken/deployments (job 1)",
    );
    expect(result.outputs['amplify-job-status']).toBe('FAILED');
    expect(result.outputs['neon-branch-name']).toBe('preview/feat/broken');
    expect(w.github.comments(pull.number)[0]?.body).toContain('`FAILED`');
    const [deployment] = w.github.deployments('preview/feat/broken');
    expect(deployment?.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
  });

  it('a build that outlasts job-timeout-minutes: a clear timeout, the deployment error', async () => {
    const w = await start();
    const result = await run(w, push('feat/slow'), { 'wait-for-job': 'true', 'job-timeout-minutes': '0.05' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      "::error::Amplify job 1 on 'feat/slow' did not end within 3 s (job-timeout-minutes); last seen PENDING.",
    );
    expect(result.outputs['amplify-job-status']).toBe('PENDING');
    const [deployment] = w.github.deployments('preview/feat/slow');
    expect(deployment?.statuses.map((s) => s.state)).toEqual(['in_progress', 'error']);
  });
});

describe('the schema diff on real Postgres', () => {
  it('shows what the build migrated, in the output, the comment and the job summary', async () => {
    const w = await start({ postgres: true });
    await seedShows(w.neon, { branchId: w.neon.defaultBranch().id });
    const pull = w.github.addPullRequest({ head: 'feat/episodes', headSha: EXAMPLE_PUSH_SHA });

    // The test plays the Amplify build: once the action has looked at the running job, the build
    // migrates the preview through the DATABASE_URL Amplify holds, then the job succeeds. The diff
    // can only show the migration if it is taken after the build.
    const action = run(w, push('feat/episodes'), { 'wait-for-job': 'true' });
    const build = (async () => {
      const { branch, job } = await waitFor(
        "the action to read feat/episodes' running Amplify job",
        () => {
          const branch = w.amplify.branch(APP_ID, 'feat/episodes');
          const job = branch?.jobs.at(-1);
          const read = w.amplify.requestsFor('GetJob').length > 0;
          return branch !== undefined && job !== undefined && read && { branch, job };
        },
        { withinMs: 25_000, everyMs: 50 },
      );
      const client = new pg.Client({ connectionString: branch.environmentVariables.DATABASE_URL });
      await client.connect();
      await client.query('CREATE TABLE episodes (id serial PRIMARY KEY, show_id int REFERENCES shows (id))');
      await client.end();
      w.amplify.setJobStatus(APP_ID, 'feat/episodes', job.jobId, 'SUCCEED');
    })();
    const [result] = await Promise.all([action, build]);

    expect(result.exitCode).toBe(0);
    const diff = result.outputs['schema-diff'] ?? '';
    expect(diff).toContain('+CREATE TABLE public.episodes (');
    expect(diff).not.toContain('-CREATE TABLE public.shows');
    const body = w.github.comments(pull.number)[0]?.body ?? '';
    expect(body).toContain('<summary>Schema diff against the parent');
    expect(body).toContain('+CREATE TABLE public.episodes (');
    expect(result.summary).toContain('+CREATE TABLE public.episodes (');
  });
});
