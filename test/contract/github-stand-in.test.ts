/**
 * The GitHub stand-in itself, probed with the bare Octokit of `@actions/github` and raw fetch: that it
 * refuses what GitHub refuses (tokens, permissions, routes, limits) and pages like GitHub, so the
 * port's contract tests against it mean something.
 */
import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import { githubOperation } from '../fakes/github-openapi.js';
import {
  GITHUB_COMMENT_LIMIT,
  GITHUB_TEST_TOKEN,
  type GitHubStandIn,
  type GitHubStandInOptions,
  startGitHubStandIn,
} from '../fakes/github-server.js';

const running: GitHubStandIn[] = [];

afterEach(async () => {
  const standIns = running.splice(0);
  await Promise.all(standIns.map((standIn) => standIn.close()));
  // Every answer the stand-in gave fits GitHub's description (github-openapi.ts).
  expect(standIns.flatMap((standIn) => standIn.violations)).toEqual([]);
});

async function start(options: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const standIn = await startGitHubStandIn(options);
  running.push(standIn);
  return standIn;
}

function octokit(standIn: GitHubStandIn, token = GITHUB_TEST_TOKEN) {
  return getOctokit(token, { baseUrl: standIn.url });
}

interface Refusal {
  status: number;
  data: unknown;
  headers: Record<string, string>;
}

async function refusal(promise: Promise<unknown>): Promise<Refusal> {
  try {
    await promise;
  } catch (error) {
    const response = (
      error as { status: number; response?: { data: unknown; headers: Record<string, string> } }
    ).response;
    return {
      status: (error as { status: number }).status,
      data: response?.data,
      headers: response?.headers ?? {},
    };
  }
  throw new Error('expected GitHub to refuse the request');
}

