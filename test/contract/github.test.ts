/**
 * The GitHub port (sticky comment, pull request lookup, deployments, permission warnings) through
 * the real Octokit of `@actions/github` against the strict stand-in. Assertions read the stand-in's
 * state and request log, not the port's own answers.
 */
import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/ports.js';
import type { RetryPolicy } from '../../src/core/retry.js';
import { readBranchHead } from '../../src/github/branches.js';
import { createGitHubClient, type GitHubClient } from '../../src/github/client.js';
import { renderDeletedComment, renderPreviewComment } from '../../src/github/comment-body.js';
import { commentMarker } from '../../src/github/comment-marker.js';
import {
  createPreviewDeployment,
  deactivatePreviewDeployments,
  previewEnvironment,
  setDeploymentStatus,
} from '../../src/github/deployments.js';
import { commentOnPullRequests } from '../../src/github/pull-request-comment.js';
import type { Repository } from '../../src/github/repository.js';
import { upsertStickyComment } from '../../src/github/sticky-comment.js';
import {
  GITHUB_TEST_TOKEN,
  type GitHubStandIn,
  type GitHubStandInOptions,
  type StandInPull,
  startGitHubStandIn,
} from '../fakes/github-server.js';

const FAST_RETRY: RetryPolicy = { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 5, maxRetryAfterMs: 10 };

const running: GitHubStandIn[] = [];

afterEach(async () => {
  for (const standIn of running.splice(0)) {
    expect(standIn.violations).toEqual([]);
    await standIn.close();
  }
});

interface Lines extends Logger {
  lines: string[];
  warnings(): string[];
}

function memoryLog(): Lines {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    debug: (message) => lines.push(`debug: ${message}`),
    warnings: () => lines.filter((line) => line.startsWith('warning: ')).map((line) => line.slice(9)),
  };
}

interface World {
  standIn: GitHubStandIn;
  repository: Repository;
  log: Lines;
  client: GitHubClient;
  clientFor(token: string, extra?: { requestTimeoutMs?: number }): GitHubClient;
}

async function world(options: GitHubStandInOptions = {}): Promise<World> {
  const standIn = await startGitHubStandIn(options);
  running.push(standIn);
  const log = memoryLog();
  const clientFor = (token: string, extra: { requestTimeoutMs?: number } = {}) =>
    createGitHubClient({ token, baseUrl: standIn.url, log, retry: FAST_RETRY, ...extra });
  return {
    standIn,
    repository: { owner: standIn.owner, repo: standIn.repo },
    log,
    client: clientFor(GITHUB_TEST_TOKEN),
    clientFor,
  };
}

function comment(w: World, body: string, extra: Partial<Parameters<typeof commentOnPullRequests>[0]> = {}) {
  return commentOnPullRequests({
    client: w.client,
    repository: w.repository,
    gitBranch: 'feat/login',
    body,
    log: w.log,
    ...extra,
  });
}

const MARKER = commentMarker('feat/login');

