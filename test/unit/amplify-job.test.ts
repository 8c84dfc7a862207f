/**
 * StartJob's LimitExceededException means either that this branch has a job or that the account's
 * concurrent-build quota is full; StopJob on a job that just ended and a CANCELLING job have no
 * published answer, so every plausible one is accepted. Time is a fake clock moved by `sleep`.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import { type ExecuteOptions, execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import { toOutputs } from '../../src/core/result.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

function setup(inputs: Record<string, string> = {}) {
  const amplify = new MemoryAmplify();
  const lines: string[] = [];
  const clock = { ms: 0 };
  /** Called after each sleep with the fake time: the test frees slots or ends jobs here. */
  let onTime: (ms: number) => void = () => {};
  const settings = testSettings(inputs);
  const options: ExecuteOptions = {
    neon: new MemoryNeon(),
    amplify,
    settings,
    log: { info: (m) => lines.push(m), warning: (m) => lines.push(`warning: ${m}`), debug: () => {} },
    secret: () => {},
    sleep: async (ms) => {
      clock.ms += ms;
      onTime(clock.ms);
    },
    now: () => clock.ms,
    jobPollInitialMs: 1_000,
    jobPollMaxMs: 5_000,
  };
  const deploy = async (gitBranch = 'feat/x') =>
    toOutputs(
      await execute(makePlan({ command: 'deploy', gitBranch }, settings, { defaultBranch: 'main' }), options),
    );
  return {
    amplify,
    lines,
    clock,
    deploy,
    at: (fn: (ms: number) => void) => {
      onTime = fn;
    },
    stops: () => amplify.calls.filter((c) => c.startsWith('amplify.stopJob')),
    quotaLines: () => lines.filter((l) => l.includes("account's concurrent-build quota")),
  };
}

/** Other branches' builds fill the account's quota of `quota` jobs; returns a way to end one. */
function fillQuota(t: ReturnType<typeof setup>, quota: number): () => void {
  t.amplify.buildQuota = quota;
  const ids = Array.from({ length: quota }, (_, index) => t.amplify.addJob(`other-${index}`, 'RUNNING'));
  return () => {
    const job = t.amplify.jobs.get(ids[0] ?? '');
    if (job) job.status = 'SUCCEED';
  };
}

describe("the account's concurrent-build quota", () => {
  for (const mode of ['skip', 'replace', 'wait'] as const) {
    it(`${mode}: a branch with no job waits for a free slot, says why, and stops nothing`, async () => {
      const t = setup({ 'on-running-job': mode });
      const free = fillQuota(t, 5);
      t.at((ms) => ms >= 60_000 && free());

      const outputs = await t.deploy();

      expect(outputs['amplify-job-id']).not.toBe('');
      expect(t.amplify.jobs.get(outputs['amplify-job-id'] ?? '')?.branch).toBe('feat/x');
      expect(t.stops()).toEqual([]);
      expect(t.quotaLines()).toHaveLength(1);
      expect(t.lines.some((l) => l.includes('on-running-job: skip'))).toBe(false);
      expect(t.clock.ms).toBeGreaterThanOrEqual(60_000);
    });
  }

  it('replace: stops only the branch own job; the quota still full after that is waited for', async () => {
    const t = setup();
    const free = fillQuota(t, 2);
    const own = t.amplify.addJob('feat/x', 'RUNNING');
    t.at((ms) => ms >= 30_000 && free());

    const outputs = await t.deploy();

    expect(t.stops()).toEqual([`amplify.stopJob(feat/x ${own})`]);
    expect(t.quotaLines()).toHaveLength(1);
    expect(outputs['amplify-job-id']).not.toBe(own);
    expect(t.amplify.jobs.get(outputs['amplify-job-id'] ?? '')?.branch).toBe('feat/x');
  });

  it('gives up after job-timeout-minutes, naming the quota, with no job started or stopped', async () => {
    const t = setup({ 'on-running-job': 'skip', 'job-timeout-minutes': '2' });
    fillQuota(t, 5);

    await expect(t.deploy()).rejects.toThrow(/concurrent-build quota.*within 2 minutes.*job-timeout-minutes/);
    expect(t.stops()).toEqual([]);
    expect([...t.amplify.jobs.values()].filter((j) => j.branch === 'feat/x')).toEqual([]);
  });

  it("skip: the branch's own running job is still skipped, as before", async () => {
    const t = setup({ 'on-running-job': 'skip' });
    t.amplify.addJob('feat/x', 'PENDING');

    const outputs = await t.deploy();

    expect(outputs['amplify-job-id']).toBe('');
    expect(t.lines.some((l) => l.startsWith('warning:') && l.includes('on-running-job: skip'))).toBe(true);
    expect(t.quotaLines()).toEqual([]);
  });
});

