import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import { type ExecuteOptions, execute, ReconcileError } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import { type Result, toOutputs } from '../../src/core/result.js';
import { parseSettings, type Settings } from '../../src/core/settings.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';

function settings(extra: Record<string, string> = {}): Settings {
  const inputs: Record<string, string> = {
    'neon-api-key': 'napi_x',
    'neon-project-id': 'calm-sun-123456',
    'amplify-app-id': 'd1a2b3c4d5e6f7',
    'aws-region': 'us-east-1',
    ...extra,
  };
  return parseSettings((name) => inputs[name]);
}

/** The result with its string outputs and, for reconcile, its report, as the assertions read them. */
function viewOf(result: Result) {
  return {
    result,
    outputs: toOutputs(result),
    reconcile: result.kind === 'reconcile' ? result.report : undefined,
  };
}

function setup(extra: Record<string, string> = {}) {
  const neon = new MemoryNeon();
  const amplify = new MemoryAmplify();
  const secrets: string[] = [];
  const lines: string[] = [];
  const sleeps: number[] = [];
  let clock = 0;
  const s = settings(extra);
  const options: ExecuteOptions = {
    neon,
    amplify,
    settings: s,
    log: { info: (m) => lines.push(m), warning: (m) => lines.push(`warning: ${m}`), debug: () => {} },
    secret: (v) => secrets.push(v),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    jobPollInitialMs: 10,
    jobPollMaxMs: 40,
  };
  const run = async (command: 'deploy' | 'cleanup', gitBranch: string) =>
    viewOf(await execute(makePlan({ command, gitBranch }, s, { defaultBranch: 'main' }), options));
  const reconcile = async () =>
    viewOf(await execute(makePlan({ command: 'reconcile' }, s, { defaultBranch: 'main' }), options));
  return { neon, amplify, secrets, lines, sleeps, options, run, reconcile };
}