describe('the sticky comment', () => {
  it('is created on the first run and edited in place on the next ones', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });

    const first = await comment(w, 'first run');
    const [created] = w.standIn.comments(pull.number);
    expect(w.standIn.comments(pull.number)).toHaveLength(1);
    expect(created?.body).toBe(`${MARKER}\nfirst run`);
    expect(first).toMatchObject([{ pullNumber: pull.number, action: 'created', commentId: created?.id }]);

    await comment(w, 'second run');
    await comment(w, 'second run');

    const after = w.standIn.comments(pull.number);
    expect(after.map((c) => [c.id, c.body])).toEqual([[created?.id, `${MARKER}\nsecond run`]]);
    expect(w.standIn.requestsFor('issues.createComment')).toHaveLength(1);
    // The third run found the body already right and wrote nothing.
    expect(w.standIn.requestsFor('issues.updateComment')).toHaveLength(1);
    expect(w.log.warnings()).toEqual([]);
  });

  it('comments nowhere, without an error, when the branch has no open pull request', async () => {
    const w = await world();
    w.standIn.addPullRequest({ head: 'feat/other' });
    w.standIn.addPullRequest({ head: 'feat/login', state: 'closed' });
    // A fork's branch of the same name is someone else's pull request.
    const fork = w.standIn.addPullRequest({ head: 'feat/login', headOwner: 'forker', headRepoName: 'app' });

    expect(await comment(w, 'body')).toEqual([]);

    expect(w.standIn.requestsFor('issues.createComment')).toEqual([]);
    expect(w.standIn.comments(fork.number)).toEqual([]);
    expect(w.standIn.requestsFor('pulls.list')[0]?.query).toMatchObject({
      head: `${w.standIn.owner}:feat/login`,
      state: 'open',
    });
    expect(w.log.warnings()).toEqual([]);
    expect(w.log.lines).toContain("info: No open pull request has 'feat/login' as its head: no comment");
  });

  it('comments on every open pull request of the branch, and only there', async () => {
    const w = await world();
    const toMain = w.standIn.addPullRequest({ head: 'feat/login' });
    const toRelease = w.standIn.addPullRequest({ head: 'feat/login', base: 'release' });
    const other = w.standIn.addPullRequest({ head: 'feat/login-2' });

    await comment(w, 'body');

    expect(w.standIn.comments(toMain.number)).toHaveLength(1);
    expect(w.standIn.comments(toRelease.number)).toHaveLength(1);
    expect(w.standIn.comments(other.number)).toEqual([]);
  });

  it('ends with exactly one comment, the oldest, when two runs create at the same moment', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    // Both runs have looked twice and found nothing before either create goes through.
    w.standIn.injectFault({
      route: 'issues.createComment',
      times: 2,
      action: { kind: 'barrier', parties: 2 },
    });
    const second = w.clientFor(GITHUB_TEST_TOKEN);

    const [a, b] = await Promise.all([comment(w, 'run A'), comment({ ...w, client: second }, 'run B')]);

    expect(w.standIn.requestsFor('issues.createComment').map((r) => r.status)).toEqual([201, 201]);
    const left = w.standIn.comments(pull.number);
    expect(left).toHaveLength(1);
    const deleted = w.standIn
      .requestsFor('issues.deleteComment')
      .map((request) => Number(request.rawPath.split('/').at(-1)));
    expect(deleted.length).toBeGreaterThan(0);
    // The comment kept is the older of the two; the newer one was deleted.
    for (const id of deleted) expect(left[0]?.id).toBeLessThan(id);
    expect([`${MARKER}\nrun A`, `${MARKER}\nrun B`]).toContain(left[0]?.body);
    expect(a[0]?.commentId).toBe(left[0]?.id);
    expect(b[0]?.commentId).toBe(left[0]?.id);
    expect(w.log.warnings()).toEqual([]);
  });

  it('looks again just before creating, and edits the comment a concurrent run made in between', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    // The second look finds what another run created after the first.
    w.standIn.injectFault({
      route: 'issues.listComments',
      skip: 1,
      action: {
        kind: 'callback',
        run: () => {
          w.standIn.addComment(pull.number, `${MARKER}\nother run`, { login: 'github-actions[bot]' });
        },
      },
    });

    await comment(w, 'this run');

    expect(w.standIn.requestsFor('issues.createComment')).toEqual([]);
    expect(w.standIn.comments(pull.number).map((c) => c.body)).toEqual([`${MARKER}\nthis run`]);
  });

  it('cleans up duplicates an earlier pair of runs left, keeping the oldest', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    const human = w.standIn.addComment(pull.number, 'LGTM');
    const oldest = w.standIn.addComment(pull.number, `${MARKER}\nold A`, { login: 'github-actions[bot]' });
    w.standIn.addComment(pull.number, `${MARKER}\nold B`, { login: 'github-actions[bot]' });

    const [result] = await comment(w, 'new');

    expect(w.standIn.comments(pull.number).map((c) => [c.id, c.body])).toEqual([
      [human.id, 'LGTM'],
      [oldest.id, `${MARKER}\nnew`],
    ]);
    expect(result).toMatchObject({ action: 'updated', commentId: oldest.id, removed: 1 });
  });

  it('finds its comment past the first hundred, following the Link header', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    for (let index = 0; index < 180; index += 1) w.standIn.addComment(pull.number, `chatter ${index}`);
    const mine = w.standIn.addComment(pull.number, `${MARKER}\nold`, { login: 'github-actions[bot]' });
    for (let index = 0; index < 70; index += 1) w.standIn.addComment(pull.number, `more ${index}`);

    await comment(w, 'new');

    expect(w.standIn.requestsFor('issues.createComment')).toEqual([]);
    expect(w.standIn.comments(pull.number).find((c) => c.id === mine.id)?.body).toBe(`${MARKER}\nnew`);
    const pages = w.standIn.requestsFor('issues.listComments');
    expect(pages.map((request) => request.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(pages.every((request) => request.query.per_page === '100')).toBe(true);
  });

  it("keeps apart branches whose markers share a beginning, and leaves other people's comments alone", async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    const longer = w.standIn.addComment(pull.number, `${commentMarker('feat/login-2')}\nother branch`, {
      login: 'github-actions[bot]',
    });
    const quoted = w.standIn.addComment(pull.number, `Why does it say\n${MARKER}\nthere?`);

    await comment(w, 'mine');

    const comments = w.standIn.comments(pull.number);
    expect(comments).toHaveLength(3);
    expect(comments.find((c) => c.id === longer.id)?.body).toBe(
      `${commentMarker('feat/login-2')}\nother branch`,
    );
    expect(comments.find((c) => c.id === quoted.id)?.body).toBe(`Why does it say\n${MARKER}\nthere?`);
  });

  it("never adopts another author's comment that starts with the marker: it makes its own", async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    const forged = w.standIn.addComment(pull.number, `${MARKER}\nplease click here`, { login: 'mallory' });

    const [result] = await comment(w, 'mine');

    const comments = w.standIn.comments(pull.number);
    expect(comments.find((c) => c.id === forged.id)?.body).toBe(`${MARKER}\nplease click here`);
    expect(comments).toHaveLength(2);
    expect(result).toMatchObject({ action: 'created' });
    expect(w.standIn.requestsFor('issues.updateComment')).toEqual([]);
    expect(w.standIn.requestsFor('issues.deleteComment')).toEqual([]);
    // The next run edits its own comment, still leaving the other one alone.
    await comment(w, 'mine again');
    expect(w.standIn.comments(pull.number).map((c) => c.body)).toEqual([
      `${MARKER}\nplease click here`,
      `${MARKER}\nmine again`,
    ]);
  });

  it('never deletes a newer comment of another author as a duplicate', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    const mine = w.standIn.addComment(pull.number, `${MARKER}\nold`, { login: 'github-actions[bot]' });
    const human = w.standIn.addComment(pull.number, `${MARKER}\nquoting the bot`, { login: 'octocat' });

    const [result] = await comment(w, 'new');

    expect(w.standIn.comments(pull.number).map((c) => [c.id, c.body])).toEqual([
      [mine.id, `${MARKER}\nnew`],
      [human.id, `${MARKER}\nquoting the bot`],
    ]);
    expect(result).toMatchObject({ action: 'updated', commentId: mine.id, removed: 0 });
    expect(w.standIn.requestsFor('issues.deleteComment')).toEqual([]);
  });

  it("a personal access token's comments are its user's: those are edited, the workflow bot's are not", async () => {
    const w = await world({
      tokens: { ghp_deployBotToken: { permissions: { 'pull-requests': 'write' }, login: 'deploy-bot' } },
    });
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    const bots = w.standIn.addComment(pull.number, `${MARKER}\nby the workflow`, {
      login: 'github-actions[bot]',
    });
    const own = w.standIn.addComment(pull.number, `${MARKER}\nby deploy-bot`, { login: 'deploy-bot' });

    await comment({ ...w, client: w.clientFor('ghp_deployBotToken') }, 'edited');

    expect(w.standIn.comments(pull.number).map((c) => [c.id, c.body])).toEqual([
      [bots.id, `${MARKER}\nby the workflow`],
      [own.id, `${MARKER}\nedited`],
    ]);
  });

  it('asks who the token is only when a marked comment exists, and once a run', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    await comment(w, 'first');
    const identity = () => w.standIn.requests.filter((r) => r.rawPath === '/graphql');
    // The first run learnt it from the comment it created.
    expect(identity()).toEqual([]);
    // A later run (a new client) asks once, however many pull requests it comments on.
    const later = { ...w, client: w.clientFor(GITHUB_TEST_TOKEN) };
    await comment(later, 'second', { pullNumbers: [pull.number, pull.number] });
    expect(identity()).toHaveLength(1);
    expect(w.standIn.comments(pull.number).map((c) => c.body)).toEqual([`${MARKER}\nsecond`]);
  });

  it('on cleanup edits the comment to say the branch was deleted, and creates none where there was none', async () => {
    const w = await world();
    const commented = w.standIn.addPullRequest({ head: 'feat/login', state: 'closed' });
    w.standIn.addComment(commented.number, `${MARKER}\npreview`, { login: 'github-actions[bot]' });
    const silent = w.standIn.addPullRequest({ head: 'feat/login', state: 'closed' });
    const body = renderDeletedComment({
      gitBranch: 'feat/login',
      neon: { projectId: 'p-1', branchName: 'preview/feat/login', deleted: true },
      reason: 'the pull request was closed',
    });

    const results = await comment(w, body, { mode: 'edit-only' });

    expect(w.standIn.comments(commented.number).map((c) => c.body)).toEqual([body]);
    expect(w.standIn.comments(silent.number)).toEqual([]);
    expect(w.standIn.requestsFor('pulls.list')[0]?.query.state).toBe('all');
    expect(results.map((r) => [r.pullNumber, r.action])).toEqual([
      [silent.number, 'absent'],
      [commented.number, 'updated'],
    ]);
  });

  it('uses the pull request numbers the event gives, without looking them up', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login', state: 'closed' });
    w.standIn.addComment(pull.number, `${MARKER}\npreview`, { login: 'github-actions[bot]' });

    await comment(w, 'deleted', { mode: 'edit-only', pullNumbers: [pull.number] });

    expect(w.standIn.requestsFor('pulls.list')).toEqual([]);
    expect(w.standIn.comments(pull.number).map((c) => c.body)).toEqual([`${MARKER}\ndeleted`]);
  });

  it('cuts a body past 65536 characters rather than letting GitHub refuse it', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });

    await comment(w, 'x'.repeat(70_000));

    const [stored] = w.standIn.comments(pull.number);
    expect(stored?.body.startsWith(`${MARKER}\nxxx`)).toBe(true);
    expect(stored?.body.length).toBeLessThanOrEqual(65_536);
    expect(stored?.body).toMatch(/Cut to fit GitHub’s comment limit/);
    expect(w.log.warnings()).toEqual([
      expect.stringMatching(
        /^The pull request comment has 70\d+ characters, past GitHub's 65536; its end was cut$/,
      ),
    ]);
  });
});

