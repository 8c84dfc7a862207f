import { describe, expect, it } from 'vitest';
import { execute } from '../../src/core/executor.js';
import type { ExecuteOptions } from '../../src/core/flows/options.js';
import { outOfReach, refuseToDelete } from '../../src/core/flows/out-of-reach.js';
import { type Intent, makePlan } from '../../src/core/plan.js';
import type { MigrationInput, NeonBranch } from '../../src/core/ports.js';
import { type Result, toOutputs } from '../../src/core/result.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

/**
 * Production is out of reach (README.md, "Safety rules"): the project's default branch, a protected
 * branch and the parent primary branches use are never restored, expired, given a new password or
 * deleted, whatever branch-prefix and primary-branches say.
 */
const PRODUCTION: NeonBranch = { id: 'br-prod', name: 'production', default: true, protected: false };
const STAGING: NeonBranch = {
  id: 'br-staging',
  name: 'staging',
  default: false,
  protected: true,
  parentId: 'br-prod',
};
const SEED: NeonBranch = {
  id: 'br-seed',
  name: 'seed',
  default: false,
  protected: false,
  parentId: 'br-prod',
};

/** Every call that changes a Neon branch or the Amplify side. */
const MUTATIONS =
  /^(neon\.(restoreBranch|setExpiry|resetRolePassword|deleteBranch)|amplify\.(setEnvironmentVariables|deleteBranch))/;

function setup(extra: Record<string, string> = {}) {
  const settings = testSettings({
    'branch-prefix': '',
    'expires-in': '7d',
    'reset-on-push': 'true',
    ...extra,
  });
  const neon = new MemoryNeon();
  neon.branches = [structuredClone(PRODUCTION), structuredClone(STAGING), structuredClone(SEED)];
  // Both still carry production's password, as Neon copies it: a preview would get a new one.
  neon.passwords = { 'br-staging/neondb_owner': 'pw/br-prod', 'br-seed/neondb_owner': 'pw/br-prod' };
  const amplify = new MemoryAmplify();
  const lines: string[] = [];
  const migrations: MigrationInput[] = [];
  const options: ExecuteOptions = {
    neon,
    amplify,
    settings,
    log: { info: (m) => lines.push(m), warning: (m) => lines.push(`warning: ${m}`), debug: () => {} },
    secret: () => {},
    sleep: async () => {},
    migrate: async (input) => {
      migrations.push(input);
    },
  };
  const run = (intent: Intent): Promise<Result> =>
    execute(makePlan(intent, settings, { defaultBranch: 'main' }), options);
  const mutations = () => [...neon.calls, ...amplify.calls].filter((call) => MUTATIONS.test(call));
  return { neon, amplify, lines, migrations, run, mutations };
}

describe('the rule', () => {
  it.each([
    [PRODUCTION, undefined, "the project's default branch"],
    [STAGING, undefined, 'a protected branch'],
    [SEED, 'seed', 'the parent-branch'],
    [SEED, 'br-seed', 'the parent-branch'],
  ])('%o with parent-branch %s: %s', (branch, parentBranch, reason) => {
    expect(outOfReach(branch, { parentBranch })).toContain(reason);
  });

  it('a preview is within reach; the prefix matters only for deletion', () => {
    const preview = { id: 'br-p', name: 'preview/x', default: false, protected: false };
    expect(outOfReach(preview, { parentBranch: 'seed' })).toBeUndefined();
    expect(refuseToDelete(preview, { branchPrefix: 'preview/', parentBranch: undefined })).toBeUndefined();
    expect(refuseToDelete(preview, { branchPrefix: 'pr/', parentBranch: undefined })).toContain(
      "does not start with the prefix 'pr/'",
    );
    expect(refuseToDelete(SEED, { branchPrefix: '', parentBranch: 'seed' })).toContain('parent-branch');
  });
});

