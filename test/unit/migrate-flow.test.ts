import { describe, expect, it } from 'vitest';
import { MigrationError } from '../../src/core/errors.js';
import { execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import type { MigrationInput } from '../../src/core/ports.js';
import { toOutputs } from '../../src/core/result.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

function setup(extra: Record<string, string> = {}, fail?: MigrationError) {
  const settings = testSettings(extra);
  const neon = new MemoryNeon();
  const amplify = new MemoryAmplify();
  const order: string[] = [];
  const migrations: MigrationInput[] = [];
  const lines: string[] = [];
  const secrets: string[] = [];
  const deploy = async (gitBranch: string) =>
    execute(makePlan({ command: 'deploy', gitBranch }, settings, { defaultBranch: 'main' }), {
      neon,
      amplify,
      settings,
      log: { info: (m) => lines.push(m), warning: (m) => lines.push(m), debug: () => {} },
      secret: (v) => secrets.push(v),
      sleep: async () => {},
      migrate: async (input) => {
        order.push(`migrate after ${neon.calls.length} neon calls, ${amplify.calls.length} amplify calls`);
        migrations.push(input);
        if (fail) throw fail;
      },
    });
  return { neon, amplify, order, migrations, lines, secrets, deploy };
}

describe('migrate-command', () => {
  it('runs on the new branch with its direct URL, after it is ready and before any Amplify write', async () => {
    const t = setup({ 'migrate-command': 'npx prisma migrate deploy' });
    await t.deploy('feat/x');
    expect(t.migrations).toHaveLength(1);
    const [migration] = t.migrations;
    const branch = t.neon.branches.find((b) => b.name === 'preview/feat/x');
    expect(migration?.command).toBe('npx prisma migrate deploy');
    expect(migration?.env.NEON_BRANCH_ID).toBe(branch?.id);
    expect(migration?.env.NEON_BRANCH_NAME).toBe('preview/feat/x');
    // The direct host, not the -pooler one; masked before the command could print it.
    expect(migration?.env.DATABASE_URL).toMatch(new RegExp(`@ep-${branch?.id}\\.us-east-2`));
    expect(t.secrets).toContain(migration?.env.DATABASE_URL);
    // The runner is told which values it must never cut in two (src/migrate/output.ts).
    const url = migration?.env.DATABASE_URL ?? '';
    expect(migration?.secrets).toEqual(expect.arrayContaining([url, new URL(url).password]));
    const writes = t.amplify.calls.filter((c) => /createBranch|setEnvironmentVariables|startJob/.test(c));
    expect(writes.length).toBeGreaterThan(0);
    expect(t.order).toEqual([expect.stringMatching(/, 2 amplify calls$/)]); // only the two reads before it
  });

  it('a failed migration writes nothing to Amplify and starts no job', async () => {
    const t = setup(
      { 'migrate-command': 'exit 1' },
      new MigrationError('migrate-command exited with code 1', { tail: ['boom'], exitCode: 1 }),
    );
    t.amplify.branches.set('feat/x', {
      name: 'feat/x',
      displayName: 'feat-x',
      environmentVariables: { A: '1' },
    });
    await expect(t.deploy('feat/x')).rejects.toThrow(/exited with code 1; nothing was written to Amplify/);
    expect(t.amplify.calls.filter((c) => !/getBranch|getApp/.test(c))).toEqual([]);
    expect(t.amplify.branches.get('feat/x')?.environmentVariables).toEqual({ A: '1' });
  });

  it('on a primary branch it runs against the parent, and says so', async () => {
    const t = setup({ 'migrate-command': 'migrate' });
    await t.deploy('main');
    expect(t.migrations[0]?.env.NEON_BRANCH_ID).toBe('br-main-1');
    expect(t.lines.join('\n')).toContain(
      "'main' is a primary branch: migrate-command runs against its parent",
    );
  });

  it('is not run on a dry run', async () => {
    const t = setup({ 'migrate-command': 'migrate', 'dry-run': 'true' });
    await t.deploy('feat/x');
    expect(t.migrations).toEqual([]);
    expect(t.lines).toContain('Dry run: would run migrate-command on the branch');
  });
});

describe('unpooled-env-var-name', () => {
  it('writes the direct URL next to the pooled one in the same single write, and outputs it', async () => {
    const t = setup({ 'unpooled-env-var-name': 'DATABASE_URL_UNPOOLED' });
    t.amplify.branches.set('feat/x', {
      name: 'feat/x',
      displayName: 'feat-x',
      environmentVariables: { A: '1' },
    });
    const outputs = toOutputs(await t.deploy('feat/x'));
    const variables = t.amplify.branches.get('feat/x')?.environmentVariables ?? {};
    expect(Object.keys(variables).sort()).toEqual(['A', 'DATABASE_URL', 'DATABASE_URL_UNPOOLED']);
    expect(variables.DATABASE_URL).toContain('-pooler.');
    expect(variables.DATABASE_URL_UNPOOLED).not.toContain('-pooler.');
    expect(t.amplify.calls.filter((c) => c.startsWith('amplify.setEnvironmentVariables'))).toHaveLength(1);
    expect(outputs['database-url-unpooled']).toBe(variables.DATABASE_URL_UNPOOLED);
    expect(t.secrets).toContain(variables.DATABASE_URL_UNPOOLED);
  });

  it('is refused when it equals env-var-name, before any request', () => {
    expect(() => setup({ 'unpooled-env-var-name': 'DATABASE_URL' })).toThrow(
      "Invalid unpooled-env-var-name 'DATABASE_URL': expected a name other than env-var-name",
    );
  });

  it('cleanup removes both variables and keeps the rest', async () => {
    const t = setup({ 'unpooled-env-var-name': 'DATABASE_URL_UNPOOLED' });
    t.neon.branches.push({ id: 'br-x', name: 'preview/feat/x', default: false, protected: false });
    t.amplify.branches.set('feat/x', {
      name: 'feat/x',
      displayName: 'feat-x',
      environmentVariables: { A: '1', DATABASE_URL: 'u', DATABASE_URL_UNPOOLED: 'v' },
    });
    const settings = testSettings({ 'unpooled-env-var-name': 'DATABASE_URL_UNPOOLED' });
    await execute(
      makePlan({ command: 'cleanup', gitBranch: 'feat/x' }, settings, { defaultBranch: 'main' }),
      {
        neon: t.neon,
        amplify: t.amplify,
        settings,
        log: { info: () => {}, warning: () => {}, debug: () => {} },
        secret: () => {},
      },
    );
    expect(t.amplify.branches.get('feat/x')?.environmentVariables).toEqual({ A: '1' });
  });
});
