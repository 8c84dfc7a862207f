import { describe, expect, it } from 'vitest';
import { execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

/** The calls a deploy makes, where each one saved is a round trip off the time to a running build. */
function setup() {
  const settings = testSettings();
  const neon = new MemoryNeon();
  const amplify = new MemoryAmplify();
  const deploy = (gitBranch: string) =>
    execute(makePlan({ command: 'deploy', gitBranch }, settings, { defaultBranch: 'main' }), {
      neon,
      amplify,
      settings,
      log: { info: () => {}, warning: () => {}, debug: () => {} },
      secret: () => {},
      sleep: async () => {},
    });
  const methods = () => neon.calls.map((call) => call.slice(0, call.indexOf('(')));
  return { neon, amplify, deploy, methods };
}

describe('deploy round trips', () => {
  it('a re-push of a settled branch does not ask for its operations', async () => {
    const t = setup();
    t.neon.branches.push({
      id: 'br-p',
      name: 'preview/feat/x',
      default: false,
      protected: false,
      parentId: 'br-main-1',
      ready: true,
    });
    await t.deploy('feat/x');
    expect(t.methods()).not.toContain('neon.pendingOperationIds');
  });

  it('a branch still initialising is waited for', async () => {
    const t = setup();
    t.neon.branches.push({
      id: 'br-p',
      name: 'preview/feat/x',
      default: false,
      protected: false,
      parentId: 'br-main-1',
      ready: false,
    });
    await t.deploy('feat/x');
    expect(t.methods()).toContain('neon.pendingOperationIds');
  });

  it("a new branch's databases come from the create answer, not a second request", async () => {
    const t = setup();
    t.neon.createAnswersDatabases = [{ name: 'neondb', ownerName: 'neondb_owner' }];
    await t.deploy('feat/new');
    expect(t.methods()).not.toContain('neon.listDatabases');
  });

  it('the parent is looked up alongside the branch, before the create', async () => {
    const t = setup();
    await t.deploy('feat/new');
    const methods = t.methods();
    expect(methods.slice(0, 2).sort()).toEqual(['neon.findBranchByName', 'neon.getDefaultBranch']);
    expect(methods.indexOf('neon.createBranch')).toBe(2);
  });
});
