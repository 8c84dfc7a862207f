import { describe, expect, it } from 'vitest';
import { Deadline } from '../../src/core/deadline.js';
import { execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

/** Waiting for a running Amplify job has its own limit (job-timeout-minutes), outside timeout-minutes. */
describe('on-running-job and the run budget', () => {
  it('wait: a job that runs longer than the whole budget does not fail the run', async () => {
    const settings = testSettings({ 'on-running-job': 'wait', 'timeout-minutes': '1' });
    const neon = new MemoryNeon();
    const amplify = new MemoryAmplify();
    let clock = 0;
    const deadline = new Deadline(60_000, () => clock);
    const old = amplify.addJob('feat/x', 'RUNNING');
    const list = amplify.listActiveJobs.bind(amplify);
    amplify.listActiveJobs = async (branch) => {
      // Five minutes of fake time later, the old job is over.
      const job = amplify.jobs.get(old);
      if (clock >= 300_000 && job) job.status = 'SUCCEED';
      return list(branch);
    };
    const plan = makePlan({ command: 'deploy', gitBranch: 'feat/x' }, settings, { defaultBranch: 'main' });
    const result = await execute(plan, {
      neon,
      amplify,
      settings,
      log: { info: () => {}, warning: () => {}, debug: () => {} },
      secret: () => {},
      sleep: async (ms) => {
        clock += ms;
      },
      now: () => clock,
      deadline,
      jobPollInitialMs: 10_000,
      jobPollMaxMs: 15_000,
    });
    expect(clock).toBeGreaterThan(60_000);
    expect(result.kind === 'deploy' ? result.job?.id : undefined).toBeDefined();
    // The budget stood still while Amplify was awaited.
    expect(deadline.remainingMs()).toBe(60_000);
  });
});