describe('deploy', () => {
  it('creates the branch, writes DATABASE_URL keeping every other variable, then starts the job', async () => {
    const t = setup();
    t.amplify.branches.set('feat/x', {
      name: 'feat/x',
      displayName: 'feat-x',
      environmentVariables: { API_URL: 'https://api', DATABASE_URL: 'postgresql://old' },
    });
    const { outputs } = await t.run('deploy', 'feat/x');

    const created = t.neon.branches.find((b) => b.name === 'preview/feat/x');
    expect(created?.parentId).toBe('br-main-1');
    const variables = t.amplify.branches.get('feat/x')?.environmentVariables;
    expect(variables?.API_URL).toBe('https://api');
    expect(variables?.DATABASE_URL).toMatch(
      /^postgresql:\/\/neondb_owner:pw%2Fbr-new-1@ep-br-new-1-pooler\./,
    );
    expect(outputs).toMatchObject({
      'neon-branch-name': 'preview/feat/x',
      'neon-branch-id': created?.id,
      created: 'true',
      'database-host': 'ep-br-new-1-pooler.us-east-2.aws.neon.tech',
      'amplify-branch': 'feat/x',
      'preview-url': 'https://feat-x.d1a2b3c4d5e6f7.amplifyapp.com',
      deleted: 'false',
    });
    expect(outputs['amplify-job-id']).not.toBe('');
    // The job starts only after the write.
    const write = t.amplify.calls.findIndex((c) => c.startsWith('amplify.setEnvironmentVariables'));
    const start = t.amplify.calls.findIndex((c) => c.startsWith('amplify.startJob'));
    expect(write).toBeGreaterThanOrEqual(0);
    expect(start).toBeGreaterThan(write);
    // The create's operations go with the password reset, which the port sends when they end and
    // waits for with its own (src/neon/waits.ts): no wait of their own before it.
    expect(t.neon.calls).toContain('neon.resetRolePassword(br-new-1 neondb_owner after op-create-br-new-1)');
    expect(t.neon.calls).not.toContain('neon.waitForOperations(op-create-br-new-1)');
  });

  it('without a password reset, waits for the create before the URL is used', async () => {
    const t = setup({ 'reset-role-password': 'false' });
    t.amplify.calls = t.neon.calls; // one list: Neon's and Amplify's calls in the order they came
    await t.run('deploy', 'feat/x');
    const waited = t.neon.calls.indexOf('neon.waitForOperations(op-create-br-new-1)');
    // The Amplify branch does not exist yet: CreateBranch is the write.
    const written = t.neon.calls.findIndex((c) => c.startsWith('amplify.createBranch'));
    expect(waited).toBeGreaterThanOrEqual(0);
    expect(written).toBeGreaterThan(waited);
    expect(t.neon.calls.some((c) => c.startsWith('neon.resetRolePassword'))).toBe(false);
  });

  it('masks the URL and the password (raw and decoded) before returning them', async () => {
    const t = setup();
    const { outputs } = await t.run('deploy', 'feat/x');
    expect(t.secrets).toContain(outputs['database-url']);
    expect(t.secrets).toContain('pw%2Fbr-new-1');
    expect(t.secrets).toContain('pw/br-new-1');
    expect(t.lines.join('\n')).not.toContain('pw');
  });

  it('reuses an existing branch and writes nothing when the value is already right', async () => {
    const t = setup();
    await t.run('deploy', 'feat/x');
    const writes = () => t.amplify.calls.filter((c) => /setEnvironmentVariables|createBranch/.test(c)).length;
    const before = writes();
    const { outputs } = await t.run('deploy', 'feat/x');
    expect(outputs.created).toBe('false');
    expect(writes()).toBe(before);
    expect(t.neon.calls.filter((c) => c.startsWith('neon.createBranch'))).toHaveLength(1);
  });

  it('creates a missing Amplify branch with the variable', async () => {
    const t = setup();
    await t.run('deploy', 'feat/new');
    expect(t.amplify.calls).toContain('amplify.createBranch(feat/new)');
    expect(Object.keys(t.amplify.branches.get('feat/new')?.environmentVariables ?? {})).toEqual([
      'DATABASE_URL',
    ]);
  });

  it('with create-amplify-branch false, a missing Amplify branch fails before any Neon write', async () => {
    const t = setup({ 'create-amplify-branch': 'false' });
    await expect(t.run('deploy', 'feat/new')).rejects.toThrow(
      /Amplify branch 'feat\/new' does not exist.*create-amplify-branch/,
    );
    expect(t.neon.calls.some((c) => c.startsWith('neon.createBranch'))).toBe(false);
  });

  it('after a 409 race, reuses the winner and waits for its operations', async () => {
    const t = setup();
    t.neon.raceWinner = { id: 'br-winner', name: 'preview/feat/x', default: false, protected: false };
    const { outputs } = await t.run('deploy', 'feat/x');
    expect(outputs).toMatchObject({ 'neon-branch-id': 'br-winner', created: 'false' });
    const pending = t.neon.calls.indexOf('neon.waitForOperations(op-winner)');
    const uri = t.neon.calls.findIndex((c) => c.startsWith('neon.connectionUri'));
    expect(pending).toBeGreaterThanOrEqual(0);
    expect(uri).toBeGreaterThan(pending);
  });

  it('a Neon failure leaves Amplify untouched', async () => {
    const t = setup();
    t.neon.failOn.connectionUri = new Error('boom');
    await expect(t.run('deploy', 'feat/x')).rejects.toThrow('boom');
    expect(t.amplify.calls.every((c) => /getBranch|getApp/.test(c))).toBe(true);
  });

  it('a failed variable write starts no job', async () => {
    const t = setup();
    t.amplify.branches.set('feat/x', { name: 'feat/x', displayName: 'feat-x', environmentVariables: {} });
    t.amplify.failOn.setEnvironmentVariables = new Error('denied');
    await expect(t.run('deploy', 'feat/x')).rejects.toThrow('denied');
    expect(t.amplify.calls.some((c) => c.startsWith('amplify.startJob'))).toBe(false);
  });

  it('a primary branch gets the parent connection string and no branch of its own', async () => {
    const t = setup();
    const { outputs } = await t.run('deploy', 'main');
    expect(outputs).toMatchObject({
      'neon-branch-name': 'main',
      'neon-branch-id': 'br-main-1',
      created: 'false',
    });
    expect(t.neon.calls.some((c) => c.startsWith('neon.createBranch'))).toBe(false);
  });

  it('resolves parent-branch by name; a missing one is a clear error', async () => {
    const t = setup({ 'parent-branch': 'staging' });
    t.neon.branches.push({ id: 'br-staging', name: 'staging', default: false, protected: false });
    await t.run('deploy', 'feat/x');
    expect(t.neon.branches.find((b) => b.name === 'preview/feat/x')?.parentId).toBe('br-staging');
    const u = setup({ 'parent-branch': 'nope' });
    await expect(u.run('deploy', 'feat/x')).rejects.toThrow("Invalid parent-branch 'nope'");
  });

  it('more than one database and none named is an error that lists them', async () => {
    const t = setup();
    t.neon.databases['br-new-1'] = [
      { name: 'app', ownerName: 'app_owner' },
      { name: 'analytics', ownerName: 'an_owner' },
    ];
    await expect(t.run('deploy', 'feat/x')).rejects.toThrow(
      /2 databases \(app, analytics\): set the database input/,
    );
    const u = setup({ database: 'analytics' });
    u.neon.databases['br-new-1'] = t.neon.databases['br-new-1'] ?? [];
    const { outputs } = await u.run('deploy', 'feat/x');
    expect(outputs['database-url']).toMatch(/^postgresql:\/\/an_owner:.*\/analytics\?/);
  });

  it('direct connection when pooled is false', async () => {
    const t = setup({ pooled: 'false' });
    const { outputs } = await t.run('deploy', 'feat/x');
    expect(outputs['database-host']).toBe('ep-br-new-1.us-east-2.aws.neon.tech');
  });

  it('dry run sends reads only', async () => {
    const t = setup({ 'dry-run': 'true' });
    const { outputs } = await t.run('deploy', 'feat/x');
    expect(outputs).toMatchObject({
      'neon-branch-name': 'preview/feat/x',
      'neon-branch-id': '',
      created: 'false',
    });
    const mutating = /createBranch|deleteBranch|setEnvironmentVariables|startJob|stopJob/;
    expect([...t.neon.calls, ...t.amplify.calls].filter((c) => mutating.test(c))).toEqual([]);
  });
});

