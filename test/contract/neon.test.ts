import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, TimeoutError } from '../../src/core/errors.js';
import { urlsOf } from '../../src/core/flows/role-password.js';
import { branchesPath, type Harness, startHarness } from './neon-harness.js';

let harness: Harness;

afterEach(async () => {
  expect(harness.standIn.violations).toEqual([]);
  await harness.standIn.close();
});

describe('finding branches', () => {
  it('finds a branch by its exact name although search also returns partial matches', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    standIn.addBranch({ name: 'preview/feat-2' });
    const wanted = standIn.addBranch({ name: 'preview/feat' });
    standIn.addBranch({ name: 'old/preview/feat' });
    standIn.addBranch({ name: 'PREVIEW/FEAT-3' });

    const found = await port.findBranchByName('preview/feat');

    expect(found).toEqual({
      id: wanted.id,
      name: 'preview/feat',
      default: false,
      protected: false,
      parentId: standIn.defaultBranch().id,
      createdAt: wanted.created_at,
      expiresAt: undefined,
      // Made long ago and settled: a deploy that reuses it has no operation to wait for.
      ready: true,
    });
    const [list] = standIn.requestsTo('GET', branchesPath(harness));
    expect(list?.query.search).toBe('preview/feat');
  });

  it('finds nothing when only longer names contain the searched one', async () => {
    harness = await startHarness();
    harness.standIn.addBranch({ name: 'preview/feat-2' });
    harness.standIn.addBranch({ name: 'preview/feature' });

    expect(await harness.port.findBranchByName('preview/feat')).toBeUndefined();
  });

  it('follows the cursor through every page of a long list', async () => {
    harness = await startHarness({ port: { branchPageLimit: 100 } });
    const { standIn, port } = harness;
    const seeded = Array.from(
      { length: 230 },
      (_, index) => standIn.addBranch({ name: `preview/b-${index}` }).id,
    );
    standIn.addBranch({ name: 'other/preview/b-x' });
    standIn.addBranch({ name: 'Preview/b-upper' });

    const listed = await port.listBranches('preview/');

    expect(listed.map((branch) => branch.id).sort()).toEqual([...seeded].sort());
    expect(listed.every((branch) => branch.name.startsWith('preview/'))).toBe(true);
    const pages = standIn.requestsTo('GET', branchesPath(harness));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages[0]?.query.cursor).toBeUndefined();
    expect(pages.slice(1).every((page) => typeof page.query.cursor === 'string')).toBe(true);
  });

  it('lists every branch for an empty prefix, without a search', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    standIn.addBranch({ name: 'dev' });

    const listed = await port.listBranches('');

    expect(listed.map((branch) => branch.name).sort()).toEqual(['dev', 'main']);
    expect(standIn.requestsTo('GET', branchesPath(harness))[0]?.query.search).toBeUndefined();
  });

  it('returns the default branch, also when it is on a later page', async () => {
    harness = await startHarness({ port: { branchPageLimit: 100 } });
    const { standIn, port } = harness;
    for (let index = 0; index < 120; index += 1) standIn.addBranch({ name: `b-${index}` });
    const newest = standIn.addBranch({ name: 'production' });
    standIn.setDefaultBranch(newest.id);

    const found = await port.getDefaultBranch();

    expect(found.id).toBe(newest.id);
    expect(found.default).toBe(true);
    // A first page of 10, then full pages from its cursor.
    const pages = standIn.requestsTo('GET', branchesPath(harness));
    expect(pages.map((page) => page.query.limit)).toEqual(['10', '100', '100']);
  });

  it('reads no page past the one that has the default branch', async () => {
    harness = await startHarness({ port: { branchPageLimit: 100 } });
    const { standIn, port } = harness;
    for (let index = 0; index < 250; index += 1) standIn.addBranch({ name: `b-${index}` });

    const found = await port.getDefaultBranch();

    // main, the project's first branch, is on the first page of the oldest-first listing, which
    // asks for a few branches, not a full page.
    expect(found.name).toBe('main');
    const pages = standIn.requestsTo('GET', branchesPath(harness));
    expect(pages.map((page) => page.query.limit)).toEqual(['10']);
  });

  it('resolves a parent by id and by name', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    const dev = standIn.addBranch({ name: 'dev' });

    expect((await port.resolveBranch(dev.id))?.name).toBe('dev');
    expect((await port.resolveBranch('dev'))?.id).toBe(dev.id);
    expect(standIn.requestsTo('GET', `${branchesPath(harness)}/${dev.id}`)).toHaveLength(1);
  });

  it('falls back to the name when an id-like value is no branch id', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    const named = standIn.addBranch({ name: 'br-looks-like-an-id' });

    expect((await port.resolveBranch('br-looks-like-an-id'))?.id).toBe(named.id);
    expect(await port.resolveBranch('br-missing-000000')).toBeUndefined();
    const byId = standIn.requestsTo('GET', `${branchesPath(harness)}/br-looks-like-an-id`);
    expect(byId.map((request) => request.status)).toEqual([404]);
  });
});