describe('permissions and failures never fail the deploy', () => {
  it('warns, naming pull-requests: write, when the token may read pull requests but not comment', async () => {
    const w = await world({
      tokens: { ghs_read: { permissions: { 'pull-requests': 'read', contents: 'read' } } },
    });
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });

    const results = await comment({ ...w, client: w.clientFor('ghs_read') }, 'body');

    expect(results).toEqual([]);
    expect(w.standIn.comments(pull.number)).toEqual([]);
    expect(w.standIn.requestsFor('issues.createComment').map((r) => r.status)).toEqual([403]);
    const [warning, ...more] = w.log.warnings();
    expect(more).toEqual([]);
    expect(warning).toContain(`Commenting on pull request #${pull.number} skipped`);
    expect(warning).toContain('lacks the permission `pull-requests: write`');
    expect(warning).toContain('GitHub accepts issues: write or pull-requests: write');
    expect(warning).toContain('Resource not accessible by integration');
  });

  it('warns, naming pull-requests: write, when the token cannot even list pull requests', async () => {
    const w = await world({ tokens: { ghs_none: { permissions: { contents: 'read' } } } });
    w.standIn.addPullRequest({ head: 'feat/login' });

    expect(await comment({ ...w, client: w.clientFor('ghs_none') }, 'body')).toEqual([]);

    expect(w.log.warnings()).toEqual([
      expect.stringContaining('lacks the permission `pull-requests: write`'),
    ]);
  });

  it('says the token may not see the repository on a 404, still naming the permission', async () => {
    const w = await world({
      tokens: {
        ghs_elsewhere: { permissions: { 'pull-requests': 'write' }, repositories: ['someone/else'] },
      },
    });

    expect(await comment({ ...w, client: w.clientFor('ghs_elsewhere') }, 'body')).toEqual([]);

    expect(w.log.warnings()).toEqual([
      expect.stringMatching(
        /404 Not Found\. The token may not see this repository, or lacks `pull-requests: write`/,
      ),
    ]);
  });

  it('warns about a refused token without naming a permission', async () => {
    const w = await world();
    expect(await comment({ ...w, client: w.clientFor('ghs_revoked') }, 'body')).toEqual([]);
    expect(w.log.warnings()).toEqual([
      expect.stringContaining('GitHub refused the token (401 Bad credentials)'),
    ]);
  });

  it('retries a 502 and a dropped connection, and still comments once', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    w.standIn.injectFault({
      route: 'issues.createComment',
      action: { kind: 'error', status: 502, message: 'Bad Gateway' },
    });
    w.standIn.injectFault({ route: 'pulls.list', action: { kind: 'drop' } });

    await comment(w, 'body');

    expect(w.standIn.comments(pull.number)).toHaveLength(1);
    expect(w.standIn.requestsFor('issues.createComment').map((r) => r.status)).toEqual([502, 201]);
    expect(w.log.warnings()).toEqual([]);
  });

  it('gives up on a GitHub that does not answer within the timeout, with a warning', async () => {
    const w = await world();
    w.standIn.addPullRequest({ head: 'feat/login' });
    w.standIn.injectFault({ route: 'pulls.list', times: 3, action: { kind: 'latency', ms: 400 } });

    const results = await comment(
      { ...w, client: w.clientFor(GITHUB_TEST_TOKEN, { requestTimeoutMs: 100 }) },
      'body',
    );

    expect(results).toEqual([]);
    expect(w.standIn.requestsFor('pulls.list')).toHaveLength(3);
    expect(w.log.warnings()).toEqual([expect.stringMatching(/skipped: GitHub did not answer \(timed out\)/)]);
  });

  it('reports a locked conversation as a warning', async () => {
    const w = await world();
    w.standIn.addPullRequest({ head: 'feat/login', locked: true });

    await comment(w, 'body');

    expect(w.log.warnings()).toEqual([
      expect.stringContaining('GitHub answered 403 Unable to create comment because issue is locked.'),
    ]);
  });
});

