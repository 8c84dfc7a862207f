import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import { execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

/** The calls a deploy makes, where each one saved is a round trip off the time to a running build. */
function setup(extra: Record<string, string> = {}) {
  const settings = testSettings(extra);
  const neon = new MemoryNeon();
  const amplify = new MemoryAmplify();
  const secrets: string[] = [];
  const deploy = (gitBranch: string, newInGit = false) =>
    execute(makePlan({ command: 'deploy', gitBranch, newInGit }, settings, { defaultBranch: 'main' }), {
      neon,
      amplify,
      settings,
      log: { info: () => {}, warning: () => {}, debug: () => {} },
      secret: (value) => secrets.push(value),
      sleep: async () => {},
    });
  const methods = () => neon.calls.map((call) => call.slice(0, call.indexOf('(')));
  return { neon, amplify, deploy, methods, secrets };
}

/** The preview of `feat/x`, made by an earlier push. */
function addPreview(neon: MemoryNeon, { ready }: { ready: boolean }) {
  neon.branches.push({
    id: 'br-p',
    name: 'preview/feat/x',
    default: false,
    protected: false,
    parentId: 'br-main-1',
    ready,
  });
}

/** A promise that stays pending until `release`: holds one call of a fake back. */
function held() {
  let release: () => void = () => {};
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { held: promise, release };
}

/** Lets the event loop turn (at most 20 times) until `done`; the test then asserts what it sees. */
async function turnsUntil(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 20 && !done(); turn++) await new Promise((resolve) => setImmediate(resolve));
}

