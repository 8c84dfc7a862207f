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