describe('creating branches', () => {
  it('creates a branch with a read-write endpoint and waits for its operations', async () => {
    harness = await startHarness({ standIn: { operationSteps: 2, operationDurationMs: null } });
    const { standIn, port, sleeps } = harness;
    const main = standIn.defaultBranch();

    const created = await port.createBranch({ name: 'preview/feat', parentId: main.id });

    const stored = standIn.branchByName('preview/feat');
    expect(stored?.id).toBe(created.branch.id);
    expect(stored?.parent_id).toBe(main.id);
    expect(stored?.current_state).toBe('init');
    const [post] = standIn.requestsTo('POST', branchesPath(harness));
    expect(post?.body).toEqual({
      branch: { name: 'preview/feat', parent_id: main.id },
      endpoints: [{ type: 'read_write' }],
    });
    const endpoints = standIn.state.endpoints.filter((endpoint) => endpoint.branch_id === stored?.id);
    expect(endpoints.map((endpoint) => endpoint.type)).toEqual(['read_write']);
    const operationIds = standIn.state.operations
      .filter((operation) => operation.branch_id === stored?.id)
      .map((operation) => operation.id);
    expect(created.operationIds.sort()).toEqual(operationIds.sort());
    expect(operationIds).toHaveLength(2);

    await port.waitForOperations(created.operationIds);

    // Both are read together in one listing of the project's operations per round, never one by one:
    // two reads still in progress, the third sees them finished.
    const listed = standIn.requestsTo('GET', `/projects/${standIn.projectId}/operations`);
    expect(listed).toHaveLength(3);
    for (const id of operationIds) {
      expect(standIn.requestsTo('GET', `/projects/${standIn.projectId}/operations/${id}`)).toHaveLength(0);
    }
    expect(standIn.branchByName('preview/feat')?.current_state).toBe('ready');
    // A create's operations (create_branch, start_compute) take about a second: the first read
    // comes then (the fake clock has no round trip), the next ones 50 ms apart.
    expect(sleeps).toEqual([1000, 50, 50]);
  });

  it('reads a create first when it typically ends, four times 50 ms apart, then half as often each round', async () => {
    harness = await startHarness({ standIn: { operationSteps: 26, operationDurationMs: null } });
    const { standIn, port, sleeps } = harness;
    const created = await port.createBranch({ name: 'preview/slow', parentId: undefined });
    // No parent_id: Neon branches from the default branch.
    expect(standIn.branchByName('preview/slow')?.parent_id).toBe(standIn.defaultBranch().id);
    await port.waitForOperations(created.operationIds);
    // 26 reads still in progress, the 27th sees it finished; a wait before each, the first included,
    // and none longer than 2 s.
    const growing = [100, 150, 225, 338, 506, 759, 1139, 1709];
    expect(sleeps).toEqual([1000, 50, 50, 50, 50, ...growing, ...Array(14).fill(2000)]);
  });

  it('reads on its own an operation that newer ones pushed off the listing', async () => {
    harness = await startHarness({ standIn: { operationSteps: 1, operationDurationMs: null } });
    const { standIn, port } = harness;
    const created = await port.createBranch({ name: 'preview/busy', parentId: undefined });
    // 25 newer operations of Neon's own: the listing's page holds those and none of ours.
    for (let i = 0; i < 25; i++) standIn.startBackgroundOperation({});
    await port.waitForOperations(created.operationIds);
    const byId = created.operationIds.map(
      (id) => standIn.requestsTo('GET', `/projects/${standIn.projectId}/operations/${id}`).length,
    );
    expect(byId).toEqual([2, 2]);
    expect(standIn.branchByName('preview/busy')?.current_state).toBe('ready');
  });

  it("the create answer's URL, and after a reset its password, give exactly what connection_uri answers", async () => {
    harness = await startHarness({ standIn: { operationSteps: 0, operationDurationMs: null } });
    const { port } = harness;
    const created = await port.createBranch({ name: 'preview/urls', parentId: undefined });
    const known = created.connection;
    expect(known).toMatchObject({ databaseName: 'neondb', roleName: 'neondb_owner' });
    if (known === undefined) return;
    const read = (pooled: boolean) =>
      port.connectionUri({
        branchId: created.branch.id,
        databaseName: 'neondb',
        roleName: 'neondb_owner',
        pooled,
      });
    const how = { password: undefined, pooled: true, wantsDirect: true, secret: () => {} };
    const before = urlsOf(known, how);
    expect(before.connection.url).toBe(await read(true));
    expect(before.direct?.url).toBe(await read(false));
    await port.waitForOperations(created.operationIds);
    const password = await port.resetRolePassword(created.branch.id, 'neondb_owner');
    expect(password).toBeTruthy();
    const after = urlsOf(known, { ...how, password });
    expect(after.connection.url).toBe(await read(true));
    expect(after.direct?.url).toBe(await read(false));
    expect(after.connection.url).not.toBe(before.connection.url);
  });

  it('copies the parent databases and roles into the new branch', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    const dev = standIn.addBranch({ name: 'dev' });
    standIn.addDatabase(dev.id, { name: 'analytics', ownerName: 'analyst' });

    const created = await port.createBranch({ name: 'preview/x', parentId: dev.id });
    const databases = await port.listDatabases(created.branch.id);

    expect(databases).toEqual([
      { name: 'neondb', ownerName: 'neondb_owner' },
      { name: 'analytics', ownerName: 'analyst' },
    ]);
  });

  it('reports the pending operations of a branch and none once they finished', async () => {
    harness = await startHarness({ standIn: { operationSteps: 1, operationDurationMs: null } });
    const { standIn, port } = harness;
    const other = await port.createBranch({ name: 'preview/other', parentId: standIn.defaultBranch().id });
    const created = await port.createBranch({ name: 'preview/x', parentId: standIn.defaultBranch().id });

    const pending = await port.pendingOperationIds(created.branch.id);

    expect(pending.sort()).toEqual([...created.operationIds].sort());
    expect(pending.some((id) => other.operationIds.includes(id))).toBe(false);
    await port.waitForOperations(pending);
    expect(await port.pendingOperationIds(created.branch.id)).toEqual([]);
  });

  it('answers a duplicate name with a 409 ApiError and does not retry it', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    standIn.addBranch({ name: 'preview/taken' });

    const creating = port.createBranch({ name: 'preview/taken', parentId: standIn.defaultBranch().id });

    await expect(creating).rejects.toThrow(ApiError);
    await expect(creating).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/^Creating Neon branch 'preview\/taken' failed: 409/),
    });
    expect(standIn.requestsTo('POST', branchesPath(harness))).toHaveLength(1);
    expect(standIn.state.branches.filter((branch) => branch.name === 'preview/taken')).toHaveLength(1);
  });

  // Neon's operations reference (https://neon.com/docs/reference/api/operations): `failed` is not
  // terminal, Neon may retry the operation; finished, skipped and cancelled are.
  it('keeps waiting on a failed operation that Neon retries to success, and says so once', async () => {
    harness = await startHarness();
    const { standIn, port, logs } = harness;
    standIn.planOperations({ action: 'start_compute', outcome: 'failed-then-finished', steps: 0 });
    const created = await port.createBranch({ name: 'preview/x', parentId: standIn.defaultBranch().id });
    const retried = standIn.state.operations.find(
      (operation) => operation.branch_id === created.branch.id && operation.action === 'start_compute',
    );

    await port.waitForOperations(created.operationIds);

    expect(retried?.status).toBe('finished');
    expect(retried?.failures_count).toBe(1);
    const told = logs.filter((line) => line.includes(`Neon operation ${retried?.id} (start_compute)`));
    expect(told.filter((line) => /failed/.test(line) && !line.startsWith('debug:'))).toHaveLength(1);
  });

  it('names an operation still failed when the wait runs out', async () => {
    harness = await startHarness({ port: { operationTimeoutMs: 60_000 } });
    const { standIn, port, sleeps } = harness;
    standIn.planOperations({ action: 'start_compute', outcome: 'failed', steps: 0 });
    const created = await port.createBranch({ name: 'preview/x', parentId: standIn.defaultBranch().id });
    const failing = standIn.state.operations.find(
      (operation) => operation.branch_id === created.branch.id && operation.action === 'start_compute',
    );

    const waiting = port.waitForOperations(created.operationIds);

    await expect(waiting).rejects.toThrow(TimeoutError);
    await expect(waiting).rejects.toThrow(`Neon operation ${failing?.id} (start_compute)`);
    await expect(waiting).rejects.toThrow(
      /failed: the stand-in was told to end this start_compute operation/,
    );
    await expect(waiting).rejects.toThrow('1 minute');
    expect(sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(60_000);
  });

  it('stops at once on an operation that ends in error', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    standIn.planOperations({ action: 'start_compute', outcome: 'error', steps: 0 });
    const created = await port.createBranch({ name: 'preview/x', parentId: standIn.defaultBranch().id });

    const waiting = port.waitForOperations(created.operationIds);

    await expect(waiting).rejects.toThrow(ApiError);
    await expect(waiting).rejects.toThrow("status 'error'");
  });

  it('gives up with a TimeoutError naming an operation that never finishes', async () => {
    harness = await startHarness({ port: { operationTimeoutMs: 60_000 } });
    const { standIn, port, sleeps } = harness;
    standIn.planOperations({ outcome: 'never' });
    const created = await port.createBranch({ name: 'preview/x', parentId: standIn.defaultBranch().id });
    const [first] = created.operationIds;

    const waiting = port.waitForOperations(created.operationIds);

    await expect(waiting).rejects.toThrow(TimeoutError);
    await expect(waiting).rejects.toThrow(`Neon operation ${first}`);
    await expect(waiting).rejects.toThrow('1 minute');
    // Every operation still pending is named, with the status it was last seen in.
    for (const id of created.operationIds) await expect(waiting).rejects.toThrow(`Neon operation ${id} (`);
    await expect(waiting).rejects.toThrow(/its last status was '(running|scheduling)'/);
    expect(sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(60_000);
  });
});

