import { describe, expect, it } from 'vitest';
import { Deadline } from '../../src/core/deadline.js';
import { ApiError } from '../../src/core/errors.js';
import { AmplifyJobError, type ExecuteOptions, execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import type { AmplifyJob, JobStatus } from '../../src/core/ports.js';
import { type DeployResult, toOutputs } from '../../src/core/result.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

/**
 * What follows the deploy proper: the job-started hook, `wait-for-job` (on a fake clock, with
 * GetJob answering a script of statuses), and the schema diff against the parent.
 */
function setup(extra: Record<string, string> = {}) {
  const settings = testSettings(extra);
  const neon = new MemoryNeon();
  const amplify = new MemoryAmplify();
  const lines: string[] = [];
  const sleeps: number[] = [];
  const events: string[] = [];
  let clock = 0;
  /** GetJob answers these in turn, the last one for ever after. */
  const script: AmplifyJob[] = [];
  amplify.getJob = async (_branch: string, jobId: string) => {
    amplify.calls.push(`amplify.getJob(${jobId})`);
    events.push(`getJob at ${clock}`);
    const next = script.length > 1 ? script.shift() : script[0];
    return { ...(next ?? { id: jobId, status: 'RUNNING' as JobStatus }), id: jobId };
  };
  const options: ExecuteOptions = {
    neon,
    amplify,
    settings,
    log: { info: (m) => lines.push(m), warning: (m) => lines.push(`warning: ${m}`), debug: () => {} },
    secret: () => {},
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    onJobStarted: async (progress) => {
      events.push(`started ${progress.job?.id} ${progress.job?.status}`);
    },
  };
  const deploy = async (gitBranch = 'feat/x') =>
    (await execute(
      makePlan({ command: 'deploy', gitBranch }, settings, { defaultBranch: 'main' }),
      options,
    )) as DeployResult;
  const step = (name: string, status: JobStatus, statusReason?: string) => ({ name, status, statusReason });
  return { neon, amplify, lines, sleeps, events, script, options, deploy, step, clock: () => clock };
}

describe('wait-for-job', () => {
  it('polls after a few seconds, then backs off to 15 s, logs each change and ends SUCCEED', async () => {
    const t = setup({ 'wait-for-job': 'true' });
    const running = { id: '', status: 'RUNNING' as const, steps: [t.step('BUILD', 'RUNNING')] };
    t.script.push(
      { id: '', status: 'PENDING' },
      running,
      running,
      running,
      running,
      { id: '', status: 'RUNNING', steps: [t.step('BUILD', 'SUCCEED'), t.step('DEPLOY', 'RUNNING')] },
      { id: '', status: 'SUCCEED', steps: ['BUILD', 'DEPLOY', 'VERIFY'].map((n) => t.step(n, 'SUCCEED')) },
    );
    const result = await t.deploy();

    expect(t.sleeps).toEqual([3000, 4500, 6750, 10125, 15000, 15000, 15000]);
    expect(result.job?.status).toBe('SUCCEED');
    expect(toOutputs(result)['amplify-job-status']).toBe('SUCCEED');
    const changes = t.lines.filter((line) => line.startsWith('Amplify job 1 on'));
    expect(changes).toEqual([
      "Amplify job 1 on 'feat/x': job RUNNING, step BUILD RUNNING",
      "Amplify job 1 on 'feat/x': step BUILD SUCCEED, step DEPLOY RUNNING",
      "Amplify job 1 on 'feat/x': job SUCCEED, step DEPLOY SUCCEED, step VERIFY SUCCEED",
      "Amplify job 1 on 'feat/x' succeeded",
    ]);
    // The hook hears of the job before the first look at it.
    expect(t.events[0]).toBe('started 1 PENDING');
    expect(t.events[1]).toBe('getJob at 3000');
  });

  it('a failed build fails the run naming the step and linking its log, after the schema was compared', async () => {
    const t = setup({ 'wait-for-job': 'true' });
    t.script.push({
      id: '',
      status: 'FAILED',
      steps: [t.step('BUILD', 'FAILED', 'Command failed with exit code 1')],
    });
    const error = await t.deploy().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AmplifyJobError);
    const failure = error as AmplifyJobError;
    expect(failure.message).toBe(
      "Amplify job 1 on 'feat/x' ended FAILED at step BUILD (Command failed with exit code 1). Its log: https://us-east-1.console.aws.amazon.com/amplify/apps/d1a2b3c4d5e6f7/branches/feat%2Fx/deployments (job 1)",
    );
    expect(failure.timedOut).toBe(false);
    // The outcome is recorded before the run fails: the job's end status, the schema, the outputs.
    expect(failure.result.job?.status).toBe('FAILED');
    expect(failure.result.schemaDiff).toBe('');
    expect(toOutputs(failure.result)['neon-branch-name']).toBe('preview/feat/x');
  });

  it('past job-timeout-minutes, a clear timeout with the last status seen; the run budget stood still', async () => {
    const t = setup({ 'wait-for-job': 'true', 'job-timeout-minutes': '0.5' });
    t.script.push({ id: '', status: 'RUNNING', steps: [t.step('BUILD', 'RUNNING')] });
    const deadline = new Deadline(10_000, t.clock);
    t.options.deadline = deadline;
    const error = (await t.deploy().catch((caught: unknown) => caught)) as AmplifyJobError;

    expect(error).toBeInstanceOf(AmplifyJobError);
    expect(error.timedOut).toBe(true);
    expect(error.message).toMatch(
      /^Amplify job 1 on 'feat\/x' did not end within 30 s \(job-timeout-minutes\); last seen RUNNING \(step BUILD RUNNING\)\. The build goes on in Amplify\. Its log: https:/,
    );
    expect(t.sleeps.reduce((sum, ms) => sum + ms, 0)).toBe(30_000);
    // 30 s of waiting, and the 10 s budget for everything else is untouched.
    expect(deadline.remainingMs()).toBe(10_000);
  });

  it('a cancelled build fails the run too', async () => {
    const t = setup({ 'wait-for-job': 'true' });
    t.script.push({ id: '', status: 'CANCELLED', steps: [t.step('BUILD', 'CANCELLED')] });
    await expect(t.deploy()).rejects.toThrow(/ended CANCELLED at step BUILD/);
  });

  it('without wait-for-job the job is announced and never read again', async () => {
    const t = setup();
    const result = await t.deploy();
    expect(result.job?.status).toBe('PENDING');
    expect(t.events).toEqual(['started 1 PENDING']);
    expect(t.amplify.calls.some((call) => call.startsWith('amplify.getJob'))).toBe(false);
  });

  it('a hook that throws is a warning, and the deploy goes on', async () => {
    const t = setup();
    t.options.onJobStarted = async () => {
      throw new Error('GitHub is down');
    };
    const result = await t.deploy();
    expect(result.job?.id).toBe('1');
    expect(t.lines).toContain('warning: Reporting the started Amplify job failed: GitHub is down');
  });

  it('with no job started (start-job: false) there is nothing to announce or wait for', async () => {
    const t = setup({ 'wait-for-job': 'true', 'start-job': 'false' });
    const result = await t.deploy();
    expect(result.job).toBeUndefined();
    expect(t.events).toEqual([]);
    expect(t.lines).toContain('wait-for-job: this run started no Amplify job, so there is none to wait for');
  });
});