describe('answers nobody has published: each plausible one works', () => {
  const ended = (status: number, code: string) =>
    new ApiError('Stopping Amplify job', `${status} ${code}`, { service: 'Amplify', status, code });

  for (const [status, code] of [
    [400, 'BadRequestException'],
    [404, 'NotFoundException'],
  ] as const) {
    it(`StopJob on a job that just ended answering ${status} ${code}: the job is taken as ended`, async () => {
      const t = setup();
      const old = t.amplify.addJob('feat/x', 'RUNNING');
      t.amplify.stopJob = async (_branch, jobId) => {
        const job = t.amplify.jobs.get(jobId);
        if (job) job.status = 'SUCCEED';
        throw ended(status, code);
      };

      const outputs = await t.deploy();

      expect(outputs['amplify-job-id']).not.toBe(old);
      expect(outputs['amplify-job-id']).not.toBe('');
    });
  }

  it('StopJob on a job that just ended answering success: a new job starts', async () => {
    const t = setup();
    const old = t.amplify.addJob('feat/x', 'RUNNING');
    t.amplify.stopJob = async (_branch, jobId) => {
      const job = t.amplify.jobs.get(jobId);
      if (job) job.status = 'SUCCEED';
    };

    const outputs = await t.deploy();

    expect(outputs['amplify-job-id']).not.toBe(old);
    expect(outputs['amplify-job-id']).not.toBe('');
  });

  it('a CANCELLING job that keeps StartJob away is waited for, and not called the quota', async () => {
    const t = setup();
    t.amplify.stopTo = 'CANCELLING';
    const old = t.amplify.addJob('feat/x', 'RUNNING');
    t.at((ms) => {
      const job = t.amplify.jobs.get(old);
      if (ms >= 10_000 && job) job.status = 'CANCELLED';
    });

    const outputs = await t.deploy();

    expect(outputs['amplify-job-id']).not.toBe(old);
    expect(t.quotaLines()).toEqual([]);
    expect(t.lines.some((l) => l.includes(`job ${old}`) && l.includes('CANCELLING'))).toBe(true);
    expect(t.clock.ms).toBeGreaterThanOrEqual(10_000);
  });

  it('a CANCELLING job that does not keep StartJob away: the new job starts at once', async () => {
    const t = setup();
    t.amplify.stopTo = 'CANCELLING';
    t.amplify.cancellingBlocks = false;
    const old = t.amplify.addJob('feat/x', 'RUNNING');

    const outputs = await t.deploy();

    expect(outputs['amplify-job-id']).not.toBe(old);
    expect(t.clock.ms).toBe(0);
  });

  it('a CANCELLING job that never ends gives up after job-timeout-minutes', async () => {
    const t = setup({ 'job-timeout-minutes': '1' });
    t.amplify.stopTo = 'CANCELLING';
    t.amplify.addJob('feat/x', 'RUNNING');

    await expect(t.deploy()).rejects.toThrow(/within 1 minute/);
  });
});