describe('tokens and permissions', () => {
  it('answers 401 Bad credentials to an unknown token', async () => {
    const standIn = await start();
    const answer = await refusal(
      octokit(standIn, 'ghs_wrong').rest.pulls.list({ owner: standIn.owner, repo: standIn.repo }),
    );
    expect(answer.status).toBe(401);
    expect(answer.data).toEqual({
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
  });

  it('answers 401 to a request without a token', async () => {
    const standIn = await start();
    const response = await fetch(`${standIn.url}/repos/${standIn.owner}/${standIn.repo}/pulls`, {
      headers: { 'user-agent': 'probe' },
    });
    expect(response.status).toBe(401);
  });

  it('answers 403 with x-accepted-github-permissions to a token without pull-requests: write', async () => {
    const standIn = await start({ tokens: { ghs_readonly: { permissions: { 'pull-requests': 'read' } } } });
    const pull = standIn.addPullRequest({ head: 'feat/x' });
    const client = octokit(standIn, 'ghs_readonly');

    // Reading is granted by pull-requests: read ...
    await client.rest.issues.listComments({
      owner: standIn.owner,
      repo: standIn.repo,
      issue_number: pull.number,
    });
    // ... writing is not.
    const answer = await refusal(
      client.rest.issues.createComment({
        owner: standIn.owner,
        repo: standIn.repo,
        issue_number: pull.number,
        body: 'x',
      }),
    );
    expect(answer.status).toBe(403);
    expect(answer.data).toEqual({
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '403',
    });
    expect(answer.headers['x-accepted-github-permissions']).toBe('issues=write; pull_requests=write');
    expect(standIn.comments(pull.number)).toEqual([]);
  });

  it('hides a repository the token was not given: 404, not 403', async () => {
    const standIn = await start({
      tokens: { ghs_other: { permissions: { 'pull-requests': 'write' }, repositories: ['someone/else'] } },
    });
    const answer = await refusal(
      octokit(standIn, 'ghs_other').rest.pulls.list({ owner: standIn.owner, repo: standIn.repo }),
    );
    expect(answer.status).toBe(404);
    expect((answer.data as { message: string }).message).toBe('Not Found');
  });
});

describe('routes and validation', () => {
  it('answers 404 Not Found to a route it does not know, and to a known path with another method', async () => {
    const standIn = await start();
    const client = octokit(standIn);
    const repo = { owner: standIn.owner, repo: standIn.repo };
    const unknown = await refusal(client.request('GET /repos/{owner}/{repo}/labels', repo));
    const wrongMethod = await refusal(client.request('PUT /repos/{owner}/{repo}/pulls', repo));
    for (const answer of [unknown, wrongMethod]) {
      expect(answer.status).toBe(404);
      expect(answer.data).toEqual({
        message: 'Not Found',
        documentation_url: 'https://docs.github.com/rest',
        status: '404',
      });
    }
  });

  it('refuses a comment body one character past 65536, counting characters rather than UTF-16 units', async () => {
    const standIn = await start();
    const pull = standIn.addPullRequest({ head: 'feat/x' });
    const client = octokit(standIn);
    const params = { owner: standIn.owner, repo: standIn.repo, issue_number: pull.number };

    const answer = await refusal(
      client.rest.issues.createComment({ ...params, body: 'a'.repeat(GITHUB_COMMENT_LIMIT + 1) }),
    );
    expect(answer.status).toBe(422);
    expect(answer.data).toEqual({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'unprocessable',
          field: 'data',
          message: 'Body is too long (maximum is 65536 characters)',
        },
      ],
      documentation_url: 'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
      status: '422',
    });
    // 65536 emoji are 131072 UTF-16 units but 65536 characters: accepted.
    await client.rest.issues.createComment({ ...params, body: '🐘'.repeat(GITHUB_COMMENT_LIMIT) });
    expect(standIn.comments(pull.number)).toHaveLength(1);
  });

  it('reads a branch name sent as one encoded segment, and answers Branch not found for a missing one', async () => {
    const standIn = await start();
    const sha = standIn.addBranch('feat/odd name+1');
    const client = octokit(standIn);

    const { data } = await client.rest.repos.getBranch({
      owner: standIn.owner,
      repo: standIn.repo,
      branch: 'feat/odd name+1',
    });
    expect(data.commit.sha).toBe(sha);
    expect(standIn.requestsFor('repos.getBranch')[0]?.rawPath).toBe(
      `/repos/${standIn.owner}/${standIn.repo}/branches/feat%2Fodd%20name%2B1`,
    );
    const missing = await refusal(
      client.rest.repos.getBranch({ owner: standIn.owner, repo: standIn.repo, branch: 'nope' }),
    );
    expect(missing.status).toBe(404);
    expect((missing.data as { message: string }).message).toBe('Branch not found');
  });

  it('refuses a deployment of a ref it does not know, and one whose status checks fail without required_contexts', async () => {
    const standIn = await start();
    const sha = standIn.addBranch('feat/x');
    standIn.setContexts(sha, [{ context: 'ci/test', state: 'failure' }]);
    const client = octokit(standIn);
    const base = { owner: standIn.owner, repo: standIn.repo, environment: 'preview/feat/x' };

    const noRef = await refusal(client.rest.repos.createDeployment({ ...base, ref: 'no-such-ref' }));
    expect(noRef.status).toBe(422);
    expect((noRef.data as { message: string }).message).toBe('No ref found for: no-such-ref');

    const checks = await refusal(
      client.rest.repos.createDeployment({ ...base, ref: sha, auto_merge: false }),
    );
    expect(checks.status).toBe(409);
    expect((checks.data as { message: string }).message).toBe(
      `Conflict: Commit status checks failed for ${sha}.`,
    );

    const created = await client.rest.repos.createDeployment({
      ...base,
      ref: sha,
      required_contexts: [],
      auto_merge: false,
    });
    expect(created.status).toBe(201);
  });

  it('refuses a deployment status outside GitHub states', async () => {
    const standIn = await start();
    const sha = standIn.addBranch('feat/x');
    const client = octokit(standIn);
    const { data } = await client.rest.repos.createDeployment({
      owner: standIn.owner,
      repo: standIn.repo,
      ref: sha,
      required_contexts: [],
    });
    const id = (data as { id: number }).id;
    const answer = await refusal(
      client.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
        owner: standIn.owner,
        repo: standIn.repo,
        deployment_id: id,
        // Deliberately outside the enum the types allow.
        state: 'done' as 'success',
      }),
    );
    expect(answer.status).toBe(422);
  });
});