describe('running jobs', () => {
  it('replace: stops the running job, then starts one', async () => {
    const t = setup();
    t.amplify.branches.set('feat/x', { name: 'feat/x', displayName: 'feat-x', environmentVariables: {} });
    const old = t.amplify.addJob('feat/x', 'RUNNING');
    const { outputs } = await t.run('deploy', 'feat/x');
    expect(t.amplify.calls).toContain(`amplify.stopJob(feat/x ${old})`);
    expect(outputs['amplify-job-id']).not.toBe(old);
    expect(t.amplify.jobs.get(outputs['amplify-job-id'])?.status).toBe('PENDING');
  });

  it('wait: polls until the running job ends, then starts one', async () => {
    const t = setup({ 'on-running-job': 'wait' });
    const old = t.amplify.addJob('feat/x', 'RUNNING');
    let polls = 0;
    const list = t.amplify.listActiveJobs.bind(t.amplify);
    t.amplify.listActiveJobs = async (branch) => {
      if (++polls === 3) {
        const job = t.amplify.jobs.get(old);
        if (job) job.status = 'SUCCEED';
      }
      return list(branch);
    };
    const { outputs } = await t.run('deploy', 'feat/x');
    expect(polls).toBe(3);
    expect(t.amplify.calls.some((c) => c.startsWith('amplify.stopJob'))).toBe(false);
    expect(outputs['amplify-job-id']).not.toBe(old);
    expect(t.sleeps.length).toBeGreaterThanOrEqual(2);
  });

  it('wait: gives up after job-timeout-minutes with a clear error', async () => {
    const t = setup({ 'on-running-job': 'wait', 'job-timeout-minutes': '1' });
    t.amplify.addJob('feat/x', 'RUNNING');
    await expect(t.run('deploy', 'feat/x')).rejects.toThrow(
      /Waiting for the running Amplify job on 'feat\/x'.*within 1 minute/,
    );
  });

  it('skip: starts nothing and warns', async () => {
    const t = setup({ 'on-running-job': 'skip' });
    t.amplify.addJob('feat/x', 'PENDING');
    const { outputs } = await t.run('deploy', 'feat/x');
    expect(outputs['amplify-job-id']).toBe('');
    expect(t.lines.some((l) => l.startsWith('warning:') && l.includes('on-running-job: skip'))).toBe(true);
  });

  it('start-job false starts nothing', async () => {
    const t = setup({ 'start-job': 'false' });
    await t.run('deploy', 'feat/x');
    expect(t.amplify.calls.some((c) => c.startsWith('amplify.startJob'))).toBe(false);
  });
});