describe('schema diff', () => {
  it("compares the preview with its parent on the connection string's database, masking credentials", async () => {
    const t = setup();
    t.neon.schemaDiffs['br-new-1'] =
      "+CREATE TABLE shows (id int);\n+CREATE USER MAPPING FOR app SERVER remote OPTIONS (user 'a', password 's3cret');\n";
    const result = await t.deploy();
    expect(t.neon.calls).toContain('neon.compareSchema(br-new-1 br-main-1 neondb)');
    expect(result.schemaDiff).toBe(
      "+CREATE TABLE shows (id int);\n+CREATE USER MAPPING FOR app SERVER remote OPTIONS (user 'a', password '***');\n",
    );
    expect(result.parent).toEqual({ id: 'br-main-1', name: 'main' });
    expect(toOutputs(result)['schema-diff']).toBe(result.schemaDiff);
    // After the job started: the latest point this run knows the schema. The deploy made the
    // preview from the default branch without reading it, so the parent's name is read alongside.
    expect(t.neon.calls.slice(-2)).toEqual([
      'neon.compareSchema(br-new-1 br-main-1 neondb)',
      'neon.resolveBranch(br-main-1)',
    ]);
    expect(t.neon.calls.filter((call) => call.startsWith('neon.getDefaultBranch'))).toEqual([]);
  });

  it('is a warning when Neon cannot compare, and the deploy stands', async () => {
    const t = setup();
    t.neon.failOn.compareSchema = new ApiError('Comparing the schema', '501 not implemented', {
      service: 'Neon',
      status: 501,
    });
    const result = await t.deploy();
    expect(result.schemaDiff).toBeUndefined();
    expect(toOutputs(result)['schema-diff']).toBe('');
    expect(
      t.lines.some((line) => line.startsWith('warning: Schema diff skipped: Comparing the schema')),
    ).toBe(true);
  });

  it('is not made for a primary branch, nor with schema-diff: false, nor on a dry run', async () => {
    for (const [extra, branch] of [
      [{}, 'main'],
      [{ 'schema-diff': 'false' }, 'feat/x'],
      [{ 'dry-run': 'true' }, 'feat/x'],
    ] as const) {
      const t = setup(extra);
      await t.deploy(branch);
      expect(t.neon.calls.some((call) => call.startsWith('neon.compareSchema'))).toBe(false);
    }
  });
});
