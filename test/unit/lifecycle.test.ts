import { describe, expect, it } from 'vitest';
import { execute } from '../../src/core/executor.js';
import { expiryFrom } from '../../src/core/flows/lifecycle.js';
import { makePlan } from '../../src/core/plan.js';
import { type Result, toOutputs } from '../../src/core/result.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

const NOW = Date.parse('2026-11-30T10:00:00.250Z');
const settings = testSettings;

function setup(extra: Record<string, string> = {}) {
  const s = settings(extra);
  const neon = new MemoryNeon();
  const amplify = new MemoryAmplify();
  const lines: string[] = [];
  let now = NOW;
  const deploy = async (gitBranch: string): Promise<Result> =>
    execute(makePlan({ command: 'deploy', gitBranch }, s, { defaultBranch: 'main' }), {
      neon,
      amplify,
      settings: s,
      log: { info: (m) => lines.push(m), warning: (m) => lines.push(`warning: ${m}`), debug: () => {} },
      secret: () => {},
      sleep: async () => {},
      now: () => now,
    });
  return { neon, amplify, lines, deploy, later: (ms: number) => (now += ms) };
}

describe('expires-in', () => {
  it.each([
    ['90m', 5400],
    ['36h', 129_600],
    ['7d', 604_800],
    ['30d', 2_592_000],
  ])('takes %s', (value, seconds) => {
    expect(settings({ 'expires-in': value }).expiresInSeconds).toBe(seconds);
  });

  it.each([['0d'], ['31d'], ['721h'], ['7w'], ['abc'], ['-1d'], ['1.5d']])(
    'refuses %s before any request, naming the input',
    (value) => {
      expect(() => settings({ 'expires-in': value })).toThrow(
        `Invalid expires-in '${value}': expected a duration`,
      );
    },
  );

  it('RFC 3339 to the second', () => {
    expect(expiryFrom(NOW, 3600)).toBe('2026-11-30T11:00:00Z');
  });

  it('a new preview is created with expires_at, and the next deploy moves it forward with one PATCH', async () => {
    const t = setup({ 'expires-in': '7d' });
    const first = toOutputs(await t.deploy('feat/x'));
    expect(t.neon.created?.expiresAt).toBe('2026-12-07T10:00:00Z');
    expect(first['expires-at']).toBe('2026-12-07T10:00:00Z');
    t.later(3_600_000);
    const second = toOutputs(await t.deploy('feat/x'));
    expect(t.neon.calls.filter((c) => c.startsWith('neon.setExpiry'))).toEqual([
      expect.stringMatching(/ 2026-12-07T11:00:00Z\)$/),
    ]);
    expect(second['expires-at']).toBe('2026-12-07T11:00:00Z');
  });

  it('never on a primary branch', async () => {
    const t = setup({ 'expires-in': '7d' });
    const outputs = toOutputs(await t.deploy('main'));
    expect(t.neon.calls.some((c) => c.startsWith('neon.setExpiry'))).toBe(false);
    expect(outputs['expires-at']).toBe('');
  });

  it('a branch with children keeps its expiry: a warning, and the deploy carries on', async () => {
    const t = setup({ 'expires-in': '7d' });
    t.neon.branches.push(
      { id: 'br-p', name: 'preview/feat/x', default: false, protected: false, parentId: 'br-main-1' },
      { id: 'br-child', name: 'child', default: false, protected: false, parentId: 'br-p' },
    );
    const outputs = toOutputs(await t.deploy('feat/x'));
    expect(t.lines.join('\n')).toContain("warning: Neon branch 'preview/feat/x' has child branches");
    expect(outputs['amplify-job-id']).not.toBe('');
  });
});

