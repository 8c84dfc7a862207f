import { afterEach, describe, expect, it } from 'vitest';
import { type NeonStandIn, type NeonStandInOptions, startNeonStandIn } from '../fakes/neon-server.js';
import { callStandIn, createBranchOn, finishOn, START } from './neon-stand-in-calls.js';

/**
 * The stand-in's rules for the branch routes the lifecycle settings use (src/core/flows/lifecycle.ts), without
 * real databases: expiry, PATCH, schema-only branches, schema diffs, operations that take wall-clock
 * time; restore and reset_password are in neon-stand-in-resets.test.ts. Every answer is also checked
 * against the OpenAPI file (violations).
 */

let standIn: NeonStandIn;
let now: number;

async function start(options: NeonStandInOptions = {}): Promise<void> {
  now = START;
  standIn = await startNeonStandIn({ now: () => now, operationDurationMs: null, ...options });
}

afterEach(async () => {
  expect(standIn.violations).toEqual([]);
  await standIn.close();
});

const call = (method: string, path: string, body?: unknown) => callStandIn(standIn, method, path, body);
const createBranch = (branch: Record<string, unknown>) => createBranchOn(standIn, branch);
const finish = (operations: string[]) => finishOn(standIn, operations);

describe('expires_at', () => {
  it('is kept on create and deletes the branch once the stand-in clock passes it', async () => {
    await start();
    const { id, operations } = await createBranch({ name: 'preview/a', expires_at: '2026-03-02T12:00:00Z' });
    finish(operations);
    const got = await call('GET', `/branches/${id}`);
    expect(got.body).toMatchObject({
      branch: { expires_at: '2026-03-02T12:00:00Z', ttl_interval_seconds: 86_400 },
    });

    now = Date.parse('2026-03-02T12:00:00Z');

    expect((await call('GET', `/branches/${id}`)).status).toBe(404);
    const listed = await call('GET', '/branches');
    expect((listed.body.branches as Array<{ name: string }>).map((branch) => branch.name)).toEqual(['main']);
    expect((await call('DELETE', `/branches/${id}`)).status).toBe(204);
  });

  it.each([
    ['in the past', '2026-03-01T11:59:59Z'],
    ['with fractions of a second', '2026-03-02T12:00:00.123Z'],
    ['without a time zone', '2026-03-02T12:00:00'],
  ])('is refused %s', async (_, expiresAt) => {
    await start();
    const answer = await call('POST', '/branches', { branch: { name: 'x', expires_at: expiresAt } });
    expect(answer.status).toBe(400);
    expect(standIn.state.branches).toHaveLength(1);
  });

  it('waits for a branch with children: it goes once they are gone', async () => {
    await start();
    const parent = await createBranch({ name: 'preview/parent', expires_at: '2026-03-02T00:00:00Z' });
    finish(parent.operations);
    const child = await createBranch({ name: 'preview/child', parent_id: parent.id });
    finish(child.operations);
    now = Date.parse('2026-03-03T00:00:00Z');
    expect((await call('GET', `/branches/${parent.id}`)).status).toBe(200);
    expect((await call('DELETE', `/branches/${child.id}`)).status).toBe(200);
    expect((await call('GET', `/branches/${parent.id}`)).status).toBe(404);
  });
});

describe('PATCH /branches/{id}', () => {
  it('moves expires_at, and null removes it, with no operations', async () => {
    await start();
    const { id } = await createBranch({ name: 'preview/a', expires_at: '2026-03-02T12:00:00Z' });

    const moved = await call('PATCH', `/branches/${id}`, { branch: { expires_at: '2026-03-08T12:00:00Z' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ branch: { id, expires_at: '2026-03-08T12:00:00Z' }, operations: [] });

    const removed = await call('PATCH', `/branches/${id}`, { branch: { expires_at: null } });
    expect(removed.status).toBe(200);
    expect((removed.body.branch as Record<string, unknown>).expires_at).toBeUndefined();
    now = Date.parse('2026-04-01T00:00:00Z');
    expect((await call('GET', `/branches/${id}`)).status).toBe(200);
  });

  it('refuses expires_at on a branch that has children, but lets it be removed', async () => {
    await start();
    const parent = await createBranch({ name: 'preview/parent' });
    finish(parent.operations);
    await createBranch({ name: 'preview/child', parent_id: parent.id });

    const refused = await call('PATCH', `/branches/${parent.id}`, {
      branch: { expires_at: '2026-03-08T12:00:00Z' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('child branches');
    expect((await call('PATCH', `/branches/${parent.id}`, { branch: { expires_at: null } })).status).toBe(
      200,
    );
  });

  it.each([
    ['no branch object', {}],
    ['a name over 256 characters', { branch: { name: 'x'.repeat(257) } }],
    ['an expires_at that is no date', { branch: { expires_at: 'next week' } }],
  ])('refuses a body with %s', async (_, body) => {
    await start();
    const main = standIn.defaultBranch();
    expect((await call('PATCH', `/branches/${main.id}`, body)).status).toBe(400);
  });

  it('refuses a name another branch has with 409', async () => {
    await start();
    const { id } = await createBranch({ name: 'preview/a' });
    expect((await call('PATCH', `/branches/${id}`, { branch: { name: 'main' } })).status).toBe(409);
  });
});

describe('init_source schema-only', () => {
  it('makes a root branch: the parent is where the schema comes from, not recorded', async () => {
    await start();
    const answer = await call('POST', '/branches', {
      branch: { name: 'preview/schema', parent_id: standIn.defaultBranch().id, init_source: 'schema-only' },
      endpoints: [{ type: 'read_write' }],
    });
    expect(answer.status).toBe(201);
    const { branch, operations } = answer.body as {
      branch: { parent_id?: string; init_source: string };
      operations: Array<{ action: string }>;
    };
    expect(branch.parent_id).toBeUndefined();
    expect(branch.init_source).toBe('schema-only');
    expect(operations.map((operation) => operation.action)).toContain('apply_schema_from_branch');
    // The roles come along with the schema, passwords included.
    expect(answer.body.roles).toMatchObject([{ name: 'neondb_owner' }]);
  });

  it('refuses an init_source it does not know', async () => {
    await start();
    expect((await call('POST', '/branches', { branch: { init_source: 'everything' } })).status).toBe(400);
  });
});

describe('GET /branches/{id}/compare_schema', () => {
  it('says it needs real databases when the stand-in has none', async () => {
    await start();
    const preview = await createBranch({ name: 'preview/a' });
    const answer = await call('GET', `/branches/${preview.id}/compare_schema?db_name=neondb`);
    expect(answer.status).toBe(501);
    expect(answer.body.message).toContain('postgres: true');
  });

  it('refuses a database the branch does not have with 404, and a missing db_name with 400', async () => {
    await start();
    const preview = await createBranch({ name: 'preview/a' });
    expect((await call('GET', `/branches/${preview.id}/compare_schema?db_name=other`)).status).toBe(404);
    expect((await call('GET', `/branches/${preview.id}/compare_schema`)).status).toBe(400);
  });
});

describe('operationMs', () => {
  it('keeps new operations running for that long on the wall clock, however often they are read', async () => {
    let wall = 5_000;
    await start({ operationMs: 300, operationSteps: 0, wallNow: () => wall });
    const preview = await createBranch({ name: 'preview/a' });
    const [operation] = preview.operations;
    const read = async () =>
      ((await call('GET', `/operations/${operation}`)).body.operation as { status: string }).status;

    expect(await read()).toBe('running');
    wall += 299;
    expect(await read()).toBe('running');
    wall += 1;
    expect(await read()).toBe('finished');
  });
});
