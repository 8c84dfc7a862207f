import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { describePlan, makePlan } from '../../src/core/plan.js';
import type { Command } from '../../src/core/setting-names.js';
import { parseSettings, type Settings } from '../../src/core/settings.js';
import { intentFromEvent } from '../../src/github/event.js';
import { githubTarget, pushedSha } from '../../src/github/target.js';
import {
  deleteOf,
  type Payload,
  payload,
  ping,
  pullRequest,
  pushTo,
  tagPush,
  workflowDispatch,
} from '../fixtures/payloads.js';

function settings(extra: Record<string, string> = {}): Settings {
  const inputs: Record<string, string> = {
    'neon-api-key': 'napi_x',
    'neon-project-id': 'calm-sun-123456',
    'amplify-app-id': 'd1a2b3c4d5e6f7',
    ...extra,
  };
  return parseSettings((name) => inputs[name]);
}

function planFor(name: string, p: Payload, extra: Record<string, string> = {}) {
  const s = settings(extra);
  const event = intentFromEvent(
    { name, payload: p },
    { command: s.command as Command, gitBranch: s.gitBranch },
  );
  return makePlan(event.intent, s, { defaultBranch: event.defaultBranch });
}

describe('command auto', () => {
  it('deploys a branch push; the push that created the git branch says so (newInGit)', () => {
    expect(planFor('push', pushTo('feature/login'))).toEqual({
      kind: 'deploy',
      gitBranch: 'feature/login',
      neonBranchName: 'preview/feature/login',
      primary: false,
      newInGit: true,
    });
    expect(planFor('push', pushTo('feature/login', false, { later: true }))).toEqual({
      kind: 'deploy',
      gitBranch: 'feature/login',
      neonBranchName: 'preview/feature/login',
      primary: false,
    });
  });

  it('takes newInGit only from a push: command deploy on a push that created the branch keeps it, git-branch drops it', () => {
    expect(planFor('push', pushTo('feature/x'), { command: 'deploy' })).toMatchObject({ newInGit: true });
    const other = planFor('push', pushTo('feature/x'), { command: 'deploy', 'git-branch': 'feature/y' });
    expect(other).toMatchObject({ gitBranch: 'feature/y' });
    expect(other).not.toHaveProperty('newInGit');
    const dispatch = planFor('workflow_dispatch', { ...pushTo('feature/x'), created: true });
    expect(dispatch).not.toHaveProperty('newInGit');
  });

  it("deploys the repository's default branch (master in the payload) as primary", () => {
    const p = payload('push', (x) => x.ref === 'refs/heads/master' && x.deleted === false);
    expect(p.repository.default_branch).toBe('master');
    expect(planFor('push', p)).toMatchObject({ kind: 'deploy', gitBranch: 'master', primary: true });
  });

  it('cleans up on a push with deleted: true', () => {
    expect(planFor('push', pushTo('feature/login', true))).toMatchObject({
      kind: 'cleanup',
      neonBranchName: 'preview/feature/login',
    });
  });

  it('does nothing for a tag push, and says so', () => {
    const plan = planFor('push', tagPush());
    expect(plan).toEqual({ kind: 'none', reason: 'a tag push (simple-tag) needs no database' });
  });

  it('does nothing for a deleted tag (real delete payload)', () => {
    expect(planFor('delete', deleteOf('simple-tag', 'tag'))).toMatchObject({ kind: 'none' });
  });

  it('cleans up a deleted branch', () => {
    expect(planFor('delete', deleteOf('fix/bug-1'))).toMatchObject({
      kind: 'cleanup',
      gitBranch: 'fix/bug-1',
      neonBranchName: 'preview/fix/bug-1',
      deleteAmplifyBranch: false,
    });
  });

  it('cleans up when a pull request closes, merged or not', () => {
    expect(planFor('pull_request', pullRequest('closed', 'feat/pr'))).toMatchObject({
      kind: 'cleanup',
      gitBranch: 'feat/pr',
    });
  });

  it.each(['opened', 'synchronize', 'reopened', 'labeled'])(
    'does nothing for pull request action %s',
    (action) => {
      expect(planFor('pull_request', pullRequest(action, 'feat/pr'))).toMatchObject({ kind: 'none' });
    },
  );

  it("never deletes for a fork's pull request, even when its branch name matches one of ours", () => {
    const plan = planFor('pull_request', pullRequest('closed', 'feat/pr', true));
    expect(plan.kind).toBe('none');
    expect(describePlan(plan, settings())).toContain('fork');
    expect(planFor('pull_request', pullRequest('closed', 'feat/pr', true), { command: 'cleanup' }).kind).toBe(
      'none',
    );
  });

  it("treats a pull request whose head repository was deleted as a fork's", () => {
    const p = pullRequest('closed', 'feat/pr');
    p.pull_request.head.repo = null;
    expect(planFor('pull_request', p).kind).toBe('none');
  });

  it('deploys the ref of a workflow_dispatch, or git-branch when given', () => {
    expect(planFor('workflow_dispatch', workflowDispatch('refs/heads/feat/a'))).toMatchObject({
      kind: 'deploy',
      gitBranch: 'feat/a',
    });
    expect(planFor('workflow_dispatch', workflowDispatch(), { 'git-branch': 'feat/b' })).toMatchObject({
      kind: 'deploy',
      gitBranch: 'feat/b',
    });
  });

  it('refuses an event it has no meaning for, naming the event', () => {
    expect(() => planFor('issues', payload('ping'))).toThrow(
      /Event 'issues' has no meaning with command 'auto'/,
    );
  });
});

