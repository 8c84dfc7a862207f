import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commentMarker } from '../../src/github/comment-marker.js';
import { amplifyClientEnv } from '../fakes/amplify-server.js';
import { pullRequest, pushTo } from '../fixtures/payloads.js';
import { runAction } from './run-action.js';
import { APP_ID, startWorld, type World } from './world.js';

/**
 * README.md, "Safety rules": with an empty branch-prefix a git branch's Neon name can be the
 * project's default branch (here `production`, not a primary branch: the payload's default branch
 * is `master`). The built action and CLI use it read-only and leave its Amplify branch alone on
 * cleanup, whatever expires-in, reset-on-push and reset-role-password say.
 */
let world: World | undefined;
afterEach(async () => {
  expect(world?.neon.violations).toEqual([]);
  await world?.close();
  world = undefined;
});

const CARELESS = { 'branch-prefix': '', 'expires-in': '7d', 'reset-on-push': 'true' };

async function production(): Promise<World> {
  world = await startWorld({ defaultBranchName: 'production' });
  world.amplify.addBranch(APP_ID, 'production', {
    environmentVariables: { DATABASE_URL: 'postgresql://kept', OTHER: 'kept' },
  });
  return world;
}

/** Requests to Neon that change a branch, besides a refused create (409: the name is taken). */
function neonWrites(w: World): string[] {
  return w.neon.requests
    .filter((r) => r.method !== 'GET' && r.status !== 409)
    .map((r) => `${r.method} ${r.path}`);
}

function cli(w: World, args: string[]) {
  const env = {
    PATH: process.env.PATH ?? '',
    ...amplifyClientEnv(w.amplify),
    NEON_API_KEY: w.neon.apiKey,
    NEON_API_HOST: w.neon.url,
    NEON_PROJECT_ID: w.neon.projectId,
    AMPLIFY_APP_ID: APP_ID,
  };
  const child = spawn(process.execPath, [resolve(import.meta.dirname, '../../dist/cli/index.js'), ...args], {
    env,
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise<{ code: number | null; output: string }>((done) =>
    child.on('close', (code) => done({ code, output })),
  );
}

describe('the Neon default branch under an empty prefix', () => {
  it('the action: a push of `production` writes its URL and starts the job, and changes nothing in Neon', async () => {
    const w = await production();
    const pull = w.github.addPullRequest({ head: 'production' });
    const result = await runAction({
      event: { name: 'push', payload: pushTo('production', false, { later: true }) },
      inputs: { ...w.inputs, ...CARELESS },
      env: w.awsEnv,
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(neonWrites(w)).toEqual([]);
    const url = new URL(w.amplify.branch(APP_ID, 'production')?.environmentVariables.DATABASE_URL ?? '');
    const id = w.neon.defaultBranch().id;
    expect(decodeURIComponent(url.password)).toBe(w.neon.passwordOf(id, 'neondb_owner'));
    expect(w.amplify.branch(APP_ID, 'production')?.environmentVariables.OTHER).toBe('kept');
    expect(w.amplify.requestsFor('StartJob')).toHaveLength(1);
    expect(result.stdout).toMatch(
      /::warning::Neon branch 'production' is the project's default branch: the deploy of 'production' uses it read-only/,
    );
    expect(result.outputs['neon-branch-id']).toBe(id);
    expect(result.outputs['expires-at']).toBe('');
    // No preview to report: no comment, no deployment.
    expect(w.github.comments(pull.number)).toEqual([]);
    expect(w.github.deployments()).toEqual([]);
  });

  it('the action: its first push (created: true) and the 409 that follows change nothing either', async () => {
    const w = await production();
    const result = await runAction({
      event: { name: 'push', payload: { ...pushTo('production'), created: true } },
      inputs: { ...w.inputs, ...CARELESS },
      env: w.awsEnv,
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(neonWrites(w)).toEqual([]);
  });

  it('the action: the pull request of `production` closing deletes nothing and keeps its variables', async () => {
    const w = await production();
    const pull = w.github.addPullRequest({ head: 'production', state: 'closed' });
    const note = `${commentMarker('production')}\nwritten by an earlier run`;
    w.github.addComment(pull.number, note, { login: 'github-actions[bot]' });
    const payload = pullRequest('closed', 'production');
    payload.number = pull.number;
    payload.pull_request.number = pull.number;
    for (const deleteAmplify of ['false', 'true']) {
      const result = await runAction({
        event: { name: 'pull_request', payload },
        inputs: { ...w.inputs, ...CARELESS, 'delete-amplify-branch': deleteAmplify },
        env: w.awsEnv,
      });
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.stdout).toContain("Amplify branch 'production' is left alone");
      expect(result.outputs.deleted).toBe('false');
    }
    expect(w.mutations()).toEqual([]);
    // Nothing was deleted: the comment does not say so, and no deployment goes inactive.
    expect(w.github.comments(pull.number).map((c) => c.body)).toEqual([note]);
    expect(w.github.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(w.amplify.branch(APP_ID, 'production')?.environmentVariables).toEqual({
      DATABASE_URL: 'postgresql://kept',
      OTHER: 'kept',
    });
  });

  it('the CLI: deploy and cleanup of `production` change nothing in Neon, nor its Amplify variables', async () => {
    const w = await production();
    const flags = ['--branch-prefix=', '--expires-in', '7d', '--reset-on-push', '--aws-region', 'us-east-1'];
    const deployed = await cli(w, ['deploy', '--git-branch', 'production', ...flags]);
    expect(deployed.code, deployed.output).toBe(0);
    expect(neonWrites(w)).toEqual([]);
    expect(w.amplify.requestsFor('StartJob')).toHaveLength(1);
    const written = w.amplify.branch(APP_ID, 'production')?.environmentVariables;
    const cleaned = await cli(w, ['cleanup', '--git-branch', 'production', ...flags]);
    expect(cleaned.code, cleaned.output).toBe(0);
    expect(neonWrites(w)).toEqual([]);
    expect(w.amplify.branch(APP_ID, 'production')?.environmentVariables).toEqual(written);
  });
});

describe('a cleanup Neon refuses', () => {
  it('422 on the delete: the run fails and the Amplify branch keeps its variables', async () => {
    world = await startWorld();
    const w = world;
    const branch = w.neon.addBranch({ name: 'preview/feat/x' });
    w.amplify.addBranch(APP_ID, 'feat/x', { environmentVariables: { DATABASE_URL: 'postgresql://x' } });
    w.neon.injectFault({
      method: 'DELETE',
      path: `/projects/${w.neon.projectId}/branches/${branch.id}`,
      fault: { kind: 'respond', status: 422, body: { code: '', message: 'branch has children' } },
    });
    const result = await runAction({
      event: { name: 'pull_request', payload: pullRequest('closed', 'feat/x') },
      inputs: w.inputs,
      env: w.awsEnv,
    });
    expect(result.exitCode).toBe(1);
    expect(w.amplify.requests.map((r) => r.operation)).not.toContain('UpdateBranch');
    expect(w.amplify.branch(APP_ID, 'feat/x')?.environmentVariables).toEqual({
      DATABASE_URL: 'postgresql://x',
    });
  });
});
