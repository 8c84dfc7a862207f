import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';

/** The stand-in's own strictness: the e2e tests rely on it refusing what Neon refuses. */

let standIn: NeonStandIn;

beforeEach(async () => {
  standIn = await startNeonStandIn();
});

afterEach(async () => {
  expect(standIn.violations).toEqual([]);
  await standIn.close();
});

async function call(
  method: string,
  path: string,
  options: { body?: string; key?: string | null } = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const key = options.key === undefined ? standIn.apiKey : options.key;
  const response = await fetch(`${standIn.url}${path}`, {
    method,
    headers: {
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

const project = () => `/projects/${standIn.projectId}`;

describe('the Neon stand-in', () => {
  it('starts with the project, its default branch, database, owner and read-write endpoint', () => {
    const main = standIn.defaultBranch();
    expect(standIn.projectId).toBe('calm-sun-123456');
    expect(main.name).toBe('main');
    expect(main.id).toMatch(/^br-[a-z]+-[a-z]+-\d{6}$/);
    expect(standIn.state.databases).toMatchObject([
      { branch_id: main.id, name: 'neondb', owner_name: 'neondb_owner' },
    ]);
    expect(standIn.state.endpoints).toMatchObject([{ branch_id: main.id, type: 'read_write' }]);
    expect(standIn.state.endpoints[0]?.id).toMatch(/^ep-/);
  });

  it('answers errors as JSON {code, message, request_id} with a request id header', async () => {
    const answer = await call('GET', `${project()}/branches`, { key: null });

    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toBe('application/json');
    const requestId = answer.headers.get('x-neon-ret-request-id');
    expect(answer.body).toEqual({ code: '', message: 'authentication required', request_id: requestId });
    expect(standIn.requests[0]?.authorized).toBe(false);
  });

  it.each([
    ['a wrong key', 'GET', '/projects/calm-sun-123456/branches', 'wrong', 401],
    ['an unknown project', 'GET', '/projects/other-project-1/branches', undefined, 404],
    ['a project id outside the pattern', 'GET', '/projects/Not_Valid/branches', undefined, 400],
    ['a branch id outside the pattern', 'GET', '/projects/calm-sun-123456/branches/BR_X', undefined, 400],
    ['an operation id that is no uuid', 'GET', '/projects/calm-sun-123456/operations/op-1', undefined, 400],
    ['limit 0', 'GET', '/projects/calm-sun-123456/branches?limit=0', undefined, 400],
    ['a limit that is no integer', 'GET', '/projects/calm-sun-123456/branches?limit=ten', undefined, 400],
    [
      'an operations limit over 1000',
      'GET',
      '/projects/calm-sun-123456/operations?limit=1001',
      undefined,
      400,
    ],
    ['an unknown sort_by', 'GET', '/projects/calm-sun-123456/branches?sort_by=size', undefined, 400],
    [
      'a cursor it never gave out',
      'GET',
      '/projects/calm-sun-123456/branches?cursor=garbage',
      undefined,
      400,
    ],
    ['an unknown route', 'GET', '/projects/calm-sun-123456/nothing-here', undefined, 404],
    ['a wrong method', 'PUT', '/projects/calm-sun-123456/branches', undefined, 405],
    ['an unknown branch', 'GET', '/projects/calm-sun-123456/branches/br-missing-000000', undefined, 404],
    [
      'a connection_uri without role_name',
      'GET',
      '/projects/calm-sun-123456/connection_uri?database_name=neondb',
      undefined,
      400,
    ],
    [
      'a connection_uri for an unknown role',
      'GET',
      '/projects/calm-sun-123456/connection_uri?database_name=neondb&role_name=nobody',
      undefined,
      404,
    ],
  ])('refuses %s', async (_, method, path, key, status) => {
    const answer = await call(method, path, { key });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it.each([
    ['invalid JSON', '{"branch":'],
    ['an empty name', JSON.stringify({ branch: { name: '' } })],
    ['a name over 256 characters', JSON.stringify({ branch: { name: 'x'.repeat(257) } })],
    ['an unknown endpoint type', JSON.stringify({ endpoints: [{ type: 'read_mostly' }] })],
    ['a parent id outside the pattern', JSON.stringify({ branch: { parent_id: 'Main Branch' } })],
    [
      'two read-write endpoints',
      JSON.stringify({ endpoints: [{ type: 'read_write' }, { type: 'read_write' }] }),
    ],
  ])('refuses a create body with %s and creates nothing', async (_, body) => {
    const answer = await call('POST', `${project()}/branches`, { body });
    expect(answer.status).toBe(400);
    expect(standIn.state.branches).toHaveLength(1);
  });

  it('creates from the default branch with a generated name when the body is empty', async () => {
    const answer = await call('POST', `${project()}/branches`);
    expect(answer.status).toBe(201);
    const created = answer.body as {
      branch: { id: string; name: string; parent_id: string; current_state: string };
    };
    expect(created.branch.parent_id).toBe(standIn.defaultBranch().id);
    expect(created.branch.name).toBe(created.branch.id);
    expect(created.branch.current_state).toBe('init');
  });

  it('refuses 404 for an unknown parent', async () => {
    const body = JSON.stringify({ branch: { name: 'x', parent_id: 'br-missing-000000' } });
    expect((await call('POST', `${project()}/branches`, { body })).status).toBe(404);
  });

  it('searches by part of a name or an id', async () => {
    const feat = standIn.addBranch({ name: 'preview/feat' });
    standIn.addBranch({ name: 'preview/feat-2' });
    standIn.addBranch({ name: 'elsewhere' });

    const byName = await call('GET', `${project()}/branches?search=feat`);
    const byId = await call('GET', `${project()}/branches?search=${feat.id.slice(0, 12)}`);

    const names = (answer: { body: unknown }) =>
      (answer.body as { branches: Array<{ name: string }> }).branches.map((branch) => branch.name).sort();
    expect(names(byName)).toEqual(['preview/feat', 'preview/feat-2']);
    expect(names(byId)).toContain('preview/feat');
  });

  it('reads one database, one role and its password, as neonctl and create-branch-action do', async () => {
    const feat = standIn.addBranch({ name: 'preview/feat' });
    const base = `${project()}/branches/${feat.id}`;

    const database = await call('GET', `${base}/databases/neondb`);
    const role = await call('GET', `${base}/roles/neondb_owner`);
    const password = await call('GET', `${base}/roles/neondb_owner/reveal_password`);

    expect(database.body).toMatchObject({ database: { branch_id: feat.id, name: 'neondb' } });
    expect(role.body).toMatchObject({ role: { branch_id: feat.id, name: 'neondb_owner' } });
    expect((role.body as { role: object }).role).not.toHaveProperty('password');
    expect(password.body).toEqual({ password: standIn.passwordOf(feat.id, 'neondb_owner') });
    expect((await call('GET', `${base}/roles/nobody/reveal_password`)).status).toBe(404);
    expect((await call('GET', `${base}/databases/nothing`)).status).toBe(404);
  });

  it('answers 423 for a delete while the branch is still being created, 200 once it is ready', async () => {
    const created = await call('POST', `${project()}/branches`, {
      body: JSON.stringify({ branch: { name: 'x' }, endpoints: [{ type: 'read_write' }] }),
    });
    const { branch, operations } = created.body as {
      branch: { id: string };
      operations: Array<{ id: string }>;
    };

    expect((await call('DELETE', `${project()}/branches/${branch.id}`)).status).toBe(423);
    for (const operation of operations) standIn.setOperationStatus(operation.id, 'finished');
    expect(standIn.branchById(branch.id)?.current_state).toBe('ready');
    const deleted = await call('DELETE', `${project()}/branches/${branch.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ branch: { id: branch.id }, operations: expect.any(Array) });
  });

  it('moves operations along by polls: scheduling, running, finished', async () => {
    const created = await call('POST', `${project()}/branches`, {
      body: JSON.stringify({ branch: { name: 'x' } }),
    });
    const [operation] = (created.body as { operations: Array<{ id: string; status: string }> }).operations;
    expect(operation?.status).toBe('scheduling');

    const statuses: string[] = [];
    for (let poll = 0; poll < 3; poll += 1) {
      const answer = await call('GET', `${project()}/operations/${operation?.id}`);
      statuses.push((answer.body as { operation: { status: string } }).operation.status);
    }
    expect(statuses).toEqual(['running', 'finished', 'finished']);
  });

  it('ends operations on time alone, as Neon does when nobody watches', async () => {
    await standIn.close();
    let now = 1_700_000_000_000;
    standIn = await startNeonStandIn({ operationDurationMs: 5_000, now: () => now });
    const created = await call('POST', `${project()}/branches`, {
      body: JSON.stringify({ branch: { name: 'x' } }),
    });
    const { branch } = created.body as { branch: { id: string } };

    now += 5_000;

    const answer = await call('GET', `${project()}/branches/${branch.id}`);
    expect((answer.body as { branch: { current_state: string } }).branch.current_state).toBe('ready');
  });

  it('pages operations newest first with a cursor', async () => {
    for (const name of ['a', 'b', 'c']) {
      await call('POST', `${project()}/branches`, { body: JSON.stringify({ branch: { name } }) });
    }
    const first = await call('GET', `${project()}/operations?limit=2`);
    const { operations, pagination } = first.body as {
      operations: Array<{ id: string }>;
      pagination: { cursor: string };
    };
    const second = await call('GET', `${project()}/operations?limit=2&cursor=${pagination.cursor}`);
    const rest = (second.body as { operations: Array<{ id: string }> }).operations;

    const newestFirst = [...standIn.state.operations].reverse().map((operation) => operation.id);
    expect([...operations, ...rest].map((operation) => operation.id)).toEqual(newestFirst);
  });

  it('records an answer that does not fit the spec as a violation', async () => {
    standIn.injectFault({
      path: `${project()}/branches`,
      fault: { kind: 'respond', status: 500, body: { message: 5 } },
    });

    await call('GET', `${project()}/branches`);

    expect(standIn.violations).toHaveLength(1);
    expect(standIn.violations[0]).toContain('/message must be string');
    standIn.violations.length = 0;
  });
});