describe('pagination and filters', () => {
  it('pages comments 100 at a time with Link headers pointing at /repositories/{id}', async () => {
    const standIn = await start();
    const pull = standIn.addPullRequest({ head: 'feat/x' });
    for (let index = 0; index < 250; index += 1) standIn.addComment(pull.number, `comment ${index}`);
    const client = octokit(standIn);

    const all = await client.paginate(client.rest.issues.listComments, {
      owner: standIn.owner,
      repo: standIn.repo,
      issue_number: pull.number,
      per_page: 500,
    });

    expect(all.map((comment) => comment.body)).toEqual(
      Array.from({ length: 250 }, (_, index) => `comment ${index}`),
    );
    const pages = standIn.requestsFor('issues.listComments');
    expect(pages.map((request) => request.query.page)).toEqual([undefined, '2', '3']);
    expect(pages[1]?.rawPath).toBe(`/repositories/${standIn.repository().id}/issues/${pull.number}/comments`);
  });

  it('filters pull requests by owner:branch, and ignores a head without an owner as GitHub does', async () => {
    const standIn = await start();
    const mine = standIn.addPullRequest({ head: 'feat/x' });
    standIn.addPullRequest({ head: 'feat/x', headOwner: 'forker', headRepoName: 'app' });
    standIn.addPullRequest({ head: 'feat/y' });
    const client = octokit(standIn);
    const params = { owner: standIn.owner, repo: standIn.repo, state: 'open' as const };

    const filtered = await client.rest.pulls.list({ ...params, head: `${standIn.owner}:feat/x` });
    expect(filtered.data.map((pull) => pull.number)).toEqual([mine.number]);

    const unfiltered = await client.rest.pulls.list({ ...params, head: 'feat/x' });
    expect(unfiltered.data).toHaveLength(3);
    expect(standIn.violations).toEqual([
      expect.stringContaining('without "owner:" GitHub ignores the filter'),
    ]);
    standIn.violations.length = 0;
  });
});

