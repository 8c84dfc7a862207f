import { describe, expect, it } from 'vitest';
import { ApiError, UsageError } from '../../src/core/errors.js';
import { execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import { type Result, toOutputs } from '../../src/core/result.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

const EMAIL = '[{"table_name": "people", "column_name": "email", "masking_function": "anon.fake_email()"}]';
const NAME = '[{"table_name": "people", "column_name": "first_name", "masking_value": "x"}]';
const NEON_EMAIL = {
  database_name: 'neondb',
  schema_name: 'public',
  table_name: 'people',
  column_name: 'email',
  masking_function: 'anon.fake_email()',
};

function setup(extra: Record<string, string> = {}, neon = new MemoryNeon()) {
  const amplify = new MemoryAmplify();
  const lines: string[] = [];
  const deploy = async (gitBranch: string, more: Record<string, string> = {}): Promise<Result> => {
    const settings = testSettings({ anonymize: 'true', 'masking-rules': EMAIL, ...extra, ...more });
    return execute(makePlan({ command: 'deploy', gitBranch }, settings, { defaultBranch: 'main' }), {
      neon,
      amplify,
      settings,
      log: { info: (m) => lines.push(m), warning: (m) => lines.push(`warning: ${m}`), debug: () => {} },
      secret: () => {},
      sleep: async () => {},
      now: () => 0,
    });
  };
  return { neon, amplify, lines, deploy };
}

const position = (calls: string[], prefix: string) => calls.findIndex((call) => call.startsWith(prefix));

describe('a new preview with anonymize', () => {
  it('is created anonymized with the rules, the parent database filled in, and masked before anything else', async () => {
    const t = setup();
    const result = await t.deploy('feat/x');
    expect(t.neon.created?.maskingRules).toEqual([NEON_EMAIL]);
    const calls = t.neon.calls;
    const waited = position(calls, 'neon.waitForAnonymized');
    expect(waited).toBeGreaterThan(position(calls, 'neon.createBranch'));
    expect(waited).toBeLessThan(position(calls, 'neon.resetRolePassword'));
    expect(waited).toBeLessThan(position(calls, 'neon.connectionUri'));
    expect(toOutputs(result).anonymized).toBe('true');
    expect(result).toMatchObject({ anonymized: { rules: 1, maskedColumns: 1 } });
    expect(t.amplify.branches.get('feat/x')?.environmentVariables.DATABASE_URL).toBeDefined();
  });

  it('takes the database setting without reading the parent databases', async () => {
    const t = setup({ database: 'shop' });
    t.neon.databases['br-new-1'] = [{ name: 'shop', ownerName: 'shop_owner' }];
    await t.deploy('feat/x');
    expect(t.neon.created?.maskingRules?.[0]?.database_name).toBe('shop');
    expect(t.neon.calls).not.toContain('neon.listDatabases(br-main-1)');
  });

  it.each([
    ['error', 'relation "public.people" does not exist'],
    ['initialization_error', 'could not copy the branch'],
  ])('fails on %s with Neon status_message, and writes nothing to Amplify', async (state, message) => {
    const t = setup();
    t.neon.anonymizedStates = [{ state, message }];
    const failure = await t.deploy('feat/x').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as Error).message).toContain(message);
    expect(t.amplify.calls.filter((call) => !/getBranch|getApp/.test(call))).toEqual([]);
    expect(t.neon.calls.some((call) => call.startsWith('neon.resetRolePassword'))).toBe(false);
  });

  it('without anonymize: a plain create, no masking, anonymized false', async () => {
    const t = setup({ anonymize: 'false' });
    const result = await t.deploy('feat/x');
    expect(t.neon.created?.maskingRules).toBeUndefined();
    expect(t.neon.calls.some((call) => /Anonymi|askingRules/.test(call))).toBe(false);
    expect(toOutputs(result).anonymized).toBe('false');
  });
});

