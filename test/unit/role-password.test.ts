import { describe, expect, it } from 'vitest';
import { execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import { toOutputs } from '../../src/core/result.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

function setup(extra: Record<string, string> = {}) {
  const settings = testSettings(extra);
  const neon = new MemoryNeon();
  const amplify = new MemoryAmplify();
  const secrets: string[] = [];
  const lines: string[] = [];
  const deploy = async (gitBranch: string) =>
    toOutputs(
      await execute(makePlan({ command: 'deploy', gitBranch }, settings, { defaultBranch: 'main' }), {
        neon,
        amplify,
        settings,
        log: { info: (m) => lines.push(m), warning: (m) => lines.push(m), debug: () => {} },
        secret: (v) => secrets.push(v),
        sleep: async () => {},
      }),
    );
  const written = (branch: string) => amplify.branches.get(branch)?.environmentVariables.DATABASE_URL ?? '';
  const password = (url: string) => decodeURIComponent(new URL(url).password);
  return { neon, amplify, secrets, lines, deploy, written, password };
}

describe('reset-role-password', () => {
  it('gives a new preview its own password before the connection string is read and written', async () => {
    const t = setup();
    t.neon.passwords['br-main-1/neondb_owner'] = 'production-password';
    await t.deploy('feat/x');
    const branch = t.neon.branches.find((b) => b.name === 'preview/feat/x');
    expect(t.password(t.written('feat/x'))).toBe(t.neon.passwordOf(branch?.id ?? '', 'neondb_owner'));
    expect(t.password(t.written('feat/x'))).not.toBe('production-password');
    const reset = t.neon.calls.findIndex((c) => c.startsWith('neon.resetRolePassword'));
    const read = t.neon.calls.findIndex((c) => c.startsWith('neon.connectionUri'));
    expect(reset).toBeGreaterThan(t.neon.calls.findIndex((c) => c.startsWith('neon.createBranch')));
    expect(read).toBeGreaterThan(reset);
    // The parent's password is never handed out, even for a moment.
    expect(t.amplify.calls.join('\n')).not.toContain('production-password');
  });

  it('with reset-role-password: false, the preview keeps the copied password (as Neon makes it)', async () => {
    const t = setup({ 'reset-role-password': 'false' });
    t.neon.passwords['br-main-1/neondb_owner'] = 'production-password';
    await t.deploy('feat/x');
    expect(t.password(t.written('feat/x'))).toBe('production-password');
    expect(t.neon.calls.some((c) => c.startsWith('neon.resetRolePassword'))).toBe(false);
  });

  it('a reused preview that still has the parent password gets its own, and masks the parent URL', async () => {
    const t = setup();
    t.neon.passwords['br-main-1/neondb_owner'] = 'production-password';
    t.neon.branches.push({
      id: 'br-old',
      name: 'preview/feat/x',
      default: false,
      protected: false,
      parentId: 'br-main-1',
    });
    t.neon.passwords['br-old/neondb_owner'] = 'production-password';
    await t.deploy('feat/x');
    expect(t.password(t.written('feat/x'))).toBe('pw/br-old');
    expect(t.secrets).toContain('production-password');
  });

  it('a reused preview with a password of its own is not reset again', async () => {
    const t = setup();
    t.neon.branches.push({
      id: 'br-old',
      name: 'preview/feat/x',
      default: false,
      protected: false,
      parentId: 'br-main-1',
    });
    t.neon.passwords['br-old/neondb_owner'] = 'own-password';
    await t.deploy('feat/x');
    expect(t.neon.calls.some((c) => c.startsWith('neon.resetRolePassword'))).toBe(false);
    expect(t.password(t.written('feat/x'))).toBe('own-password');
  });

  it('a primary branch is never reset', async () => {
    const t = setup();
    await t.deploy('main');
    expect(t.neon.calls.some((c) => c.startsWith('neon.resetRolePassword'))).toBe(false);
  });

  it('after a reset, a password that moved meanwhile (a concurrent run reset it too) is written again', async () => {
    const t = setup();
    t.neon.passwords['br-main-1/neondb_owner'] = 'production-password';
    // Another run resets the password right after this run read its connection string.
    const original = t.amplify.setEnvironmentVariables.bind(t.amplify);
    const originalCreate = t.amplify.createBranch.bind(t.amplify);
    let raced = false;
    t.amplify.createBranch = async (input) => {
      const branch = t.neon.branches.find((b) => b.name === 'preview/feat/x');
      if (!raced && branch) {
        raced = true;
        await t.neon.resetRolePassword(branch.id, 'neondb_owner');
      }
      return originalCreate(input);
    };
    t.amplify.setEnvironmentVariables = original;
    await t.deploy('feat/x');
    const branch = t.neon.branches.find((b) => b.name === 'preview/feat/x');
    expect(raced).toBe(true);
    expect(t.password(t.written('feat/x'))).toBe(t.neon.passwordOf(branch?.id ?? '', 'neondb_owner'));
    expect(t.lines.join('\n')).toContain('changed meanwhile');
  });
});

describe("a re-push's database and role", () => {
  it('are taken from the URL Amplify holds when it opens the same database on the same host: no listing', async () => {
    const t = setup();
    await t.deploy('feat/x');
    t.neon.calls.length = 0;
    await t.deploy('feat/x');
    expect(t.neon.calls.filter((c) => c.startsWith('neon.listDatabases'))).toEqual([]);
  });

  it('are listed when the URL Amplify holds opens another database', async () => {
    const t = setup();
    await t.deploy('feat/x');
    const branch = t.amplify.branches.get('feat/x');
    if (branch === undefined) throw new Error('the first deploy wrote no Amplify branch');
    const url = new URL(t.written('feat/x'));
    url.pathname = '/other';
    branch.environmentVariables.DATABASE_URL = url.href;
    t.neon.calls.length = 0;
    await t.deploy('feat/x');
    expect(t.neon.calls.filter((c) => c.startsWith('neon.listDatabases'))).toHaveLength(1);
    // The listing names neondb, the only database: that is what is written again.
    expect(new URL(t.written('feat/x')).pathname).toBe('/neondb');
  });
});
