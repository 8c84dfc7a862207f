import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PEOPLE, readPeople, seedPeople } from '../fakes/neon-seed.js';
import { pushTo } from '../fixtures/payloads.js';
import { runAction } from './run-action.js';
import { APP_ID, startWorld, type World } from './world.js';

/**
 * anonymize through the built action against the Postgres-backed Neon stand-in: the DATABASE_URL
 * written to Amplify opens a copy whose e-mail addresses Neon masked, while the parent keeps its own.
 */
let world: World | undefined;
afterEach(async () => {
  expect(world?.neon.violations).toEqual([]);
  await world?.close();
  world = undefined;
});

function rulesFile(rules: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'masking-')), 'masking-rules.yml');
  writeFileSync(file, JSON.stringify(rules));
  return file;
}

const EMAIL = [{ table_name: 'people', column_name: 'email', masking_function: 'anon.fake_email()' }];

async function seeded(): Promise<World & { parentUrl: string }> {
  world = await startWorld({ postgres: true });
  const parentId = world.neon.defaultBranch().id;
  await seedPeople(world.neon, { branchId: parentId });
  return Object.assign(world, { parentUrl: world.neon.connectionUri({ branchId: parentId }) });
}

function push(w: World, branch: string, inputs: Record<string, string>) {
  return runAction({
    event: { name: 'push', payload: pushTo(branch) },
    inputs: { ...w.inputs, anonymize: 'true', ...inputs },
    env: w.awsEnv,
  });
}

describe('anonymize', () => {
  it('writes to Amplify only a preview whose e-mails are masked; the parent keeps the real ones', async () => {
    const w = await seeded();
    const result = await push(w, 'feat/masked', { 'masking-rules': rulesFile(EMAIL) });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs.anonymized).toBe('true');
    expect(result.summary).toContain('masked by Neon: 1 masking rule applied (anonymize)');
    expect(w.neon.requestsTo('POST', `/projects/${w.neon.projectId}/branch_anonymized`)).toHaveLength(1);
    const url = w.amplify.branch(APP_ID, 'feat/masked')?.environmentVariables.DATABASE_URL ?? '';
    const preview = await readPeople(url);
    expect(preview.map((person) => person.firstName)).toEqual(PEOPLE.map((person) => person.firstName));
    for (const person of preview) expect(person.email).toMatch(/^[a-z0-9]{10}@example\.com$/);
    expect(await readPeople(w.parentUrl)).toEqual(PEOPLE);
  });

  it('a re-push with changed rules masks again; reset-on-push restores, then masks again', async () => {
    const w = await seeded();
    const url = () => w.amplify.branch(APP_ID, 'feat/again')?.environmentVariables.DATABASE_URL ?? '';
    expect((await push(w, 'feat/again', { 'masking-rules': rulesFile(EMAIL) })).exitCode).toBe(0);
    const hidden = [{ table_name: 'people', column_name: 'email', masking_value: 'hidden@example.com' }];
    const changed = await push(w, 'feat/again', { 'masking-rules': rulesFile(hidden) });
    expect(changed.exitCode, changed.stdout).toBe(0);
    expect(w.neon.requestsTo('PATCH', /\/masking_rules$/)).toHaveLength(1);
    expect((await readPeople(url())).map((person) => person.email)).toEqual(
      PEOPLE.map(() => 'hidden@example.com'),
    );
    const reset = await push(w, 'feat/again', {
      'masking-rules': rulesFile(hidden),
      'reset-on-push': 'true',
    });
    expect(reset.exitCode, reset.stdout).toBe(0);
    expect(w.neon.requestsTo('POST', /\/restore$/)).toHaveLength(1);
    expect(w.neon.requestsTo('POST', /\/anonymize$/)).toHaveLength(2);
    expect((await readPeople(url())).map((person) => person.email)).toEqual(
      PEOPLE.map(() => 'hidden@example.com'),
    );
    expect(reset.outputs.anonymized).toBe('true');
  });

  it('a masking error fails the deploy with Neon message, and nothing reaches Amplify', async () => {
    const w = await seeded();
    const rules = [{ ...EMAIL[0], table_name: 'customers' }];
    const result = await push(w, 'feat/broken', { 'masking-rules': rulesFile(rules) });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('relation "public.customers" does not exist');
    expect(w.amplify.branch(APP_ID, 'feat/broken')).toBeUndefined();
    expect(result.outputs.anonymized ?? 'false').toBe('false');
  });

  it('anonymize without masking-rules is refused before any request', async () => {
    const w = await seeded();
    const before = w.neon.requests.length;
    const result = await push(w, 'feat/none', {});
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("Invalid anonymize 'true'");
    expect(w.neon.requests.length).toBe(before);
  });
});
