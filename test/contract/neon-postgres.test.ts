import {
  type Api,
  createApiClient,
  EndpointType,
  type Operation,
  OperationStatus,
} from '@neondatabase/api-client';
import pg from 'pg';
import postgres from 'postgres';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readShows, type SeededNeon, SHOWS, startSeededNeon } from '../fakes/neon-seed.js';

/**
 * Every Neon branch of the stand-in is a real database: what the product's users will do with the URL
 * it writes into Amplify, done here with the two common client libraries, against branches made
 * through Neon's own API client.
 */

let neon: SeededNeon;
let api: Api<unknown>;
let clients: Array<{ end(): Promise<unknown> }>;

beforeEach(async () => {
  // Operations end by reads alone, so a test sees them in progress until it waits for them.
  neon = await startSeededNeon({ operationDurationMs: null });
  api = createApiClient({ apiKey: neon.standIn.apiKey, baseURL: neon.standIn.url });
  clients = [];
});

afterEach(async () => {
  await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  expect(neon.standIn.violations).toEqual([]);
  await neon.stop();
});

const projectId = () => neon.standIn.projectId;

async function waitFor(operations: Operation[]): Promise<void> {
  for (const { id } of operations) {
    for (let read = 0; ; read += 1) {
      const { data } = await api.getProjectOperation(projectId(), id);
      if (data.operation.status === OperationStatus.Finished) break;
      if (read > 20) throw new Error(`operation ${id} is still ${data.operation.status}`);
    }
  }
}

async function createPreview(
  name: string,
  options: { initSource?: 'schema-only' } = {},
): Promise<{ id: string; url: string }> {
  const { data } = await api.createProjectBranch(projectId(), {
    branch: {
      name,
      parent_id: neon.parentId,
      ...(options.initSource ? { init_source: options.initSource } : {}),
    },
    endpoints: [{ type: EndpointType.ReadWrite }],
  });
  await waitFor(data.operations);
  return { id: data.branch.id, url: await connectionUri(data.branch.id, false) };
}

async function connectionUri(branchId: string, pooled: boolean): Promise<string> {
  const { data } = await api.getConnectionUri({
    projectId: projectId(),
    branch_id: branchId,
    database_name: 'neondb',
    role_name: 'neondb_owner',
    pooled,
  });
  return data.uri;
}

/** A `postgres` (postgres.js) client that the test ends. */
function sqlFor(url: string): postgres.Sql {
  const sql = postgres(url, { max: 2, onnotice: () => undefined });
  clients.push(sql);
  return sql;
}

/**
 * A connected `pg` client that the test ends. A session the server ends (a restore, a password reset)
 * is an 'error' event on an idle pg client, which would crash the test run without a listener.
 */
async function pgFor(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

async function titles(url: string): Promise<string[]> {
  return (await readShows(url)).map((show) => show.title);
}

/** The error a connection attempt ends with; fails the test when it connects. */
async function refusal(url: string): Promise<{ code?: string; message: string }> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  await client.end();
  throw new Error('expected the connection to be refused, but it opened');
}

const withPassword = (url: string, password: string) => {
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
};