describe('deleting branches', () => {
  it('deletes a branch, then reports it gone (204), and an unknown id gone (404)', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    const doomed = standIn.addBranch({ name: 'preview/old' });

    expect(await port.deleteBranch(doomed.id)).toBe('deleted');
    expect(standIn.branchById(doomed.id)).toBeUndefined();
    expect(await port.deleteBranch(doomed.id)).toBe('gone');
    expect(await port.deleteBranch('br-never-seen-000000')).toBe('gone');

    const statuses = standIn.requests.filter((request) => request.method === 'DELETE').map((r) => r.status);
    expect(statuses).toEqual([200, 204, 404]);
  });

  it('does not wait for the operations of a delete', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    const doomed = standIn.addBranch({ name: 'preview/old' });

    await port.deleteBranch(doomed.id);

    expect(standIn.requests.filter((request) => request.path.includes('/operations'))).toEqual([]);
  });

  it.each([
    ['the default branch', (h: Harness) => h.standIn.defaultBranch().id],
    [
      'a protected branch',
      (h: Harness) => {
        const branch = h.standIn.addBranch({ name: 'preview/keep' });
        h.standIn.setProtected(branch.id);
        return branch.id;
      },
    ],
    [
      'a branch with children',
      (h: Harness) => {
        const parent = h.standIn.addBranch({ name: 'preview/parent' });
        h.standIn.addBranch({ name: 'preview/child', parentId: parent.id });
        return parent.id;
      },
    ],
  ])('passes on the 422 refusal to delete %s, without retrying', async (_, pick) => {
    harness = await startHarness();
    const id = pick(harness);

    const deleting = harness.port.deleteBranch(id);

    await expect(deleting).rejects.toThrow(Error);
    await expect(deleting).rejects.toMatchObject({
      status: 422,
      message: expect.stringMatching(new RegExp(`^Deleting Neon branch '${id}' failed: 422`)),
    });
    expect(harness.standIn.branchById(id)).toBeDefined();
    expect(harness.standIn.requestsTo('DELETE', `${branchesPath(harness)}/${id}`)).toHaveLength(1);
  });
});

