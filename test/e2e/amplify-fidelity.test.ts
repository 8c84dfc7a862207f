import { afterEach, describe, expect, it } from 'vitest';
import { pullRequest, pushTo } from '../fixtures/payloads.js';
import { waitFor } from '../wait-for.js';
import { runAction } from './run-action.js';
import { APP_ID, startWorld, type World } from './world.js';

/**
 * What the real Amplify does where the stand-in used to agree with the product instead, through the
 * built action: clearing a variable map, the account's concurrent-build quota.
 */
/** Two runs of the built action each: room for a machine that builds in parallel (a guard, not a check). */
const RUNS_TIMEOUT_MS = 90_000;
let world: World | undefined;
afterEach(async () => {
  expect(world?.neon.violations).toEqual([]);
  await world?.close();
  world = undefined;
});

function run(w: World, event: { name: string; payload: unknown }, inputs: Record<string, string> = {}) {
  return runAction({ event, inputs: { ...w.inputs, ...inputs }, env: w.awsEnv });
}

describe('Amplify fidelity', { timeout: RUNS_TIMEOUT_MS }, () => {
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

  it("a full account build quota is waited for even with on-running-job: skip, and no other branch's job is stopped", async () => {
    world = await startWorld();
    const w = world;
    // Five builds of other branches, one of them in another app of the same account and region.
    const other = w.amplify.addApp();
    w.amplify.addBranch(other.appId, 'main');
    w.amplify.addJob(other.appId, 'main', { status: 'RUNNING' });
    for (const name of ['a', 'b', 'c', 'd']) {
      w.amplify.addBranch(APP_ID, name);
      w.amplify.addJob(APP_ID, name, { status: 'RUNNING' });
    }
    const running = run(w, { name: 'push', payload: pushTo('feat/q') }, { 'on-running-job': 'skip' });

    // Once Amplify has refused the start, the other app's build ends and frees a slot.
    await waitFor(
      "Amplify's refusal (429) of feat/q's StartJob",
      () =>
        w.amplify.requestsFor('StartJob').some((r) => r.params.branchName === 'feat/q' && r.status === 429),
      { withinMs: 25_000 },
    );
    w.amplify.setJobStatus(other.appId, 'main', '1', 'SUCCEED');
    const result = await running;

    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain("the AWS account's concurrent-build quota");
    expect(result.stdout).not.toContain('on-running-job: skip');
    const jobs = w.amplify.branch(APP_ID, 'feat/q')?.jobs ?? [];
    expect(jobs).toHaveLength(1);
    expect(result.outputs['amplify-job-id']).toBe(jobs[0]?.jobId);
    expect(w.amplify.requestsFor('StopJob')).toEqual([]);
    for (const name of ['a', 'b', 'c', 'd'])
      expect(w.amplify.branch(APP_ID, name)?.jobs[0]?.status).toBe('RUNNING');
  });
});
