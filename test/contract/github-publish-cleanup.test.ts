/**
 * The run reported on GitHub (src/publishing.ts and src/github/publish.ts) through the real Octokit
 * against the strict GitHub stand-in: a token without the permissions, the switches that turn the
 * comment and the deployment off, and cleanup. The comment and the deployment of a deploy are in
 * github-publish.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { CleanupResult } from '../../src/core/result.js';
import { publish, publishWorlds, settingsOf } from './github-publish-world.js';

const world = publishWorlds();

describe('permissions and switches', () => {
  it('a token without pull-requests: write or deployments: write gets warnings naming them, and the run succeeds', async () => {
    const w = await world({
      tokens: { ghs_readonly: { permissions: { 'pull-requests': 'read', contents: 'read' } } },
    });
    w.standIn.addPullRequest({ head: 'feat/login' });
    const result = await publish({ w, token: 'ghs_readonly' });

    expect(result.kind).toBe('deploy');
    const warnings = w.warnings();
    expect(warnings.some((m) => m.includes('lacks the permission `pull-requests: write`'))).toBe(true);
    expect(warnings.some((m) => m.includes('lacks the permission `deployments: write`'))).toBe(true);
    expect(w.standIn.deployments()).toEqual([]);
  });

  it('comment-on-pr: false and create-deployment: false send no GitHub request at all', async () => {
    const w = await world();
    w.standIn.addPullRequest({ head: 'feat/login' });
    const settings = settingsOf({ 'comment-on-pr': 'false', 'create-deployment': 'false' });
    await publish({ w, settings });
    await publish({ w, settings, command: 'cleanup', core: async () => cleanupResult() });
    expect(w.standIn.requests).toEqual([]);
  });

  it('create-deployment: false still comments, and never touches deployments, on deploy or cleanup', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    const settings = settingsOf({ 'create-deployment': 'false' });
    await publish({ w, settings });
    await publish({ w, settings, command: 'cleanup', core: async () => cleanupResult() });
    expect(w.standIn.comments(pull.number)).toHaveLength(1);
    expect(w.standIn.requests.filter((r) => r.route?.startsWith('repos.'))).toEqual([]);
  });

  it('a dry run sends nothing to GitHub', async () => {
    const w = await world();
    await publish({ w, settings: settingsOf({ 'dry-run': 'true' }) });
    expect(w.standIn.requests).toEqual([]);
  });

  it('comment-on-pr: false still makes the deployment, and never lists pull requests', async () => {
    const w = await world();
    w.standIn.addPullRequest({ head: 'feat/login' });
    await publish({ w, settings: settingsOf({ 'comment-on-pr': 'false' }) });
    expect(new Set(w.standIn.requests.map((r) => r.route))).toEqual(
      new Set(['repos.createDeployment', 'repos.createDeploymentStatus']),
    );
  });
});

function cleanupResult(): CleanupResult {
  return {
    kind: 'cleanup',
    gitBranch: 'feat/login',
    dryRun: false,
    neonBranch: { id: 'br-calm-1', name: 'preview/feat/login' },
    deleted: true,
  };
}

describe('cleanup', () => {
  it('edits the comment to say the branch was deleted and marks every deployment inactive', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    await publish({ w });
    await publish({ w });
    pull.state = 'closed';

    const result = await publish({
      w,
      command: 'cleanup',
      pullNumbers: [pull.number],
      core: async () => cleanupResult(),
    });

    const [comment] = w.standIn.comments(pull.number);
    expect(w.standIn.comments(pull.number)).toHaveLength(1);
    expect(comment?.body).toContain('was deleted: the pull request was closed');
    // The event named the pull request: no lookup for the cleanup (one per deploy before it).
    expect(w.standIn.requestsFor('pulls.list')).toHaveLength(2);
    expect(result.kind === 'cleanup' && result.github?.commentUrl).toMatch(/#issuecomment-/);
    const deployments = w.standIn.deployments('preview/feat/login');
    expect(deployments).toHaveLength(2);
    expect(deployments.map((d) => w.standIn.latestState(d))).toEqual(['inactive', 'inactive']);
  });

  it('never creates a comment where there was none', async () => {
    const w = await world();
    w.standIn.addPullRequest({ head: 'feat/login', state: 'closed' });
    await publish({ w, command: 'cleanup', core: async () => cleanupResult() });
    expect(w.standIn.requestsFor('issues.createComment')).toHaveLength(0);
    expect(w.standIn.requestsFor('pulls.list')[0]?.query.state).toBe('all');
  });
});
