/**
 * Starting a job through the real port against the stand-in, in each variant of what Amplify may
 * answer where nothing is published (StopJob on a job that just ended, a CANCELLING job in the way)
 * and with the account's concurrent-build quota full. The stand-in and the flow share a fake clock
 * moved by the flow's sleeps (kept within SigV4's 15 minutes of skew).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAmplifyPort } from '../../src/amplify/port.js';
import type { ExecuteOptions } from '../../src/core/executor.js';
import { startJob } from '../../src/core/flows/amplify-job.js';
import type { AmplifyPort } from '../../src/core/ports.js';
import {
  type AmplifyStandIn,
  type AmplifyStandInOptions,
  startAmplifyStandIn,
} from '../fakes/amplify-server.js';
import { MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

const running: AmplifyStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

async function world(standInOptions: AmplifyStandInOptions, inputs: Record<string, string> = {}) {
  const clock = { ms: Date.now() };
  let onTime: () => void = () => {};
  const standIn = await startAmplifyStandIn({ ...standInOptions, now: () => clock.ms });
  running.push(standIn);
  const { appId } = standIn.addApp();
  standIn.addBranch(appId, 'feat/x');
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m), warning: (m: string) => lines.push(m), debug: () => {} };
  const port = createAmplifyPort({
    appId,
    region: standIn.region,
    log,
    clientConfig: { endpoint: standIn.url, credentials: { ...standIn.credentials }, maxAttempts: 1 },
  });
  const options: ExecuteOptions = {
    neon: new MemoryNeon(),
    settings: testSettings(inputs),
    log,
    secret: () => {},
    sleep: async (ms) => {
      clock.ms += ms;
      onTime();
    },
    now: () => clock.ms,
    jobPollInitialMs: 1_000,
    jobPollMaxMs: 5_000,
  };
  return {
    standIn,
    appId,
    port,
    lines,
    start: (amplify: AmplifyPort = port) => startJob(amplify, 'feat/x', options),
    at: (fn: () => void) => {
      onTime = fn;
    },
    jobsOf: () => standIn.branch(appId, 'feat/x')?.jobs ?? [],
  };
}

describe('StopJob on a job that ended just before it', () => {
  for (const stopEndedJob of ['BadRequest', 'NotFound', 'success'] as const) {
    it(`answering ${stopEndedJob}: the job is taken as ended and a new one starts`, async () => {
      const w = await world({ stopEndedJob });
      const old = w.standIn.addJob(w.appId, 'feat/x', { status: 'RUNNING' });
      // The build ends between the lookup and StopJob.
      const list = w.port.listActiveJobs.bind(w.port);
      w.port.listActiveJobs = async (branch) => {
        const jobs = await list(branch);
        w.standIn.setJobStatus(w.appId, 'feat/x', old.jobId, 'SUCCEED');
        return jobs;
      };

      const job = await w.start();

      expect(w.standIn.requestsFor('StopJob')).toHaveLength(1);
      expect(job?.id).not.toBe(old.jobId);
      expect(w.jobsOf().map((j) => j.status)).toEqual(['SUCCEED', 'PENDING']);
    });
  }
});

describe('a stopped job is CANCELLING', () => {
  it('when it keeps StartJob away, the start waits for it and the log says so', async () => {
    const w = await world({ cancellingBlocksStart: true, cancelAfterMs: 20_000 });
    const old = w.standIn.addJob(w.appId, 'feat/x', { status: 'RUNNING' });

    const job = await w.start();

    expect(job?.id).not.toBe(old.jobId);
    expect(w.jobsOf().map((j) => j.status)).toEqual(['CANCELLED', 'PENDING']);
    expect(w.lines.some((l) => l.includes(`job ${old.jobId}`) && l.includes('CANCELLING'))).toBe(true);
    expect(w.lines.some((l) => l.includes('concurrent-build quota'))).toBe(false);
  });

  it('when it does not, the new job starts right after the stop', async () => {
    const w = await world({ cancellingBlocksStart: false, cancelAfterMs: 20_000 });
    const old = w.standIn.addJob(w.appId, 'feat/x', { status: 'RUNNING' });

    const job = await w.start();

    expect(job?.id).not.toBe(old.jobId);
    expect(w.jobsOf().map((j) => j.status)).toEqual(['CANCELLING', 'PENDING']);
    expect(w.standIn.requestsFor('StartJob')).toHaveLength(2);
  });
});

describe("the account's concurrent-build quota", () => {
  it('is counted across apps; with skip the branch waits for a slot and nothing is stopped', async () => {
    const w = await world({ concurrentJobsQuota: 2 }, { 'on-running-job': 'skip' });
    const other = w.standIn.addApp();
    w.standIn.addBranch(other.appId, 'main');
    const first = w.standIn.addJob(other.appId, 'main', { status: 'RUNNING' });
    w.standIn.addBranch(w.appId, 'other');
    w.standIn.addJob(w.appId, 'other', { status: 'PROVISIONING' });
    let sleeps = 0;
    w.at(() => {
      if (++sleeps === 3) w.standIn.setJobStatus(other.appId, 'main', first.jobId, 'SUCCEED');
    });

    const job = await w.start();

    expect(job?.status).toBe('PENDING');
    expect(w.jobsOf()).toHaveLength(1);
    const refused = w.standIn.requestsFor('StartJob').filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(refused.every((r) => r.errorType === 'LimitExceededException')).toBe(true);
    expect(w.standIn.requestsFor('StopJob')).toEqual([]);
    expect(w.lines.filter((l) => l.includes("account's concurrent-build quota"))).toHaveLength(1);
  });
});