describe("held to GitHub's OpenAPI description (@octokit/openapi)", () => {
  it('refuses a body that breaks the operation schema with 422 Invalid request, naming the property', async () => {
    const standIn = await start();
    const pull = standIn.addPullRequest({ head: 'feat/x' });
    const client = octokit(standIn);
    const repo = { owner: standIn.owner, repo: standIn.repo };

    const noBody = await refusal(
      client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...repo,
        issue_number: pull.number,
      } as never),
    );
    const numberBody = await refusal(
      client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...repo,
        issue_number: pull.number,
        body: 12 as unknown as string,
      }),
    );
    const badFlag = await refusal(
      client.request('POST /repos/{owner}/{repo}/deployments', {
        ...repo,
        ref: 'feat/x',
        transient_environment: 'yes' as unknown as boolean,
      }),
    );
    expect(
      [noBody, numberBody, badFlag].map((answer) => [
        answer.status,
        (answer.data as { message: string }).message,
      ]),
    ).toEqual([
      [422, 'Invalid request.\n\nBody is required.'],
      [422, "Invalid request.\n\nFor 'properties/body', 12 is not a string."],
      [422, `Invalid request.\n\nFor 'properties/transient_environment', "yes" is not a boolean.`],
    ]);
    expect(standIn.comments(pull.number)).toEqual([]);
    expect(standIn.deployments()).toEqual([]);
  });

  it('refuses a query value outside the parameter schema with 422, and ignores parameters it does not name', async () => {
    const standIn = await start();
    const client = octokit(standIn);
    const repo = { owner: standIn.owner, repo: standIn.repo };
    const answer = await refusal(
      client.request('GET /repos/{owner}/{repo}/pulls', { ...repo, direction: 'up' as 'asc' }),
    );
    expect(answer.status).toBe(422);
    expect((answer.data as { message: string }).message).toBe(
      `Invalid request.\n\nFor 'direction', "up" is not one of ["asc","desc"].`,
    );
    const page = await refusal(
      client.request('GET /repos/{owner}/{repo}/pulls', { ...repo, page: 'two' as never }),
    );
    expect(page.status).toBe(422);
    const ignored = await client.request('GET /repos/{owner}/{repo}/pulls', {
      ...repo,
      color: 'blue',
    } as never);
    expect(ignored.status).toBe(200);
  });

  it('finds what an answer lacks: the check the stand-in runs on every answer can fail', () => {
    const create = githubOperation('issues.createComment');
    expect(create.checkResponse(201, { id: 1, body: 'x' })).toEqual(
      expect.arrayContaining([
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments 201: (root) must have required property 'node_id'",
      ]),
    );
    expect(create.checkResponse(200, {})).toEqual([
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments does not answer 200',
    ]);
    // Errors the description does not list carry GitHub's basic-error body.
    expect(create.checkResponse(401, { message: 'Bad credentials', documentation_url: 'x' })).toEqual([]);
    expect(githubOperation('issues.deleteComment').checkResponse(204, { x: 1 })).toEqual([
      'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id} 204 has no body, but one was sent',
    ]);
  });

  it('fails close() when one of its answers broke the description, so no test can miss it', async () => {
    const standIn = await startGitHubStandIn();
    const pull = standIn.addPullRequest({ head: 'feat/x' });
    const comment = standIn.addComment(pull.number, 'hello');
    // A stand-in bug, made on purpose: a comment whose author lost every field GitHub sends.
    comment.user = { login: 'octocat' } as typeof comment.user;
    await octokit(standIn).rest.issues.listComments({
      owner: standIn.owner,
      repo: standIn.repo,
      issue_number: pull.number,
    });
    const closed = await standIn.close().then(
      () => 'closed without complaint',
      (error: Error) => error.message,
    );
    expect(closed).toContain("The GitHub stand-in answered outside GitHub's description:");
    expect(closed).toContain(
      "GET /repos/{owner}/{repo}/issues/{issue_number}/comments 200: /0/user must have required property 'id'",
    );
  });

  it("answers every route with bodies that fit the description: pull requests (a deleted fork's too), branch, comments, deployments", async () => {
    const standIn = await start();
    const client = octokit(standIn);
    const repo = { owner: standIn.owner, repo: standIn.repo };
    const pull = standIn.addPullRequest({ head: 'feat/x' });
    standIn.addPullRequest({ head: 'feat/x', headOwner: 'forker', headRepoName: 'app' });
    const orphan = standIn.addPullRequest({
      head: 'feat/y',
      headOwner: 'gone',
      headRepoName: null,
      state: 'closed',
    });
    await client.rest.pulls.list({ ...repo, state: 'all' });
    await client.rest.pulls.get({ ...repo, pull_number: pull.number });
    await client.rest.pulls.get({ ...repo, pull_number: orphan.number });
    await client.rest.repos.getBranch({ ...repo, branch: 'feat/x' });
    const comment = await client.rest.issues.createComment({ ...repo, issue_number: pull.number, body: 'x' });
    await client.rest.issues.listComments({ ...repo, issue_number: pull.number });
    await client.rest.issues.updateComment({ ...repo, comment_id: comment.data.id, body: 'y' });
    await client.rest.issues.deleteComment({ ...repo, comment_id: comment.data.id });
    expect(
      (await refusal(client.rest.issues.deleteComment({ ...repo, comment_id: comment.data.id }))).status,
    ).toBe(404);
    const created = await client.rest.repos.createDeployment({
      ...repo,
      ref: 'feat/x',
      environment: 'preview/feat/x',
      transient_environment: true,
      required_contexts: [],
      auto_merge: false,
    });
    const deploymentId = (created.data as { id: number }).id;
    await client.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: deploymentId,
      state: 'in_progress',
    });
    await client.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: deploymentId,
      state: 'success',
      environment_url: 'https://feat-x.example.com',
    });
    await client.rest.repos.listDeployments({ ...repo, environment: 'preview/feat/x' });
    await client.rest.repos.getDeployment({ ...repo, deployment_id: deploymentId });
    await client.rest.repos.listDeploymentStatuses({ ...repo, deployment_id: deploymentId });
    expect((await refusal(client.rest.repos.createDeployment({ ...repo, ref: 'nope' }))).status).toBe(422);
    // Every route was answered (the afterEach holds each answer to the description).
    expect(new Set(standIn.requests.map((request) => request.route)).size).toBe(12);
  });
});