describe('a preview that exists already', () => {
  async function existing(extra: Record<string, string> = {}) {
    const t = setup(extra);
    await t.deploy('feat/x');
    t.neon.calls = [];
    return t;
  }

  it('with the same rules: masking is waited for, not started again', async () => {
    const t = await existing();
    const result = await t.deploy('feat/x');
    expect(t.neon.calls.filter((call) => /Anonymi|askingRules/.test(call))).toEqual([
      'neon.maskingRules(br-new-1)',
      'neon.waitForAnonymized(br-new-1)',
    ]);
    expect(toOutputs(result).anonymized).toBe('true');
  });

  it('with changed rules: PATCH masking_rules, then anonymize, then the wait, before the Amplify write', async () => {
    const t = await existing();
    await t.deploy('feat/x', { 'masking-rules': NAME });
    expect(t.neon.calls.filter((call) => /Anonymi|askingRules/.test(call))).toEqual([
      'neon.maskingRules(br-new-1)',
      'neon.replaceMaskingRules(br-new-1)',
      'neon.startAnonymization(br-new-1)',
      'neon.waitForAnonymized(br-new-1)',
    ]);
    expect(t.neon.masking['br-new-1']).toMatchObject({ runs: 2, rules: [{ column_name: 'first_name' }] });
  });

  it('with the same rules after a failed masking: masked once more, and a second failure fails', async () => {
    const t = await existing();
    t.neon.anonymizedStates = [{ state: 'error', message: 'relation "public.people" does not exist' }];
    await t.deploy('feat/x');
    expect(t.neon.calls.filter((call) => /Anonymi/.test(call))).toEqual([
      'neon.waitForAnonymized(br-new-1)',
      'neon.startAnonymization(br-new-1)',
      'neon.waitForAnonymized(br-new-1)',
    ]);
    expect(t.lines).toContainEqual(expect.stringContaining('failed; masking it again'));
    t.neon.anonymizedStates = [
      { state: 'error', message: 'still missing' },
      { state: 'error', message: 'still missing' },
    ];
    t.amplify.calls = [];
    await expect(t.deploy('feat/x')).rejects.toThrow('still missing');
    expect(t.amplify.calls.filter((call) => !/getBranch|getApp/.test(call))).toEqual([]);
  });

  it('with reset-on-push: restored, then anonymized again', async () => {
    const t = await existing({ 'reset-on-push': 'true' });
    await t.deploy('feat/x');
    const calls = t.neon.calls;
    expect(position(calls, 'neon.restoreBranch')).toBeLessThan(position(calls, 'neon.startAnonymization'));
    expect(position(calls, 'neon.startAnonymization')).toBeLessThan(
      position(calls, 'neon.waitForAnonymized'),
    );
    expect(t.neon.masking['br-new-1']?.runs).toBe(2);
  });

  it('made without anonymize is refused: it may hold unmasked data, and nothing is written', async () => {
    const t = setup({ anonymize: 'false' });
    await t.deploy('feat/x');
    t.amplify.calls = [];
    const failure = await t.deploy('feat/x', { anonymize: 'true' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UsageError);
    expect((failure as Error).message).toContain('was not created anonymized');
    expect(t.amplify.calls.filter((call) => !/getBranch|getApp/.test(call))).toEqual([]);
  });
});

describe('branches that are never anonymized', () => {
  it('a primary branch uses its parent as it is, with a notice', async () => {
    const t = setup();
    const result = await t.deploy('main');
    expect(t.neon.calls.some((call) => /createBranch|Anonymi|askingRules/.test(call))).toBe(false);
    expect(t.lines).toContainEqual(expect.stringContaining("Neon branch 'main' is not anonymized"));
    expect(toOutputs(result).anonymized).toBe('false');
  });

  it('a preview name that is production is used read-only, with a notice', async () => {
    const t = setup({ 'branch-prefix': '' });
    t.neon.branches.push({ id: 'br-prot-1', name: 'release', default: false, protected: true });
    const result = await t.deploy('release');
    expect(t.neon.calls.some((call) => /Anonymi|askingRules/.test(call))).toBe(false);
    expect(t.lines).toContainEqual(
      expect.stringContaining(
        "'release' is not anonymized (anonymize applies to previews only): a protected branch",
      ),
    );
    expect(toOutputs(result).anonymized).toBe('false');
  });
});
