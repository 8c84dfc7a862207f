import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pushTo } from '../fixtures/payloads.js';
import { runAction } from './run-action.js';
import { APP_ID, startWorld, type World } from './world.js';

/** The hardening issue's defects, through the built action as the runner runs it. */
let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  expect(world.neon.violations).toEqual([]);
  await world.close();
});

function push(branch: string, inputs: Record<string, string> = {}) {
  return runAction({
    event: { name: 'push', payload: pushTo(branch) },
    inputs: { ...world.inputs, ...inputs },
    env: world.awsEnv,
  });
}

describe('hardening', () => {
  it('a git branch Amplify cannot hold fails before anything is created: no orphan Neon branch', async () => {
    const branch = `feature/${'a'.repeat(292)}`;
    const result = await push(branch);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('an Amplify branch name holds at most 255');
    expect(world.neon.requests).toEqual([]);
    expect(world.amplify.requests).toEqual([]);
  });

  it('two concurrent first runs for one branch end with the preview’s own, current password in Amplify', async () => {
    const parentPassword = world.neon.passwordOf(world.neon.defaultBranch().id, 'neondb_owner');
    const [a, b] = await Promise.all([push('feat/race'), push('feat/race')]);
    expect([a.exitCode, b.exitCode], `${a.stdout}\n----\n${b.stdout}`).toEqual([0, 0]);
    // One run created the branch, the other met the 409 and reused it.
    expect([a.outputs.created, b.outputs.created].sort()).toEqual(['false', 'true']);
    const branch = world.neon.branchByName('preview/feat/race');
    const current = world.neon.passwordOf(branch?.id ?? '', 'neondb_owner');
    expect(current).not.toBe(parentPassword);
    const url = new URL(world.amplify.branch(APP_ID, 'feat/race')?.environmentVariables.DATABASE_URL ?? '');
    expect(decodeURIComponent(url.password)).toBe(current);
  });

  it('with reset-role-password: false the preview keeps the password Neon copied from the parent', async () => {
    const parentPassword = world.neon.passwordOf(world.neon.defaultBranch().id, 'neondb_owner');
    const result = await push('feat/copied', { 'reset-role-password': 'false' });
    expect(result.exitCode).toBe(0);
    const url = new URL(world.amplify.branch(APP_ID, 'feat/copied')?.environmentVariables.DATABASE_URL ?? '');
    expect(decodeURIComponent(url.password)).toBe(parentPassword);
    expect(world.neon.requestsTo('POST', /reset_password$/)).toEqual([]);
  });
});