describe('deployments', () => {
  it('creates the deployment of the sha to preview/{B}, then in_progress and success statuses in order', async () => {
    const w = await world();
    const sha = w.standIn.addBranch('feat/login');
    // The commit's own checks are still running: only required_contexts: [] lets the deployment through.
    w.standIn.setContexts(sha, [{ context: 'ci/test', state: 'pending' }]);

    const deployment = await createPreviewDeployment({
      client: w.client,
      repository: w.repository,
      gitBranch: 'feat/login',
      sha,
      log: w.log,
      payload: { neonBranchId: 'br-1', amplifyJobId: '7' },
    });
    expect(deployment).toBeDefined();
    const id = deployment?.id ?? 0;
    const logUrl =
      'https://us-east-1.console.aws.amazon.com/amplify/apps/d1/branches/feat%2Flogin/deployments';
    const progress = await setDeploymentStatus({
      client: w.client,
      repository: w.repository,
      deploymentId: id,
      state: 'in_progress',
      logUrl,
      log: w.log,
    });
    const success = await setDeploymentStatus({
      client: w.client,
      repository: w.repository,
      deploymentId: id,
      state: 'success',
      environmentUrl: 'https://feat-login.d1.amplifyapp.com',
      logUrl,
      log: w.log,
    });

    expect([progress, success]).toEqual([true, true]);
    const [stored] = w.standIn.deployments('preview/feat/login');
    expect(stored).toMatchObject({
      id,
      sha,
      ref: sha,
      environment: 'preview/feat/login',
      transient: true,
      production: false,
      payload: { neonBranchId: 'br-1', amplifyJobId: '7' },
    });
    expect(w.standIn.requestsFor('repos.createDeployment')[0]?.body).toMatchObject({
      auto_merge: false,
      required_contexts: [],
    });
    expect(stored?.statuses.map((s) => [s.state, s.logUrl, s.environmentUrl])).toEqual([
      ['in_progress', logUrl, ''],
      ['success', logUrl, 'https://feat-login.d1.amplifyapp.com'],
    ]);
    expect(w.log.warnings()).toEqual([]);
  });

  it('marks failure, and cuts a description past 140 characters instead of being refused', async () => {
    const w = await world();
    const sha = w.standIn.addBranch('feat/login');
    const deployment = await createPreviewDeployment({
      client: w.client,
      repository: w.repository,
      gitBranch: 'feat/login',
      sha,
      log: w.log,
    });

    const ok = await setDeploymentStatus({
      client: w.client,
      repository: w.repository,
      deploymentId: deployment?.id ?? 0,
      state: 'failure',
      description: `Amplify job 7 ended FAILED: ${'x'.repeat(200)}`,
      log: w.log,
    });

    expect(ok).toBe(true);
    const status = w.standIn.deployments('preview/feat/login')[0]?.statuses[0];
    expect(status?.state).toBe('failure');
    expect(Array.from(status?.description ?? '')).toHaveLength(140);
  });

  it('on cleanup marks every deployment of the environment inactive, across pages, and only those', async () => {
    const w = await world();
    const sha = w.standIn.addBranch('feat/login');
    const create = (gitBranch: string) =>
      createPreviewDeployment({ client: w.client, repository: w.repository, gitBranch, sha, log: w.log });
    const ours: number[] = [];
    for (let index = 0; index < 130; index += 1) ours.push((await create('feat/login'))?.id ?? 0);
    const neighbour = (await create('feat/login-2'))?.id ?? 0;
    await setDeploymentStatus({
      client: w.client,
      repository: w.repository,
      deploymentId: neighbour,
      state: 'success',
      log: w.log,
    });
    // Two were deactivated by an earlier cleanup; they get no second inactive status.
    for (const id of ours.slice(0, 2)) {
      await setDeploymentStatus({
        client: w.client,
        repository: w.repository,
        deploymentId: id,
        state: 'success',
        log: w.log,
      });
      await w.client.rest.repos.createDeploymentStatus({
        ...w.repository,
        deployment_id: id,
        state: 'inactive',
      });
    }
    w.log.lines.length = 0;

    const marked = await deactivatePreviewDeployments({
      client: w.client,
      repository: w.repository,
      gitBranch: 'feat/login',
      log: w.log,
    });

    expect(marked).toBe(128);
    const stored = w.standIn.deployments('preview/feat/login');
    expect(stored).toHaveLength(130);
    expect(stored.every((deployment) => w.standIn.latestState(deployment) === 'inactive')).toBe(true);
    expect(stored.filter((d) => d.statuses.filter((s) => s.state === 'inactive').length !== 1)).toEqual([]);
    const other = w.standIn.deployments('preview/feat/login-2');
    expect(other.map((deployment) => w.standIn.latestState(deployment))).toEqual(['success']);
    expect(
      w.standIn.requestsFor('repos.listDeployments').map((request) => request.query.page ?? '1'),
    ).toEqual(['1', '2']);

    // Again: nothing left to mark.
    expect(
      await deactivatePreviewDeployments({
        client: w.client,
        repository: w.repository,
        gitBranch: 'feat/login',
        log: w.log,
      }),
    ).toBe(0);
  });

  it('cuts an environment name past 255 characters to a stable one GitHub accepts', async () => {
    const w = await world();
    const longBranch = `feat/${'a'.repeat(300)}`;
    const sha = w.standIn.addBranch(longBranch);

    const first = await createPreviewDeployment({
      client: w.client,
      repository: w.repository,
      gitBranch: longBranch,
      sha,
      log: w.log,
    });

    expect(first?.environment).toBe(previewEnvironment(longBranch));
    expect(Array.from(first?.environment ?? '')).toHaveLength(255);
    expect(w.standIn.deployments(previewEnvironment(longBranch))).toHaveLength(1);
    expect(w.log.warnings()).toEqual([]);
  });

  it('warns, naming deployments: write, when the token lacks it, and returns nothing', async () => {
    const w = await world({
      tokens: { ghs_nodeploy: { permissions: { 'pull-requests': 'write', deployments: 'read' } } },
    });
    const sha = w.standIn.addBranch('feat/login');
    const client = w.clientFor('ghs_nodeploy');

    const deployment = await createPreviewDeployment({
      client,
      repository: w.repository,
      gitBranch: 'feat/login',
      sha,
      log: w.log,
    });
    const cleaned = await deactivatePreviewDeployments({
      client: w.clientFor('ghs_unknown'),
      repository: w.repository,
      gitBranch: 'feat/login',
      log: w.log,
    });

    expect(deployment).toBeUndefined();
    expect(cleaned).toBeUndefined();
    expect(w.standIn.deployments()).toEqual([]);
    expect(w.log.warnings()[0]).toMatch(
      /^Creating the GitHub deployment for preview\/feat\/login skipped: the GitHub token lacks the permission `deployments: write` \(GitHub accepts deployments: write\)/,
    );
    expect(w.log.warnings()[1]).toContain('401 Bad credentials');
  });

  it('warns when the sha is unknown to GitHub', async () => {
    const w = await world();
    const deployment = await createPreviewDeployment({
      client: w.client,
      repository: w.repository,
      gitBranch: 'feat/login',
      sha: 'f'.repeat(40),
      log: w.log,
    });
    expect(deployment).toBeUndefined();
    expect(w.log.warnings()).toEqual([
      expect.stringContaining(`GitHub answered 422 No ref found for: ${'f'.repeat(40)}`),
    ]);
  });
});