describe('cleanup', () => {
  it('deletes exactly the prefixed branch and removes only DATABASE_URL from the kept Amplify branch', async () => {
    const t = setup();
    t.neon.branches.push(
      { id: 'br-a', name: 'preview/feat/x', default: false, protected: false },
      { id: 'br-b', name: 'preview/feat/x-2', default: false, protected: false },
    );
    t.amplify.branches.set('feat/x', {
      name: 'feat/x',
      displayName: 'feat-x',
      environmentVariables: { API_URL: 'https://api', DATABASE_URL: 'postgresql://gone', SECRET_KEY: 's' },
    });
    const { outputs } = await t.run('cleanup', 'feat/x');
    expect(outputs).toMatchObject({
      'neon-branch-id': 'br-a',
      'neon-branch-name': 'preview/feat/x',
      deleted: 'true',
    });
    expect(t.neon.branches.map((b) => b.id)).toEqual(['br-main-1', 'br-b']);
    // One read and one write: nothing points at the deleted database, nothing else is lost.
    expect(t.amplify.calls.map((c) => c.split('(')[0])).toEqual([
      'amplify.getBranch',
      'amplify.setEnvironmentVariables',
    ]);
    expect(t.amplify.branches.get('feat/x')?.environmentVariables).toEqual({
      API_URL: 'https://api',
      SECRET_KEY: 's',
    });
  });

  it('leaves Amplify alone without an Amplify app, and writes nothing when the variable is already gone', async () => {
    const t = setup({ 'amplify-app-id': '' });
    t.neon.branches.push({ id: 'br-a', name: 'preview/feat/x', default: false, protected: false });
    await t.run('cleanup', 'feat/x');
    expect(t.amplify.calls).toEqual([]);
    const u = setup();
    u.amplify.branches.set('feat/y', {
      name: 'feat/y',
      displayName: 'feat-y',
      environmentVariables: { A: 'b' },
    });
    await u.run('cleanup', 'feat/y');
    expect(u.amplify.calls.map((c) => c.split('(')[0])).toEqual(['amplify.getBranch']);
  });

  it('already gone is success with deleted false', async () => {
    const t = setup();
    const { outputs } = await t.run('cleanup', 'feat/none');
    expect(outputs).toMatchObject({ deleted: 'false', 'neon-branch-id': '' });
  });

  it('never deletes a protected branch', async () => {
    const t = setup();
    t.neon.branches.push({ id: 'br-p', name: 'preview/keep', default: false, protected: true });
    const { outputs } = await t.run('cleanup', 'keep');
    expect(outputs.deleted).toBe('false');
    expect(t.neon.calls.some((c) => c.startsWith('neon.deleteBranch'))).toBe(false);
  });

  it('with delete-amplify-branch, deletes the Amplify branch too', async () => {
    const t = setup({ 'delete-amplify-branch': 'true' });
    t.amplify.branches.set('feat/x', { name: 'feat/x', displayName: 'feat-x', environmentVariables: {} });
    await t.run('cleanup', 'feat/x');
    expect(t.amplify.branches.has('feat/x')).toBe(false);
  });
});