describe('reset-on-push', () => {
  it('resets an existing preview to its parent before the connection string is read', async () => {
    const t = setup({ 'reset-on-push': 'true', 'reset-role-password': 'false' });
    t.neon.branches.push({
      id: 'br-p',
      name: 'preview/feat/x',
      default: false,
      protected: false,
      parentId: 'br-main-1',
    });
    await t.deploy('feat/x');
    const restore = t.neon.calls.indexOf('neon.restoreBranch(br-p from br-main-1)');
    const read = t.neon.calls.findIndex((c) => c.startsWith('neon.connectionUri(br-p'));
    expect(restore).toBeGreaterThanOrEqual(0);
    expect(read).toBeGreaterThan(restore);
  });

  it('a preview with no parent id is reset to the parent the deploy already read, without reading it again', async () => {
    const t = setup({ 'reset-on-push': 'true', 'reset-role-password': 'false' });
    t.neon.branches.push({ id: 'br-root', name: 'preview/feat/root', default: false, protected: false });
    await t.deploy('feat/root');
    expect(t.neon.calls).toContain('neon.restoreBranch(br-root from br-main-1)');
    expect(t.neon.calls.filter((c) => c.startsWith('neon.getDefaultBranch'))).toHaveLength(1);
  });

  it('with reset-role-password, the preview gets its own password again after the reset', async () => {
    const t = setup({ 'reset-on-push': 'true' });
    t.neon.passwords['br-main-1/neondb_owner'] = 'production';
    t.neon.branches.push({
      id: 'br-p',
      name: 'preview/feat/x',
      default: false,
      protected: false,
      parentId: 'br-main-1',
    });
    t.neon.passwords['br-p/neondb_owner'] = 'pw/br-p';
    await t.deploy('feat/x');
    const url = t.amplify.branches.get('feat/x')?.environmentVariables.DATABASE_URL ?? '';
    expect(decodeURIComponent(new URL(url).password)).not.toBe('production');
    expect(t.neon.calls.some((c) => c.startsWith('neon.resetRolePassword(br-p'))).toBe(true);
  });

  it('writes nothing to Amplify when the URL did not change', async () => {
    const t = setup({ 'reset-on-push': 'true', 'reset-role-password': 'false' });
    t.neon.branches.push({
      id: 'br-p',
      name: 'preview/feat/x',
      default: false,
      protected: false,
      parentId: 'br-main-1',
    });
    await t.deploy('feat/x');
    const writes = () => t.amplify.calls.filter((c) => /setEnvironmentVariables|createBranch/.test(c)).length;
    const before = writes();
    await t.deploy('feat/x');
    expect(writes()).toBe(before);
    expect(t.neon.calls.filter((c) => c.startsWith('neon.restoreBranch'))).toHaveLength(2);
  });

  it('a branch with children is refused with a clear error, and nothing is written', async () => {
    const t = setup({ 'reset-on-push': 'true' });
    t.neon.branches.push(
      { id: 'br-p', name: 'preview/feat/x', default: false, protected: false, parentId: 'br-main-1' },
      { id: 'br-child', name: 'child', default: false, protected: false, parentId: 'br-p' },
    );
    await expect(t.deploy('feat/x')).rejects.toThrow(
      /Cannot reset Neon branch 'preview\/feat\/x' \(reset-on-push\): it has child branches/,
    );
    expect(t.amplify.calls.filter((c) => !/getBranch|getApp/.test(c))).toEqual([]);
  });

  it('not on a new branch, nor on a primary one', async () => {
    const t = setup({ 'reset-on-push': 'true' });
    await t.deploy('feat/new');
    await t.deploy('main');
    expect(t.neon.calls.some((c) => c.startsWith('neon.restoreBranch'))).toBe(false);
  });

  it('with branch-type: schema-only is a usage error before any request', () => {
    expect(() => settings({ 'reset-on-push': 'true', 'branch-type': 'schema-only' })).toThrow(
      "Invalid reset-on-push 'true': expected false with branch-type: schema-only",
    );
  });
});

describe('branch-type and suspend-timeout', () => {
  it('schema-only creates the branch with init_source schema-only', async () => {
    const t = setup({ 'branch-type': 'schema-only' });
    await t.deploy('feat/x');
    expect(t.neon.created).toMatchObject({ schemaOnly: true });
    // From Neon's default branch, which the create names by leaving parent_id out.
    expect(t.neon.created?.parentId).toBeUndefined();
  });

  it('refuses another branch-type', () => {
    expect(() => settings({ 'branch-type': 'empty' })).toThrow(
      "Invalid branch-type 'empty': expected one of parent-data, schema-only",
    );
  });

  it.each([
    ['300', 300],
    ['-1', -1],
    ['0', undefined],
  ])('suspend-timeout %s reaches the new endpoint as %s', async (value, seconds) => {
    const t = setup({ 'suspend-timeout': value });
    await t.deploy('feat/x');
    expect(t.neon.created?.suspendTimeoutSeconds).toBe(seconds);
  });

  it.each([['5m'], ['604801'], ['-2']])('refuses suspend-timeout %s', (value) => {
    expect(() => settings({ 'suspend-timeout': value })).toThrow(`Invalid suspend-timeout '${value}'`);
  });
});
