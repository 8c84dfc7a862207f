/**
 * The GitHub stand-in itself, probed with the bare Octokit of `@actions/github` and raw fetch: that it
 * refuses what GitHub refuses (tokens, permissions, routes, limits) and pages like GitHub, so the
 * port's contract tests against it mean something.
 */
import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import {
  GITHUB_COMMENT_LIMIT,
  GITHUB_TEST_TOKEN,
  type GitHubStandIn,
  type GitHubStandInOptions,
  startGitHubStandIn,
} from '../fakes/github-server.js';

const running: GitHubStandIn[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
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
    expect(standIn.violations).toHaveLength(1);
  });
});
