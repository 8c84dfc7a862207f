import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { readShows, SHOWS, seedShows } from '../fakes/neon-seed.js';
import { pushTo, workflowDispatch } from '../fixtures/payloads.js';
import { runAction } from './run-action.js';
import { APP_ID, startWorld, type World } from './world.js';

/** Branch lifecycle through the built action: expiry, reset on push, schema-only, suspend, quota. */
let world: World | undefined;
afterEach(async () => {
  expect(world?.neon.violations).toEqual([]);
  await world?.close();
  world = undefined;
});

async function seeded(): Promise<World & { parentUrl: string }> {
  world = await startWorld({ postgres: true });
  const parentId = world.neon.defaultBranch().id;
  await seedShows(world.neon, { branchId: parentId });
  return Object.assign(world, { parentUrl: world.neon.connectionUri({ branchId: parentId }) });
}

function push(w: World, branch: string, inputs: Record<string, string> = {}) {
  return runAction({
    event: { name: 'push', payload: pushTo(branch) },
    inputs: { ...w.inputs, ...inputs },
    env: w.awsEnv,
  });
}

/** A field of the `branch` object in a recorded request body. */
function branchField(body: unknown, field: string): string {
  const branch = (body as { branch?: Record<string, unknown> } | undefined)?.branch ?? {};
  return String(branch[field]);
}

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(text).finally(() => client.end());
}

describe('branch lifecycle', () => {
  it('expires-in: the create body carries expires_at as the spec says, the next push PATCHes it to its own time plus expires-in', async () => {
    world = await startWorld();
    const w = world;
    const first = await push(w, 'feat/expiring', { 'expires-in': '7d' });
    expect(first.exitCode, first.stdout).toBe(0);
    const [create] = w.neon.requestsTo('POST', `/projects/${w.neon.projectId}/branches`);
    const sent = branchField(create?.body, 'expires_at');
    expect(sent).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(sent) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
    expect(first.outputs['expires-at']).toBe(sent);
    // A day longer than the first, so that the new expiry differs from the old one without waiting
    // for the clock's next second (expires_at is whole seconds).
    const before = Math.floor(Date.now() / 1000) * 1000;
    const second = await push(w, 'feat/expiring', { 'expires-in': '8d' });
    const after = Date.now();
    const patches = w.neon.requestsTo('PATCH', /\/branches\/br-[a-z0-9-]+$/);
    expect(patches).toHaveLength(1);
    const moved = branchField(patches[0]?.body, 'expires_at');
    expect(Date.parse(moved)).toBeGreaterThanOrEqual(before + 8 * 86_400_000);
    expect(Date.parse(moved)).toBeLessThanOrEqual(after + 8 * 86_400_000);
    expect(second.outputs['expires-at']).toBe(moved);
    expect(w.neon.branchByName('preview/feat/expiring')?.expires_at).toBe(moved);
  });

  it('a bad expires-in fails before any request', async () => {
    world = await startWorld();
    const w = world;
    const result = await push(w, 'feat/x', { 'expires-in': '31d' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("Invalid expires-in '31d'");
    expect(w.neon.requests).toEqual([]);
  });

  it('reset-on-push: the real database loses the preview row and gains the parent row added since', async () => {
    const w = await seeded();
    expect((await push(w, 'feat/reset')).exitCode).toBe(0);
    const url = () => w.amplify.branch(APP_ID, 'feat/reset')?.environmentVariables.DATABASE_URL ?? '';
    await sql(url(), "INSERT INTO shows (title, rating) VALUES ('Only on the preview', 5.0)");
    await sql(w.parentUrl, "INSERT INTO shows (title, rating) VALUES ('New in production', 9.0)");
    const again = await push(w, 'feat/reset', { 'reset-on-push': 'true' });
    expect(again.exitCode, again.stdout).toBe(0);
    expect(w.neon.requestsTo('POST', /\/restore$/)).toHaveLength(1);
    const titles = (await readShows(url())).map((s) => s.title);
    expect(titles).not.toContain('Only on the preview');
    expect(titles).toContain('New in production');
    // The reset brought the parent's password back; the preview has its own again.
    const password = decodeURIComponent(new URL(url()).password);
    expect(password).not.toBe(decodeURIComponent(new URL(w.parentUrl).password));
  });

  it('branch-type schema-only: the parent tables, no rows', async () => {
    const w = await seeded();
    const result = await push(w, 'feat/schema', { 'branch-type': 'schema-only' });
    expect(result.exitCode, result.stdout).toBe(0);
    const [create] = w.neon.requestsTo('POST', `/projects/${w.neon.projectId}/branches`);
    expect(branchField(create?.body, 'init_source')).toBe('schema-only');
    const url = w.amplify.branch(APP_ID, 'feat/schema')?.environmentVariables.DATABASE_URL ?? '';
    expect(await readShows(url)).toEqual([]);
    expect((await readShows(w.parentUrl)).length).toBe(SHOWS.length);
  });

  it('suspend-timeout reaches the new endpoint', async () => {
    world = await startWorld();
    const w = world;
    expect((await push(w, 'feat/suspend', { 'suspend-timeout': '300' })).exitCode).toBe(0);
    const branch = w.neon.branchByName('preview/feat/suspend');
    const endpoint = w.neon.state.endpoints.find((e) => e.branch_id === branch?.id);
    expect(endpoint?.suspend_timeout_seconds).toBe(300);
  });

  it("Amplify's 50-branch quota: a clear error, nothing written, the Neon branch kept for the next run", async () => {
    world = await startWorld({}, { maxBranchesPerApp: 2 });
    const w = world;
    w.amplify.addBranch(APP_ID, 'one');
    w.amplify.addBranch(APP_ID, 'two');
    const result = await push(w, 'feat/third');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /::error::Amplify app d1a2b3c4d5e6f7 is full: Amplify holds at most 50 branches per app/,
    );
    expect(result.stdout).toContain('run reconcile');
    expect(result.stdout).toContain('delete-amplify-branch');
    expect(result.stdout).toContain("Neon branch 'preview/feat/third' is kept");
    expect(w.amplify.branch(APP_ID, 'feat/third')).toBeUndefined();
    // Asked once: a full app is not throttling, and a retry finds it as full.
    expect(w.amplify.requestsFor('CreateBranch')).toHaveLength(1);
    expect(w.amplify.requests.some((r) => r.operation === 'StartJob')).toBe(false);
    expect(w.neon.branchByName('preview/feat/third')).toBeDefined();
    expect(result.outputs['amplify-job-id'] ?? '').toBe('');
  });

  it('reconcile reports a branch Neon expired before the delete reached it as gone, not as a failure', async () => {
    world = await startWorld();
    const w = world;
    const doomed = w.neon.addBranch({ name: 'preview/forgotten' });
    // Neon's background job deletes it between the listing and the DELETE.
    w.neon.injectFault({
      method: 'DELETE',
      path: `/projects/${w.neon.projectId}/branches/${doomed.id}`,
      fault: { kind: 'respond', status: 404, body: { code: '', message: 'branch not found' } },
    });
    const result = await runAction({
      event: { name: 'workflow_dispatch', payload: workflowDispatch() },
      inputs: { ...w.inputs, command: 'reconcile' },
      env: w.awsEnv,
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain("Neon branch 'preview/forgotten' (");
    expect(result.stdout).toContain('was already gone (expired, or deleted elsewhere)');
    expect(result.summary).toContain('Already gone (expired)');
  });
});