describe('connection strings', () => {
  it('returns the pooled and the direct URI of the branch endpoint', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    const branch = standIn.addBranch({ name: 'preview/x' });
    const endpoint = standIn.state.endpoints.find((each) => each.branch_id === branch.id);
    const password = standIn.passwordOf(branch.id, 'neondb_owner');
    const input = { branchId: branch.id, databaseName: 'neondb', roleName: 'neondb_owner' };

    const pooled = new URL(await port.connectionUri({ ...input, pooled: true }));
    const direct = new URL(await port.connectionUri({ ...input, pooled: false }));

    expect(pooled.hostname).toBe(`${endpoint?.id}-pooler.us-east-2.aws.neon.tech`);
    expect(direct.hostname).toBe(`${endpoint?.id}.us-east-2.aws.neon.tech`);
    for (const uri of [pooled, direct]) {
      expect(uri.protocol).toBe('postgresql:');
      expect(uri.username).toBe('neondb_owner');
      expect(decodeURIComponent(uri.password)).toBe(password);
      expect(uri.pathname).toBe('/neondb');
      expect(uri.searchParams.get('sslmode')).toBe('require');
    }
    const queries = standIn
      .requestsTo('GET', `/projects/${standIn.projectId}/connection_uri`)
      .map((r) => r.query);
    expect(queries).toEqual([
      { branch_id: branch.id, database_name: 'neondb', role_name: 'neondb_owner', pooled: 'true' },
      { branch_id: branch.id, database_name: 'neondb', role_name: 'neondb_owner', pooled: 'false' },
    ]);
  });

  it('answers an unknown database with a 404 ApiError', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;

    const reading = port.connectionUri({
      branchId: standIn.defaultBranch().id,
      databaseName: 'nope',
      roleName: 'neondb_owner',
      pooled: true,
    });

    await expect(reading).rejects.toThrow(Error);
    await expect(reading).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining("database 'nope'"),
    });
  });
});
