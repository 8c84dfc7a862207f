import { type Api, createApiClient, EndpointType } from '@neondatabase/api-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NeonMaskingRule } from '../../src/core/ports.js';
import { PEOPLE, readPeople, seedPeople } from '../fakes/neon-seed.js';
import { type Harness, startHarness } from './neon-harness.js';

/**
 * Neon's anonymized branches through the product's port and Neon's own client, against the stand-in
 * with real databases: the rules are applied for real to the branch's copy, never to its parent.
 */

const rule = (column: string, masking: Partial<NeonMaskingRule>): NeonMaskingRule => ({
  database_name: 'neondb',
  schema_name: 'public',
  table_name: 'people',
  column_name: column,
  ...masking,
});

const EMAIL = rule('email', { masking_function: 'anon.fake_email()' });

let h: Harness;
let api: Api<unknown>;
let parentId: string;

beforeEach(async () => {
  h = await startHarness({ standIn: { postgres: true } });
  api = createApiClient({ apiKey: h.standIn.apiKey, baseURL: h.standIn.url });
  parentId = h.standIn.defaultBranch().id;
  await seedPeople(h.standIn, { branchId: parentId });
});

afterEach(async () => {
  expect(h.standIn.violations).toEqual([]);
  await h.standIn.close();
});

async function anonymizedPreview(rules: NeonMaskingRule[], name = 'preview/anon') {
  const made = await h.port.createBranch({ name, parentId, maskingRules: rules });
  await h.port.waitForOperations(made.operationIds);
  return made.branch.id;
}

const urlOf = (branchId: string) => h.standIn.connectionUri({ branchId });