describe('deploy round trips', () => {
  it('a re-push of a settled branch does not ask for its operations', async () => {
    const t = setup();
    addPreview(t.neon, { ready: true });
    await t.deploy('feat/x');
    expect(t.methods()).not.toContain('neon.pendingOperationIds');
  });

  it('a branch still initialising is waited for', async () => {
    const t = setup();
    addPreview(t.neon, { ready: false });
    await t.deploy('feat/x');
    expect(t.methods()).toContain('neon.pendingOperationIds');
  });

  it("a new branch's databases come from the create answer, not a second request", async () => {
    const t = setup();
    t.neon.createAnswersDatabases = [{ name: 'neondb', ownerName: 'neondb_owner' }];
    await t.deploy('feat/new');
    expect(t.methods()).not.toContain('neon.listDatabases');
  });

  it('a new preview of the default branch is made without looking the default branch up', async () => {
    const t = setup();
    await t.deploy('feat/new');
    const methods = t.methods();
    expect(methods.slice(0, 2)).toEqual(['neon.findBranchByName', 'neon.createBranch']);
    expect(methods).not.toContain('neon.getDefaultBranch');
    // No parent_id: Neon branches from its default branch.
    expect(t.neon.created?.parentId).toBeUndefined();
  });

  it('a re-push does not look the default branch up either', async () => {
    const t = setup();
    addPreview(t.neon, { ready: true });
    await t.deploy('feat/x');
    expect(t.methods()).not.toContain('neon.getDefaultBranch');
  });

  it('a parent-branch setting is looked up alongside the branch, before the create', async () => {
    const t = setup({ 'parent-branch': 'main' });
    await t.deploy('feat/new');
    const methods = t.methods();
    expect(methods.slice(0, 2).sort()).toEqual(['neon.findBranchByName', 'neon.resolveBranch']);
    expect(methods.indexOf('neon.createBranch')).toBe(2);
    expect(t.neon.created?.parentId).toBe('br-main-1');
  });

  it('the push that created the git branch creates the Neon branch before any lookup', async () => {
    const t = setup();
    await t.deploy('feat/new', true);
    const methods = t.methods();
    expect(methods[0]).toBe('neon.createBranch');
    expect(methods).not.toContain('neon.findBranchByName');
    // No parent_id: Neon's default branch, without a lookup first.
    expect(t.neon.created?.parentId).toBeUndefined();
    expect(t.neon.branches.find((b) => b.name === 'preview/feat/new')?.parentId).toBe('br-main-1');
  });

  it('such a create answered 409 (the branch exists) goes on as a re-push: found, refreshed, reused', async () => {
    const t = setup({ 'expires-in': '7d' });
    addPreview(t.neon, { ready: true });
    const result = await t.deploy('feat/x', true);
    expect(result).toMatchObject({ kind: 'deploy', created: false, neonBranch: { id: 'br-p' } });
    const methods = t.methods();
    expect(methods.slice(0, 3)).toContain('neon.createBranch');
    expect(methods.indexOf('neon.findBranchByName')).toBeGreaterThan(methods.indexOf('neon.createBranch'));
    // The expiry of a reused preview moves forward, as on any re-push.
    expect(methods).toContain('neon.setExpiry');
  });

  it('a missing Amplify branch that may not be created stops the deploy before Neon is written to', async () => {
    const t = setup({ 'create-amplify-branch': 'false' });
    await expect(t.deploy('feat/none', true)).rejects.toThrow(/create-amplify-branch is false/);
    expect(t.methods()).not.toContain('neon.createBranch');
  });

  it("a new branch's URL comes from the create answer, its new password from the reset's answer", async () => {
    const t = setup();
    t.neon.createAnswersDatabases = [{ name: 'neondb', ownerName: 'neondb_owner' }];
    t.neon.passwords['br-main-1/neondb_owner'] = 'production-password';
    await t.deploy('feat/new', true);
    const written = t.amplify.branches.get('feat/new')?.environmentVariables.DATABASE_URL ?? '';
    const branch = t.neon.branches.find((b) => b.name === 'preview/feat/new');
    // What Neon hands out for it now, read for the comparison only after the deploy.
    const calls = t.methods();
    const now = await t.neon.connectionUri({
      branchId: branch?.id ?? '',
      databaseName: 'neondb',
      roleName: 'neondb_owner',
      pooled: true,
    });
    expect(written).toBe(now);
    expect(written).not.toContain('production-password');
    // The create answer carried the parent's password: masked although it is never written.
    expect(t.secrets).toContain('production-password');
    // One read of the URL: the one after the write, for a concurrent reset.
    expect(calls.filter((call) => call === 'neon.connectionUri')).toHaveLength(1);
    expect(calls.lastIndexOf('neon.connectionUri')).toBeGreaterThan(calls.indexOf('neon.resetRolePassword'));
  });

  it('with reset-role-password: false, a new branch needs no URL read at all', async () => {
    const t = setup({ 'reset-role-password': 'false', 'unpooled-env-var-name': 'DATABASE_URL_UNPOOLED' });
    t.neon.createAnswersDatabases = [{ name: 'neondb', ownerName: 'neondb_owner' }];
    await t.deploy('feat/new', true);
    expect(t.methods()).not.toContain('neon.connectionUri');
    const variables = t.amplify.branches.get('feat/new')?.environmentVariables ?? {};
    const branch = t.neon.branches.find((b) => b.name === 'preview/feat/new');
    const read = (pooled: boolean) =>
      t.neon.connectionUri({
        branchId: branch?.id ?? '',
        databaseName: 'neondb',
        roleName: 'neondb_owner',
        pooled,
      });
    expect(variables.DATABASE_URL).toBe(await read(true));
    expect(variables.DATABASE_URL_UNPOOLED).toBe(await read(false));
  });

  it("the Neon steps do not wait for Amplify's reads; the write waits for them", async () => {
    const t = setup();
    const gate = held();
    const getBranch = t.amplify.getBranch.bind(t.amplify);
    t.amplify.getBranch = async (name) => {
      await gate.held;
      return getBranch(name);
    };
    const deploying = t.deploy('feat/new', true);
    await turnsUntil(() => t.methods().includes('neon.resetRolePassword'));
    // The branch was made and its password reset while Amplify had not answered yet.
    expect(t.methods()).toContain('neon.resetRolePassword');
    expect(t.amplify.calls.some((call) => call.startsWith('amplify.createBranch'))).toBe(false);
    gate.release();
    await deploying;
    expect(t.amplify.calls.some((call) => call.startsWith('amplify.createBranch'))).toBe(true);
  });

  it("a re-push reads its URL on Neon's default names without waiting for the databases", async () => {
    const t = setup();
    addPreview(t.neon, { ready: true });
    const gate = held();
    const listDatabases = t.neon.listDatabases.bind(t.neon);
    t.neon.listDatabases = async (branchId) => {
      await gate.held;
      return listDatabases(branchId);
    };
    const deploying = t.deploy('feat/x');
    const uriReads = () => t.neon.calls.filter((call) => call.startsWith('neon.connectionUri'));
    await turnsUntil(() => uriReads().length >= 2);
    // The preview's URL and the parent's (the password check) were asked for while the databases
    // had not answered.
    expect(uriReads()).toEqual([
      'neon.connectionUri(br-p neondb neondb_owner true)',
      'neon.connectionUri(br-main-1 neondb neondb_owner true)',
    ]);
    gate.release();
    await deploying;
    // Confirmed by the databases: nothing read twice.
    expect(uriReads()).toHaveLength(2);
    const written = t.amplify.branches.get('feat/x')?.environmentVariables.DATABASE_URL;
    expect(written).toBe(
      await t.neon.connectionUri({
        branchId: 'br-p',
        databaseName: 'neondb',
        roleName: 'neondb_owner',
        pooled: true,
      }),
    );
  });

  it('when the databases name another target, the early answers are dropped and the real one is read', async () => {
    const t = setup();
    addPreview(t.neon, { ready: true });
    t.neon.databases['br-p'] = [{ name: 'shop', ownerName: 'shop_owner' }];
    // Neon answers 404 for a database the branch does not have; that answer must not fail the deploy.
    const connectionUri = t.neon.connectionUri.bind(t.neon);
    t.neon.connectionUri = async (input) => {
      if (input.databaseName !== 'shop') {
        t.neon.calls.push(`neon.connectionUri(${input.branchId} ${input.databaseName} 404)`);
        throw new ApiError(
          'Reading the connection string',
          `404 database "${input.databaseName}" not found`,
          {
            service: 'neon',
            status: 404,
          },
        );
      }
      return connectionUri(input);
    };
    const result = await t.deploy('feat/x');
    const written = t.amplify.branches.get('feat/x')?.environmentVariables.DATABASE_URL ?? '';
    expect(new URL(written).pathname).toBe('/shop');
    expect(new URL(written).username).toBe('shop_owner');
    expect(result).toMatchObject({ kind: 'deploy', created: false });
    // The parent's password was compared for the real target too.
    expect(t.neon.calls).toContain('neon.connectionUri(br-main-1 shop shop_owner true)');
  });

  it('with database and role set, nothing is guessed and the databases are not read', async () => {
    const t = setup({ database: 'shop', role: 'shop_owner' });
    addPreview(t.neon, { ready: true });
    await t.deploy('feat/x');
    expect(t.methods()).not.toContain('neon.listDatabases');
    expect(t.neon.calls.filter((call) => call.startsWith('neon.connectionUri'))).toEqual([
      'neon.connectionUri(br-p shop shop_owner true)',
      'neon.connectionUri(br-main-1 shop shop_owner true)',
    ]);
  });
});

describe('an Amplify read that fails while the Neon branch is made', () => {
  // The worker Lambda runs several deploys in one process: an unhandled rejection there ends them
  // all (test/e2e/webhook-queued-worker.test.ts, "a poison message"), and in the action it ends the
  // run without the error's own message.
  it('fails the deploy with Amplify’s error and leaves no rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const listen = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listen);
    try {
      for (const newInGit of [false, true]) {
        const t = setup();
        t.amplify.failOn.getBranch = new ApiError("Reading Amplify branch 'feat/x'", '403 denied', {
          service: 'Amplify',
          status: 403,
        });
        await expect(t.deploy('feat/x', newInGit)).rejects.toThrow(/403 denied/);
        expect(t.methods()).toContain('neon.resetRolePassword');
      }
      await turnsUntil(() => unhandled.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listen);
    }
  });
});
