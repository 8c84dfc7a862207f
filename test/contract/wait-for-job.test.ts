/**
 * `wait-for-job` through the real Amplify port (the AWS SDK) against the Amplify stand-in, whose
 * jobs move through their statuses on a clock the test controls: the flow's sleeps advance it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAmplifyPort } from '../../src/amplify/port.js';
import { AmplifyJobError, execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import type { DeployResult } from '../../src/core/result.js';
import { parseSettings } from '../../src/core/settings.js';
import {
  AMPLIFY_TEST_CREDENTIALS,
  type AmplifyStandIn,
  type JobProgress,
  PRESIGNED_TOKEN,
  startAmplifyStandIn,
} from '../fakes/amplify-server.js';
import { MemoryNeon } from '../fakes/memory-ports.js';

const running: AmplifyStandIn[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
});

/** A stand-in whose jobs advance one status every 10 s of the shared clock, and a deploy that waits. */
async function world(progress: JobProgress | undefined, extra: Record<string, string> = {}) {
  // Starts at the real time: requests are signed with it, and the stand-in refuses a skew past 15 min.
  let clock = Date.now();
  const standIn = await startAmplifyStandIn({
    now: () => clock,
    ...(progress ? { jobProgress: progress } : {}),
  });
  running.push(standIn);
  const { appId } = standIn.addApp();
  standIn.addBranch(appId, 'feat/x');
  const inputs: Record<string, string> = {
    'neon-api-key': 'napi_x',
    'neon-project-id': 'calm-sun-123456',
    'amplify-app-id': appId,
    'aws-region': standIn.region,
    'wait-for-job': 'true',
    ...extra,
  };
  const settings = parseSettings((name) => inputs[name]);
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m), warning: (m: string) => lines.push(m), debug: () => {} };
  const amplify = createAmplifyPort({
    appId,
    region: standIn.region,
    log,
    clientConfig: { endpoint: standIn.url, credentials: AMPLIFY_TEST_CREDENTIALS, maxAttempts: 1 },
  });
  const sleeps: number[] = [];
  const deploy = () =>
    execute(makePlan({ command: 'deploy', gitBranch: 'feat/x' }, settings, { defaultBranch: 'main' }), {
      neon: new MemoryNeon(),
      amplify,
      settings,
      log,
      secret: () => {},
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      now: () => clock,
    }) as Promise<DeployResult>;
  const getJobs = () => standIn.requestsFor('GetJob').length;
  return { standIn, appId, lines, sleeps, deploy, getJobs };
}

describe('wait-for-job against the Amplify stand-in', () => {
  it('follows a build that succeeds: PENDING, RUNNING, SUCCEED, each step logged as it changes', async () => {
    const w = await world({ afterMs: 10_000 });
    const result = await w.deploy();

    expect(result.job?.status).toBe('SUCCEED');
    expect(w.lines.filter((line) => line.startsWith('Amplify job 1 on'))).toEqual([
      "Amplify job 1 on 'feat/x': job RUNNING, step BUILD RUNNING",
      "Amplify job 1 on 'feat/x': job SUCCEED, step BUILD SUCCEED, step DEPLOY SUCCEED, step VERIFY SUCCEED",
      "Amplify job 1 on 'feat/x' succeeded",
    ]);
    // First look after 3 s, then backing off: 3 + 4.5 + 6.75 + 10.125 = 24.4 s, past the 20 s build.
    expect(w.sleeps).toEqual([3000, 4500, 6750, 10125]);
    expect(w.getJobs()).toBe(4);
  });

  it('fails the run on a build that fails, naming the failed step; the presigned log URL is never printed', async () => {
    const w = await world({ afterMs: 10_000, finalStatus: 'FAILED', failedStep: 'DEPLOY' });
    const error = await w.deploy().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AmplifyJobError);
    expect((error as Error).message).toBe(
      `Amplify job 1 on 'feat/x' ended FAILED at step DEPLOY (DEPLOY failed: command exited with code 1). Its log: https://us-east-1.console.aws.amazon.com/amplify/apps/${w.appId}/branches/feat%2Fx/deployments (job 1)`,
    );
    expect((error as AmplifyJobError).result.job?.status).toBe('FAILED');
    expect(w.lines.join('\n')).not.toContain(PRESIGNED_TOKEN);
    expect(w.standIn.job(w.appId, 'feat/x', '1')?.status).toBe('FAILED');
  });

  it('stops waiting past job-timeout-minutes with a clear timeout; the build goes on', async () => {
    const w = await world(undefined, { 'job-timeout-minutes': '0.5' });
    const error = await w.deploy().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AmplifyJobError);
    expect((error as AmplifyJobError).timedOut).toBe(true);
    expect((error as Error).message).toMatch(
      /^Amplify job 1 on 'feat\/x' did not end within 30 s \(job-timeout-minutes\); last seen PENDING\. The build goes on in Amplify/,
    );
    expect(w.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(30_000);
    // Nothing stopped the job: it is Amplify's to finish.
    expect(w.standIn.requestsFor('StopJob')).toHaveLength(0);
    expect(w.standIn.job(w.appId, 'feat/x', '1')?.status).toBe('PENDING');
  });
});