describe('a branch of the Neon stand-in is a real database', () => {
  it("holds the parent's rows as of its creation, and writes on either side stay there", async () => {
    const parent = sqlFor(neon.url);
    // A session left open on the parent across the copy, with a prepared statement, keeps working.
    expect(await parent`SELECT count(*)::int AS n FROM shows WHERE rating > ${8}`).toEqual([{ n: 3 }]);

    const preview = await createPreview('preview/isolation');
    await parent`INSERT INTO shows (title, rating) VALUES ('Andor', 8.4)`;
    const previewSql = sqlFor(preview.url);
    await previewSql`INSERT INTO shows (title, rating) VALUES ('Only in preview', 5)`;

    expect(await titles(preview.url)).toEqual([...SHOWS.map((show) => show.title), 'Only in preview']);
    expect(await titles(neon.url)).toEqual([...SHOWS.map((show) => show.title), 'Andor']);
    expect(await parent`SELECT count(*)::int AS n FROM shows WHERE rating > ${8}`).toEqual([{ n: 4 }]);
  });

  it('opens with the pooled and the direct URL, which name different hosts, in pg and postgres.js', async () => {
    const preview = await createPreview('preview/hosts');
    const direct = await connectionUri(preview.id, false);
    const pooled = await connectionUri(preview.id, true);
    expect(new URL(pooled).hostname).not.toBe(new URL(direct).hostname);
    expect(new URL(direct).hostname).not.toBe(new URL(neon.url).hostname);

    const viaPg = await pgFor(direct);
    await viaPg.query("INSERT INTO shows (title, rating) VALUES ('Direct', 7)");
    const viaPostgres = sqlFor(pooled);
    const rows = await viaPostgres`SELECT title FROM shows WHERE title = 'Direct'`;
    expect(rows.map((row) => row.title)).toEqual(['Direct']);
    const pooledPg = await pgFor(pooled);
    expect((await pooledPg.query('SELECT count(*)::int AS n FROM shows')).rows).toEqual([{ n: 4 }]);
  });

  it('gives a schema-only branch the tables without their rows, as a root branch', async () => {
    const { data } = await api.createProjectBranch(projectId(), {
      branch: { name: 'preview/schema', parent_id: neon.parentId, init_source: 'schema-only' },
      endpoints: [{ type: EndpointType.ReadWrite }],
    });
    await waitFor(data.operations);
    expect(data.branch.parent_id).toBeUndefined();
    expect(data.branch.init_source).toBe('schema-only');

    const sql = sqlFor(await connectionUri(data.branch.id, true));
    expect(await sql`SELECT count(*)::int AS n FROM shows`).toEqual([{ n: 0 }]);
    // The sequence starts over too, and the constraints came along.
    expect(await sql`INSERT INTO shows (title, rating) VALUES ('First', 6) RETURNING id`).toEqual([
      { id: 1 },
    ]);
    await expect(sql`INSERT INTO shows (title, rating) VALUES ('Too good', 11)`).rejects.toMatchObject({
      code: '23514',
    });
    expect(await titles(neon.url)).toEqual(SHOWS.map((show) => show.title));
  });

  it("restores a preview to its parent's current state, ending the preview's sessions", async () => {
    const preview = await createPreview('preview/restore');
    await (await pgFor(preview.url)).query("INSERT INTO shows (title, rating) VALUES ('Preview only', 4)");
    await (await pgFor(neon.url)).query("INSERT INTO shows (title, rating) VALUES ('Added to main', 9)");
    const open = await pgFor(preview.url);
    const ended = new Promise<{ code?: string }>((resolve) => open.once('error', resolve));

    const { data } = await api.restoreProjectBranch(projectId(), preview.id, {
      source_branch_id: neon.parentId,
    });
    await waitFor(data.operations);

    expect(data.branch.id).toBe(preview.id);
    expect(await ended).toMatchObject({ code: '57P01' });
    const url = await connectionUri(preview.id, false);
    expect(new URL(url).hostname).toBe(new URL(preview.url).hostname);
    expect(await titles(url)).toEqual([...SHOWS.map((show) => show.title), 'Added to main']);
  });

  it('frees the database and the endpoint of a deleted branch', async () => {
    const preview = await createPreview('preview/delete');
    const physical = neon.standIn.postgres?.physicalDatabase(preview.id, 'neondb');
    expect(physical).toMatch(/neondb$/);

    const { data } = await api.deleteProjectBranch({ projectId: projectId(), branchId: preview.id });
    expect(data.branch.id).toBe(preview.id);
    await neon.standIn.idle();

    const left = await neon.standIn.postgres?.withDatabase(neon.parentId, 'neondb', async (client) => {
      const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [physical]);
      return result.rowCount;
    });
    expect(left).toBe(0);
    expect((await refusal(preview.url)).message).toMatch(/ECONNREFUSED/);
  });

  it("resets a preview's password: the new one opens the preview once the operations end, the old and the parent's do not", async () => {
    const preview = await createPreview('preview/password');
    const parentPassword = new URL(neon.url).password;
    // Neon copies the parent's roles, passwords included.
    expect(new URL(preview.url).password).toBe(parentPassword);

    const { data } = await api.resetProjectBranchRolePassword(projectId(), preview.id, 'neondb_owner');
    const newPassword = data.role.password ?? '';
    expect(newPassword).not.toBe(parentPassword);
    // Until the operations end, the old password still works and the new one does not yet (Neon's docs).
    expect((await refusal(withPassword(preview.url, newPassword))).code).toBe('28P01');
    await (await pgFor(preview.url)).query('SELECT 1');

    await waitFor(data.operations);
    const url = await connectionUri(preview.id, true);
    expect(new URL(url).password).toBe(encodeURIComponent(newPassword));
    await (await pgFor(url)).query('SELECT 1');
    expect((await refusal(preview.url)).code).toBe('28P01');
    expect((await refusal(withPassword(neon.url, newPassword))).code).toBe('28P01');
    await (await pgFor(neon.url)).query('SELECT 1');
  });

  it('compares schemas: empty when equal, the added column when the preview has one', async () => {
    const preview = await createPreview('preview/schema-diff');
    const compare = async () =>
      (
        await api.getProjectBranchSchemaComparison({
          projectId: projectId(),
          branchId: preview.id,
          base_branch_id: neon.parentId,
          db_name: 'neondb',
        })
      ).data.diff;
    expect(await compare()).toBe('');

    await sqlFor(preview.url)`ALTER TABLE shows ADD COLUMN watched_on date`;

    const diff = await compare();
    expect(diff).toMatch(/^--- a\/neondb/m);
    expect(diff).toMatch(/^\+\+\+ b\/neondb/m);
    expect(diff).toMatch(/^@@ -\d+(,\d+)? \+\d+(,\d+)? @@$/m);
    expect(diff).toContain('\n+    watched_on date\n');
    expect(diff).toContain('\n-    rating numeric(3,1) NOT NULL\n');
    expect(diff).toContain('\n+    rating numeric(3,1) NOT NULL,\n');
  });

  it("keeps the database's owner on a branch, so its role can create tables there as on Neon", async () => {
    const preview = await createPreview('preview/owner');
    await sqlFor(preview.url)`CREATE TABLE episodes (id serial PRIMARY KEY)`;
    const [row] = await sqlFor(
      preview.url,
    )`SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()`;
    expect(row?.owner).toBe('neondb_owner');
  });
});