describe('branches', () => {
  it('reads the head of a branch whose name needs encoding, and undefined for a missing one', async () => {
    const w = await world();
    const sha = w.standIn.addBranch('feat/a+b c');

    expect(await readBranchHead(w.client, w.repository, 'feat/a+b c')).toBe(sha);
    expect(await readBranchHead(w.client, w.repository, 'feat/gone')).toBeUndefined();
  });

  it('does not take a repository it cannot see for a missing branch', async () => {
    const w = await world({
      tokens: { ghs_elsewhere: { permissions: { contents: 'read' }, repositories: ['a/b'] } },
    });
    w.standIn.addBranch('feat/x');
    await expect(readBranchHead(w.clientFor('ghs_elsewhere'), w.repository, 'feat/x')).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe('secrets', () => {
  it('sends no secret to GitHub in any request, even when the caller hands them to the renderer', async () => {
    const w = await world();
    const password = 'npg_Sup3rS3cretPassw0rd';
    const url = `postgresql://neondb_owner:${password}@ep-cool-river-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require`;
    const pull: StandInPull = w.standIn.addPullRequest({ head: 'feat/login' });
    const body = renderPreviewComment({
      gitBranch: 'feat/login',
      sha: pull.headSha,
      neon: {
        projectId: 'autumn-disk-484331',
        branchId: 'br-cool-river-123456',
        branchName: 'preview/feat/login',
        parent: 'main',
        created: true,
        // Both mistakes a caller could make: the URL for the host, the password inside the diff.
        host: url,
      },
      amplify: {
        appId: 'd1',
        region: 'us-east-1',
        branch: 'feat/login',
        jobId: '7',
        jobStatus: 'RUNNING',
        previewUrl: `https://user:${password}@feat-login.d1.amplifyapp.com`,
      },
      schemaDiff: `+-- connect with ${url}\n+CREATE TABLE t (id int);`,
      secrets: [password, url],
    });

    await comment(w, body);
    const deployment = await createPreviewDeployment({
      client: w.client,
      repository: w.repository,
      gitBranch: 'feat/login',
      sha: pull.headSha,
      log: w.log,
      payload: { host: 'ep-cool-river-123456-pooler.us-east-2.aws.neon.tech' },
    });
    await setDeploymentStatus({
      client: w.client,
      repository: w.repository,
      deploymentId: deployment?.id ?? 0,
      state: 'success',
      environmentUrl: 'https://feat-login.d1.amplifyapp.com',
      log: w.log,
    });

    const sent = w.standIn.requests.map(
      (request) => `${request.rawPath}?${JSON.stringify(request.query)} ${request.rawBody}`,
    );
    expect(sent.length).toBeGreaterThan(4);
    for (const text of sent) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(GITHUB_TEST_TOKEN);
    }
    const [stored] = w.standIn.comments(pull.number);
    expect(stored?.body).toContain('`ep-cool-river-123456-pooler.us-east-2.aws.neon.tech`');
    expect(stored?.body).toContain('CREATE TABLE t (id int);');
  });
});

describe('a bare Octokit', () => {
  it('works with the port as well as the client the port builds', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });

    const result = await upsertStickyComment({
      client: getOctokit(GITHUB_TEST_TOKEN, { baseUrl: w.standIn.url }),
      repository: w.repository,
      issueNumber: pull.number,
      gitBranch: 'feat/login',
      body: 'plain',
      log: w.log,
    });

    expect(result.action).toBe('created');
    expect(result.url).toBe(
      `https://github.com/${w.standIn.owner}/${w.standIn.repo}/pull/${pull.number}#issuecomment-${result.commentId}`,
    );
  });
});
