import { afterEach, describe, expect, it } from 'vitest';
import { pullRequest, pushTo } from '../fixtures/payloads.js';
import { runAction } from './run-action.js';
import { APP_ID, startWorld, type World } from './world.js';

/**
 * What the real Amplify does where the stand-in used to agree with the product instead, through the
 * built action: clearing a variable map, the account's concurrent-build quota.
 */
let world: World | undefined;
afterEach(async () => {
  expect(world?.neon.violations).toEqual([]);
  await world?.close();
  world = undefined;
});

function run(w: World, event: { name: string; payload: unknown }, inputs: Record<string, string> = {}) {
  return runAction({ event, inputs: { ...w.inputs, ...inputs }, env: w.awsEnv });
}

describe('Amplify fidelity', () => {
  it('cleanup clears a branch whose only variable is DATABASE_URL with the {" ": ""} sentinel', async () => {
    world = await startWorld();
    const w = world;
    const deploy = await run(w, { name: 'push', payload: pushTo('feat/only') }, { 'start-job': 'false' });
    expect(deploy.exitCode, deploy.stdout).toBe(0);
    expect(Object.keys(w.amplify.branch(APP_ID, 'feat/only')?.environmentVariables ?? {})).toEqual([
      'DATABASE_URL',
    ]);

    const cleanup = await run(w, { name: 'pull_request', payload: pullRequest('closed', 'feat/only') });

    expect(cleanup.exitCode, cleanup.stdout).toBe(0);
    expect(cleanup.outputs.deleted).toBe('true');
    expect(w.neon.branchByName('preview/feat/only')).toBeUndefined();
    expect(w.amplify.branch(APP_ID, 'feat/only')?.environmentVariables).toEqual({});
    const updates = w.amplify.requestsFor('UpdateBranch');
    expect(updates.at(-1)?.body).toEqual({ environmentVariables: { ' ': '' } });
    expect(updates.at(-1)?.status).toBe(200);
  });
});
