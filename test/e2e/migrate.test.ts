import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readShows, seedShows } from '../fakes/neon-seed.js';
import { pushTo } from '../fixtures/payloads.js';
import { runAction } from './run-action.js';
import { APP_ID, startWorld, type World } from './world.js';

/** migrate-command and isolation, through the built action, on real databases behind the stand-in. */
let world: World;
let parentUrl: string;
beforeAll(async () => {
  // Every test's build shares this account: a raised Concurrent jobs quota (the builds never end).
  world = await startWorld({ postgres: true }, { concurrentJobsQuota: 100 });
  const parentId = world.neon.defaultBranch().id;
  await seedShows(world.neon, { branchId: parentId });
  parentUrl = world.neon.connectionUri({ branchId: parentId });
});
afterAll(async () => {
  expect(world.neon.violations).toEqual([]);
  await world.close();
});

function push(branch: string, inputs: Record<string, string>, env: Record<string, string> = {}) {
  return runAction({
    event: { name: 'push', payload: pushTo(branch) },
    inputs: { ...world.inputs, ...inputs },
    env: { ...world.awsEnv, ...env },
  });
}

/** A migration in a file of its own, as a project keeps one: adds a column with pg. */
async function migrationScript(): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'migration-')), 'migrate.cjs');
  await writeFile(
    file,
    `const pg = require(${JSON.stringify(createRequire(import.meta.url).resolve('pg'))});
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
client
  .connect()
  .then(() => client.query('ALTER TABLE shows ADD COLUMN watched boolean NOT NULL DEFAULT false'))
  .then(() => { console.log('migrated ' + process.env.NEON_BRANCH_NAME); return client.end(); })
  .catch((error) => { console.error(error.message); process.exit(1); });
`,
  );
  return file;
}

async function sql(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(text).finally(() => client.end());
}

describe('migrate-command on a real database', () => {
  it('migrates the preview only; the preview has the parent rows of its creation, not later ones', async () => {
    const result = await push('feat/migrated', {
      'migrate-command': `node ${JSON.stringify(await migrationScript())}`,
    });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain('migrated preview/feat/migrated');
    const previewUrl = world.amplify.branch(APP_ID, 'feat/migrated')?.environmentVariables.DATABASE_URL ?? '';
    await sql(parentUrl, "INSERT INTO shows (title, rating) VALUES ('Added to the parent later', 6.0)");
    await sql(
      previewUrl,
      "INSERT INTO shows (title, rating, watched) VALUES ('Added to the preview', 7.0, true)",
    );
    const preview = (await readShows(previewUrl)).map((s) => s.title);
    const parent = (await readShows(parentUrl)).map((s) => s.title);
    expect(preview).toContain('Added to the preview');
    expect(preview).not.toContain('Added to the parent later');
    expect(parent).toContain('Added to the parent later');
    expect(parent).not.toContain('Added to the preview');
    // The column exists on the preview only.
    await expect(sql(parentUrl, 'SELECT watched FROM shows')).rejects.toThrow(
      /column "watched" does not exist/,
    );
  });

  it('a failing migration fails the step with its exit code and last lines; Amplify is untouched, no job', async () => {
    world.amplify.addBranch(APP_ID, 'feat/broken', { environmentVariables: { KEEP: '1' } });
    const before = world.amplify.requests.length;
    const result = await push('feat/broken', {
      'migrate-command': 'echo "applying 002"; echo "syntax error at ALTER" >&2; exit 7',
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /::error::migrate-command exited with code 7; nothing was written to Amplify.*syntax error at ALTER/,
    );
    const since = world.amplify.requests.slice(before).map((r) => r.operation);
    expect(since.filter((op) => op !== 'GetBranch' && op !== 'GetApp')).toEqual([]);
    expect(world.amplify.branch(APP_ID, 'feat/broken')?.environmentVariables).toEqual({ KEEP: '1' });
  });

  it('a hanging migration is stopped at migrate-timeout-minutes', async () => {
    const result = await push('feat/hangs', {
      'migrate-command': 'sleep 120',
      'migrate-timeout-minutes': '0.02',
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('migrate-command timed out after 1200 ms (migrate-timeout-minutes)');
    expect(world.amplify.branch(APP_ID, 'feat/hangs')).toBeUndefined();
  });

  it('a command that prints the URL is masked: the runner is told the URL and password before the line', async () => {
    const result = await push('feat/prints', { 'migrate-command': 'echo "connecting to $DATABASE_URL"' });
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    const printedAt = lines.findIndex((line) => line.startsWith('connecting to postgresql://'));
    const url = lines[printedAt]?.slice('connecting to '.length) ?? '';
    const password = decodeURIComponent(new URL(url).password);
    expect(printedAt).toBeGreaterThan(0);
    expect(lines.indexOf(`::add-mask::${url}`)).toBeGreaterThanOrEqual(0);
    expect(lines.indexOf(`::add-mask::${url}`)).toBeLessThan(printedAt);
    expect(lines.indexOf(`::add-mask::${password}`)).toBeLessThan(printedAt);
  });
  it('gets a minimal environment: no input, key or AWS credential; what migrate-env names, it gets', async () => {
    const result = await push(
      'feat/environment',
      { 'migrate-command': 'env | cut -d= -f1 | sort | sed "s/^/name: /"', 'migrate-env': 'SENTRY_DSN' },
      { SENTRY_DSN: 'https://sentry.example/1', GITHUB_TOKEN: 'ghs_not_for_the_command' },
    );
    expect(result.exitCode, result.stdout).toBe(0);
    const names = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('name: '))
      .map((line) => line.slice('name: '.length));
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'NEON_BRANCH_ID', 'PATH', 'SENTRY_DSN']));
    expect(names.filter((name) => /^(INPUT_|AWS_|GITHUB_TOKEN$|GITHUB_(OUTPUT|ENV)$)/.test(name))).toEqual(
      [],
    );
  });
});