describe('explicit commands', () => {
  it('reconcile needs no branch, and takes primary branches along', () => {
    expect(planFor('workflow_dispatch', workflowDispatch(), { command: 'reconcile' })).toEqual({
      kind: 'reconcile',
      prefix: 'preview/',
      primaryBranches: ['main'],
    });
  });

  it('list needs no branch', () => {
    expect(planFor('workflow_dispatch', workflowDispatch(), { command: 'list' })).toEqual({
      kind: 'list',
      prefix: 'preview/',
    });
  });

  it('reconcile refuses an empty prefix', () => {
    expect(() =>
      planFor('workflow_dispatch', workflowDispatch(), { command: 'reconcile', 'branch-prefix': '' }),
    ).toThrow(/reconcile refuses to run without a prefix/);
  });

  it('cleanup of a primary branch deletes nothing', () => {
    const plan = planFor('workflow_dispatch', workflowDispatch(), {
      command: 'cleanup',
      'git-branch': 'develop',
      'primary-branches': 'main,develop',
    });
    expect(plan).toMatchObject({ kind: 'none' });
  });

  it('deploy with git-branch on any event', () => {
    expect(planFor('ping', ping(), { command: 'deploy', 'git-branch': 'feat/z' })).toMatchObject({
      kind: 'deploy',
      gitBranch: 'feat/z',
    });
  });

  it('deploy without a branch anywhere is a usage error naming git-branch', () => {
    expect(() => planFor('ping', ping(), { command: 'deploy' })).toThrow(UsageError);
    expect(() => planFor('ping', ping(), { command: 'deploy' })).toThrow(/set the git-branch input/);
  });

  it('cleanup with delete-amplify-branch carries it in the plan', () => {
    expect(planFor('delete', deleteOf('feat/y'), { 'delete-amplify-branch': 'true' })).toMatchObject({
      kind: 'cleanup',
      deleteAmplifyBranch: true,
    });
  });

  it('a custom prefix and primary list apply', () => {
    expect(
      planFor('push', pushTo('main', false, { later: true }), {
        'branch-prefix': 'pr-',
        'primary-branches': 'develop',
      }),
    ).toEqual({
      kind: 'deploy',
      gitBranch: 'main',
      neonBranchName: 'pr-main',
      primary: false,
    });
  });
});

describe("a payload whose fields are not of GitHub's types", () => {
  // The payload is typed through @octokit/webhooks-types only to name its fields: each is still checked.
  it('reads a field of the wrong JSON type as missing, and never throws on it', () => {
    const odd = { ref: 42, deleted: 'yes', after: 7, repository: 'acme/app', pull_request: [1] };
    expect(
      intentFromEvent({ name: 'push', payload: odd }, { command: 'auto', gitBranch: undefined }),
    ).toEqual({
      intent: { command: 'none', reason: 'the push names no branch' },
      defaultBranch: undefined,
      repository: undefined,
    });
    const closed = { action: 'closed', pull_request: { number: '7', head: 'feat/x', base: null } };
    const pr = intentFromEvent(
      { name: 'pull_request', payload: closed },
      { command: 'auto', gitBranch: undefined },
    );
    expect(pr.intent).toMatchObject({
      command: 'none',
      reason: expect.stringMatching(/^pull request comes from a fork/),
    });
    expect(pushedSha(odd)).toBeUndefined();
    expect(githubTarget({ token: 't', repository: undefined, payload: odd })).toBeUndefined();
    const target = githubTarget({ token: 't', repository: 'acme/app', payload: closed, sha: 'abc' });
    expect(target).toMatchObject({ sha: 'abc', pullNumbers: undefined });
  });
});