describe('reconcile', () => {
  it('deletes prefixed branches no Amplify branch maps to, by exact name, keeping primary, default and protected', async () => {
    const t = setup();
    const add = (id: string, name: string, extra: Partial<{ default: boolean; protected: boolean }> = {}) =>
      t.neon.branches.push({ id, name, default: false, protected: false, ...extra });
    add('br-1', 'preview/feat');
    add('br-2', 'preview/feat-2');
    add('br-3', 'preview/gone');
    add('br-4', 'preview/main');
    add('br-5', 'preview/protected', { protected: true });
    add('br-6', 'other/gone');
    t.amplify.branches.set('feat-2', { name: 'feat-2', displayName: 'feat-2', environmentVariables: {} });
    const result = await t.reconcile();
    expect(t.neon.branches.map((b) => b.id).sort()).toEqual(['br-2', 'br-4', 'br-5', 'br-6', 'br-main-1']);
    expect(result.reconcile?.deleted.sort()).toEqual(['preview/feat', 'preview/gone']);
    expect(result.outputs.deleted).toBe('true');
  });

  it('dry run deletes nothing and lists what it would', async () => {
    const t = setup({ 'dry-run': 'true' });
    t.neon.branches.push({ id: 'br-1', name: 'preview/old', default: false, protected: false });
    const result = await t.reconcile();
    expect(result.reconcile?.wouldDelete).toEqual(['preview/old']);
    expect(t.neon.branches.some((b) => b.id === 'br-1')).toBe(true);
  });

  it('a 422 refusal is listed and fails the run after every other deletion was tried', async () => {
    const t = setup();
    t.neon.branches.push(
      { id: 'br-1', name: 'preview/a', default: false, protected: false },
      { id: 'br-2', name: 'preview/b', default: false, protected: false },
    );
    t.neon.refuseDelete.add('br-1');
    const failure = await t.reconcile().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ReconcileError);
    expect((failure as ReconcileError).result.report.failed.map((f) => f.name)).toEqual(['preview/a']);
    expect(t.neon.branches.some((b) => b.id === 'br-2')).toBe(false);
    expect((failure as Error).message).toContain('could not delete 1');
  });

  it('keeps Neon errors other than 409 flowing out of deploy unchanged', async () => {
    const t = setup();
    const quota = new ApiError("Creating Neon branch 'preview/x'", '422 BRANCHES_LIMIT_EXCEEDED: quota', {
      service: 'Neon',
      status: 422,
    });
    t.neon.failOn.createBranch = quota;
    await expect(t.run('deploy', 'x')).rejects.toBe(quota);
  });
});

describe('replace when the running job ends on its own', () => {
  it('tolerates StopJob refusing a job that already finished (400), then starts', async () => {
    const t = setup();
    const old = t.amplify.addJob('feat/x', 'RUNNING');
    t.amplify.stopJob = async (_branch, jobId) => {
      const job = t.amplify.jobs.get(jobId);
      if (job) job.status = 'SUCCEED';
      throw new ApiError('Stopping Amplify job', '400 BadRequestException: job is not running', {
        service: 'Amplify',
        status: 400,
        code: 'BadRequestException',
      });
    };
    const { outputs } = await t.run('deploy', 'feat/x');
    expect(outputs['amplify-job-id']).not.toBe(old);
    expect(outputs['amplify-job-id']).not.toBe('');
  });
});