describe('an anonymized branch', () => {
  it('is created by branch_anonymized with the rules and masked; the parent keeps its real rows', async () => {
    const id = await anonymizedPreview([EMAIL]);
    const request = h.standIn.requests.find((each) => each.path.endsWith('/branch_anonymized'));
    expect(request?.body).toMatchObject({
      branch_create: {
        branch: { name: 'preview/anon', parent_id: parentId },
        endpoints: [{ type: 'read_write' }],
      },
      masking_rules: [EMAIL],
      start_anonymization: true,
    });
    const before = h.sleeps.length;
    expect(await h.port.waitForAnonymized(id)).toMatchObject({ state: 'anonymized', maskedColumns: 1 });
    // Masking is not done the moment it starts: the first read comes a second later, the next a
    // second after that, then each wait is half as long again.
    expect(h.sleeps.slice(before, before + 3)).toEqual([1_000, 1_000, 1_500]);
    const masked = await readPeople(urlOf(id));
    expect(masked.map((person) => person.firstName)).toEqual(PEOPLE.map((person) => person.firstName));
    for (const [index, person] of masked.entries()) {
      expect(person.email).toMatch(/^[a-z0-9]{10}@example\.com$/);
      expect(person.email).not.toBe(PEOPLE[index]?.email);
    }
    expect(await readPeople(urlOf(parentId))).toEqual(PEOPLE);
    expect(await h.port.compareSchema(id, parentId, 'neondb')).toBe('');
  });

  it('moves through created, initialized, anonymizing and anonymized, one read each', async () => {
    const { data } = await api.createProjectBranchAnonymized(h.standIn.projectId, {
      branch_create: { branch: { parent_id: parentId }, endpoints: [{ type: EndpointType.ReadWrite }] },
      masking_rules: [EMAIL],
      start_anonymization: true,
    });
    const states: string[] = [];
    for (let read = 0; read < 5; read += 1) {
      states.push((await api.getAnonymizedBranchStatus(h.standIn.projectId, data.branch.id)).data.state);
    }
    expect(states).toEqual(['created', 'initialized', 'anonymizing', 'anonymized', 'anonymized']);
  });

  it('applies each function the stand-in knows, and a literal masking_value', async () => {
    const id = await anonymizedPreview([
      rule('first_name', { masking_function: 'anon.fake_first_name()' }),
      rule('last_name', { masking_function: 'anon.partial(last_name, 1, $$***$$, 1)' }),
      rule('email', { masking_function: 'anon.hash(email)' }),
    ]);
    await h.port.waitForAnonymized(id);
    const [ada] = await readPeople(urlOf(id));
    expect(ada?.firstName).toMatch(/^[A-Z][a-z]+$/);
    expect(ada?.lastName).toBe('L***e');
    expect(ada?.email).toMatch(/^[0-9a-f]{64}$/);

    await h.port.replaceMaskingRules(id, [
      rule('first_name', { masking_function: 'anon.random_string(6)' }),
      rule('last_name', { masking_function: 'anon.fake_last_name()' }),
      rule('email', { masking_value: 'hidden@example.com' }),
    ]);
    await h.port.startAnonymization(id);
    expect(await h.port.waitForAnonymized(id)).toMatchObject({ maskedColumns: 3 });
    const again = await readPeople(urlOf(id));
    expect(again.map((person) => person.email)).toEqual(PEOPLE.map(() => 'hidden@example.com'));
    expect(again[0]?.firstName).toMatch(/^[a-z0-9]{6}$/);
    expect(await h.port.maskingRules(id)).toHaveLength(3);
  });

  it.each([
    [[rule('email', { masking_function: 'anon.fake_ssn()' })], 'function anon.fake_ssn() does not exist'],
    [[{ ...EMAIL, table_name: 'customers' }], 'relation "public.customers" does not exist'],
    [[{ ...EMAIL, database_name: 'crm' }], 'database "crm" does not exist'],
  ])('ends in error with Neon status_message, and masks nothing: %j', async (rules, message) => {
    const id = await anonymizedPreview(rules);
    const failure = await h.port.waitForAnonymized(id).catch((error: unknown) => error);
    expect((failure as Error).message).toContain("Neon's masking ended in 'error'");
    expect((failure as Error).message).toContain(message);
  });

  it('a rule that fails leaves the other rules of its database unapplied: all or none', async () => {
    const id = await anonymizedPreview([EMAIL, rule('phone', { masking_value: 'x' })]);
    await expect(h.port.waitForAnonymized(id)).rejects.toThrow(
      /column "phone" of relation "people" does not exist/,
    );
    expect(await readPeople(urlOf(id))).toEqual(PEOPLE);
  });

  it('a restore brings the parent rows back and the state to initialized, until anonymized again', async () => {
    const id = await anonymizedPreview([EMAIL]);
    await h.port.waitForAnonymized(id);
    await h.port.restoreBranch(id, parentId);
    expect(await readPeople(urlOf(id))).toEqual(PEOPLE);
    const { data } = await api.getAnonymizedBranchStatus(h.standIn.projectId, id);
    expect(data.state).toBe('initialized');
    await h.port.startAnonymization(id);
    await h.port.waitForAnonymized(id);
    expect((await readPeople(urlOf(id)))[0]?.email).toMatch(/@example\.com$/);
  });

  it('refuses to start while anonymizing, and a plain branch has no masking rules', async () => {
    const id = await anonymizedPreview([EMAIL]);
    await api.getAnonymizedBranchStatus(h.standIn.projectId, id); // created, now initialized
    await h.port.startAnonymization(id); // anonymizing
    await expect(h.port.startAnonymization(id)).rejects.toMatchObject({ status: 409 });
    await h.port.waitForAnonymized(id);
    const plain = await h.port.createBranch({ name: 'preview/plain', parentId });
    expect(await h.port.maskingRules(plain.branch.id)).toBeUndefined();
  });
});

describe('without databases', () => {
  it('checks the functions only: a known one ends anonymized, an unknown one in error', async () => {
    const plain = await startHarness();
    try {
      const made = await plain.port.createBranch({
        name: 'preview/a',
        parentId: undefined,
        maskingRules: [EMAIL],
      });
      expect(await plain.port.waitForAnonymized(made.branch.id)).toMatchObject({ state: 'anonymized' });
      const bad = await plain.port.createBranch({
        name: 'preview/b',
        parentId: undefined,
        maskingRules: [rule('email', { masking_function: 'pg_sleep(1)' })],
      });
      await expect(plain.port.waitForAnonymized(bad.branch.id)).rejects.toThrow(
        /pg_sleep\(1\) does not exist/,
      );
      expect(plain.standIn.violations).toEqual([]);
    } finally {
      await plain.standIn.close();
    }
  });
});

describe('the wait', () => {
  it('gives up at its limit naming the last state, when masking was never started', async () => {
    const { data } = await api.createProjectBranchAnonymized(h.standIn.projectId, {
      branch_create: { branch: { parent_id: parentId }, endpoints: [{ type: EndpointType.ReadWrite }] },
      masking_rules: [EMAIL],
    });
    const port = h.portWith({ operationPollInitialMs: 60_000, operationPollMaxMs: 600_000 });
    await expect(port.waitForAnonymized(data.branch.id)).rejects.toThrow(
      /did not finish within 60 minutes; its last state was 'initialized'/,
    );
    expect(h.logs.some((line) => line.includes(`debug: Neon branch ${data.branch.id}: created`))).toBe(true);
  });
});