describe('a deploy whose Neon name is a production branch', () => {
  it.each([
    ['production', {}, "the project's default branch"],
    ['staging', {}, 'a protected branch'],
    ['seed', { 'parent-branch': 'seed' }, 'the parent-branch'],
  ])('%s %o: used read-only as a primary, and the log says why', async (gitBranch, extra, why) => {
    const t = setup({ 'migrate-command': 'npm run migrate', ...extra });
    const result = await t.run({ command: 'deploy', gitBranch });
    const id = t.neon.branches.find((b) => b.name === gitBranch)?.id;
    const outputs = toOutputs(result);
    expect(t.mutations()).toEqual([]);
    expect(t.amplify.calls).toContain(`amplify.createBranch(${gitBranch})`);
    expect(t.amplify.branches.get(gitBranch)?.environmentVariables.DATABASE_URL).toContain(`ep-${id}-pooler`);
    expect(t.amplify.calls).toContain(`amplify.startJob(${gitBranch})`);
    expect(t.migrations).toEqual([]);
    expect(outputs['neon-branch-id']).toBe(id);
    expect(outputs.created).toBe('false');
    expect(outputs['expires-at']).toBe('');
    expect(t.lines.join('\n')).toContain(`Neon branch '${gitBranch}' is ${why}`);
    expect(t.lines.join('\n')).toMatch(/read-only/);
    expect(t.neon.calls.some((c) => c.startsWith('neon.compareSchema'))).toBe(false);
  });

  it("the first push of the git branch (GitHub's created: true): the 409 leads to the same", async () => {
    const t = setup();
    await t.run({ command: 'deploy', gitBranch: 'production', newInGit: true });
    expect(t.mutations()).toEqual([]);
    expect(t.amplify.calls).toContain('amplify.startJob(production)');
  });

  it('another run "creates" it meanwhile (a 409 after the lookup found nothing): the same', async () => {
    const t = setup();
    const staging = t.neon.branches.splice(1, 1)[0];
    t.neon.raceWinner = staging;
    await t.run({ command: 'deploy', gitBranch: 'staging' });
    expect(t.mutations()).toEqual([]);
    expect(t.lines.join('\n')).toContain("Neon branch 'staging' is a protected branch");
  });

  it('a dry run says so too', async () => {
    const t = setup({ 'dry-run': 'true' });
    await t.run({ command: 'deploy', gitBranch: 'production' });
    expect(t.lines.join('\n')).toContain("Neon branch 'production' is the project's default branch");
  });

  it('a preview next to them is still reset, expired and given its own password', async () => {
    const t = setup({ 'branch-prefix': 'preview/' });
    t.neon.branches.push({
      id: 'br-p',
      name: 'preview/feat',
      default: false,
      protected: false,
      parentId: 'br-prod',
    });
    await t.run({ command: 'deploy', gitBranch: 'feat' });
    expect(t.mutations()).toEqual([
      'neon.restoreBranch(br-p from br-prod)',
      expect.stringMatching(/^neon\.setExpiry\(br-p /),
      'neon.resetRolePassword(br-p neondb_owner)',
    ]);
  });
});

describe('a cleanup that keeps the Neon branch leaves the Amplify branch alone', () => {
  it.each([
    ['production', {}],
    ['staging', {}],
    ['seed', { 'parent-branch': 'seed' }],
  ])('%s %o: no variable removed, no Amplify branch deleted', async (gitBranch, extra) => {
    for (const deleteAmplify of ['false', 'true']) {
      const t = setup({ 'delete-amplify-branch': deleteAmplify, ...extra });
      t.amplify.branches.set(gitBranch, {
        name: gitBranch,
        displayName: gitBranch,
        environmentVariables: { DATABASE_URL: 'postgresql://production', OTHER: '1' },
      });
      const result = await t.run({ command: 'cleanup', gitBranch });
      expect(t.mutations()).toEqual([]);
      expect(toOutputs(result).deleted).toBe('false');
      expect(t.lines.join('\n')).toContain(`Amplify branch '${gitBranch}' is left alone`);
    }
  });

  it('Neon refuses the delete (422): the run fails and Amplify is untouched', async () => {
    const t = setup();
    t.neon.branches.push({ id: 'br-x', name: 'feat/x', default: false, protected: false });
    t.neon.refuseDelete.add('br-x');
    t.amplify.branches.set('feat/x', {
      name: 'feat/x',
      displayName: 'feat-x',
      environmentVariables: { DATABASE_URL: 'postgresql://x' },
    });
    await expect(t.run({ command: 'cleanup', gitBranch: 'feat/x' })).rejects.toThrow(/422/);
    expect(t.amplify.calls.filter((call) => MUTATIONS.test(call))).toEqual([]);
  });
});

describe('reconcile', () => {
  it('keeps the parent-branch even when its name has the prefix and no Amplify branch maps to it', async () => {
    const t = setup({ 'branch-prefix': 'preview/', 'parent-branch': 'preview/seed' });
    t.neon.branches.push({ id: 'br-ps', name: 'preview/seed', default: false, protected: false });
    const result = await t.run({ command: 'reconcile' });
    expect(t.mutations()).toEqual([]);
    expect(result.kind === 'reconcile' && result.report.kept).toEqual(['preview/seed']);
  });
});