describe('expiry on the stand-in clock', () => {
  it('removes an expired branch and its database', async () => {
    await neon.stop();
    let now = Date.parse('2026-01-01T00:00:00Z');
    neon = await startSeededNeon({ operationDurationMs: null, now: () => now });
    api = createApiClient({ apiKey: neon.standIn.apiKey, baseURL: neon.standIn.url });
    const { data } = await api.createProjectBranch(projectId(), {
      branch: { name: 'preview/expiring', parent_id: neon.parentId, expires_at: '2026-01-02T00:00:00Z' },
      endpoints: [{ type: EndpointType.ReadWrite }],
    });
    await waitFor(data.operations);
    const url = await connectionUri(data.branch.id, false);
    expect(await titles(url)).toHaveLength(SHOWS.length);
    const physical = neon.standIn.postgres?.physicalDatabase(data.branch.id, 'neondb');

    now = Date.parse('2026-01-02T00:00:01Z');

    // The login sweeps first: the endpoint is gone by the time the front looks it up, or already closed.
    expect((await refusal(url)).message).toMatch(/ECONNREFUSED|does not exist/);
    await expect(api.getProjectBranch(projectId(), data.branch.id)).rejects.toMatchObject({
      response: { status: 404 },
    });
    expect(neon.standIn.branchById(data.branch.id)).toBeUndefined();
    await neon.standIn.idle();
    const left = await neon.standIn.postgres?.withDatabase(neon.parentId, 'neondb', async (client) => {
      return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [physical])).rowCount;
    });
    expect(left).toBe(0);
  });
});
