/**
 * The Amplify port against the strict stand-in, through the real @aws-sdk/client-amplify: endpoint
 * from AWS_ENDPOINT_URL_AMPLIFY, credentials from the standard environment variables, SigV4 checked
 * by the stand-in. Assertions read the stand-in's state and request log, not the port's own output.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAmplifyPort } from '../../src/amplify/port.js';
import { ApiError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/ports.js';
import {
  AMPLIFY_TEST_CREDENTIALS,
  type AmplifyStandIn,
  PRESIGNED_TOKEN,
  startAmplifyStandIn,
} from '../fakes/amplify-server.js';

const REGION = 'eu-west-1';

let standIn: AmplifyStandIn;

beforeAll(async () => {
  standIn = await startAmplifyStandIn({ region: REGION });
  // The product's way of redirecting the SDK: its own environment variables, nothing in code.
  vi.stubEnv('AWS_ENDPOINT_URL_AMPLIFY', standIn.url);
  vi.stubEnv('AWS_ENDPOINT_URL', undefined);
  vi.stubEnv('AWS_ACCESS_KEY_ID', AMPLIFY_TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', AMPLIFY_TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws/config');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws/credentials');
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_MAX_ATTEMPTS', undefined);
  vi.stubEnv('AWS_RETRY_MODE', undefined);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await standIn.close();
});

interface Lines extends Logger {
  lines: string[];
}

function memoryLog(): Lines {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`info: ${message}`),
    warning: (message) => lines.push(`warning: ${message}`),
    debug: (message) => lines.push(`debug: ${message}`),
  };
}

function newApp(): string {
  return standIn.addApp().appId;
}

function portFor(
  appId: string,
  extra: { log?: Logger; maxAttempts?: number; requestTimeoutMs?: number } = {},
) {
  return createAmplifyPort({
    appId,
    region: REGION,
    log: extra.log ?? memoryLog(),
    clientConfig: { maxAttempts: extra.maxAttempts ?? 3 },
    ...(extra.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: extra.requestTimeoutMs }),
  });
}

function requestsOf(appId: string) {
  return standIn.requests.filter((request) => request.params.appId === appId);
}

describe('endpoint and credentials', () => {
  it('reaches the stand-in through AWS_ENDPOINT_URL_AMPLIFY, signed with the environment credentials', async () => {
    const app = standIn.addApp({ appId: 'd1a2b3c4d5e6f7' });
    const result = await portFor(app.appId).getApp();

    expect(result.defaultDomain).toBe('d1a2b3c4d5e6f7.amplifyapp.com');
    const [request] = requestsOf(app.appId);
    expect(request?.operation).toBe('GetApp');
    expect(request?.rawPath).toBe('/apps/d1a2b3c4d5e6f7');
    expect(request?.accessKeyId).toBe(AMPLIFY_TEST_CREDENTIALS.accessKeyId);
    expect(request?.region).toBe(REGION);
    expect(request?.status).toBe(200);
  });

  it('also honours the generic AWS_ENDPOINT_URL', async () => {
    const appId = newApp();
    vi.stubEnv('AWS_ENDPOINT_URL_AMPLIFY', undefined);
    vi.stubEnv('AWS_ENDPOINT_URL', standIn.url);
    try {
      await portFor(appId).getApp();
    } finally {
      vi.stubEnv('AWS_ENDPOINT_URL_AMPLIFY', standIn.url);
      vi.stubEnv('AWS_ENDPOINT_URL', undefined);
    }
    expect(requestsOf(appId).map((request) => request.status)).toEqual([200]);
  });

  it('names a missing app with status, error type and request id', async () => {
    const reading = portFor('dmissing0app').getApp();
    await expect(reading).rejects.toThrow(ApiError);

    const [request] = requestsOf('dmissing0app');
    expect(request?.status).toBe(404);
    await expect(reading).rejects.toMatchObject({
      status: 404,
      code: 'NotFoundException',
      service: 'Amplify',
      requestId: request?.requestId,
      message: `Reading Amplify app 'dmissing0app' failed: 404 NotFoundException: App dmissing0app not found. (request id ${request?.requestId})`,
    });
  });
});

describe('branches', () => {
  it('reads an existing branch with its variables and display name', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'Feature/Login_Page', {
      environmentVariables: { A: '1', DATABASE_URL: 'postgres://x' },
    });

    const branch = await portFor(appId).getBranch('Feature/Login_Page');

    const stored = standIn.branch(appId, 'Feature/Login_Page');
    expect(branch).toEqual({
      name: 'Feature/Login_Page',
      displayName: 'feature-login-page',
      environmentVariables: { A: '1', DATABASE_URL: 'postgres://x' },
    });
    expect(branch?.displayName).toBe(stored?.displayName);
  });

  it('answers undefined for a missing branch, after checking the app exists', async () => {
    const appId = newApp();
    const branch = await portFor(appId).getBranch('nope');

    expect(branch).toBeUndefined();
    expect(
      requestsOf(appId).map((request) => [request.operation, request.status, request.errorType]),
    ).toEqual([
      ['GetBranch', 404, 'NotFoundException'],
      ['GetApp', 200, undefined],
    ]);
  });

  it('reads the app once per port, even when a missing branch confirms it', async () => {
    const appId = newApp();
    const port = portFor(appId);
    const [app, branch] = await Promise.all([port.getApp(), port.getBranch('feat/missing')]);
    expect(await port.deleteBranch('feat/missing')).toBe('gone');

    expect(app.defaultDomain).toBe(standIn.app(appId)?.defaultDomain);
    expect(branch).toBeUndefined();
    expect(requestsOf(appId).filter((r) => r.operation === 'GetApp')).toHaveLength(1);
  });

  it('does not mistake a missing app for a missing branch', async () => {
    const reading = portFor('dnosuchapp01').getBranch('main');

    await expect(reading).rejects.toThrow(ApiError);
    await expect(reading).rejects.toMatchObject({
      code: 'NotFoundException',
      message: expect.stringMatching(
        /^Reading Amplify branch 'main' failed: 404 NotFoundException: App dnosuchapp01 not found\./,
      ),
    });
  });

  it.each([['feat/x'], ['feature/with space'], ['ünïcødé/ブランチ'], ['odd+chars&q=1?#%25'], ["it's(*)!"]])(
    'sends %j as one percent-encoded path segment',
    async (name) => {
      const appId = newApp();
      standIn.addBranch(appId, name, { environmentVariables: { KEEP: 'yes' } });
      const port = portFor(appId);

      const read = await port.getBranch(name);
      await port.setEnvironmentVariables(name, { KEEP: 'yes', DATABASE_URL: 'postgres://db' });

      expect(read?.name).toBe(name);
      for (const request of requestsOf(appId)) {
        const segments = request.rawPath.split('/');
        expect(segments).toHaveLength(5);
        expect(segments[4]).not.toMatch(/[/ ]/);
        expect(decodeURIComponent(segments[4] ?? '')).toBe(name);
        expect(request.status).toBe(200);
      }
      expect(standIn.branch(appId, name)?.environmentVariables).toEqual({
        KEEP: 'yes',
        DATABASE_URL: 'postgres://db',
      });
    },
  );

  it('encodes the slash of feat/x as %2F', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x');
    await portFor(appId).getBranch('feat/x');
    expect(requestsOf(appId)[0]?.rawPath).toBe(`/apps/${appId}/branches/feat%2Fx`);
  });

  it('creates a branch with auto-build off and the variables', async () => {
    const appId = newApp();
    const created = await portFor(appId).createBranch({
      name: 'Feat/New_UI',
      environmentVariables: { DATABASE_URL: 'postgres://new' },
    });

    const stored = standIn.branch(appId, 'Feat/New_UI');
    expect(stored?.enableAutoBuild).toBe(false);
    expect(stored?.environmentVariables).toEqual({ DATABASE_URL: 'postgres://new' });
    expect(stored?.displayName).toBe('feat-new-ui');
    expect(created).toEqual({
      name: 'Feat/New_UI',
      displayName: 'feat-new-ui',
      environmentVariables: { DATABASE_URL: 'postgres://new' },
    });
    const [request] = requestsOf(appId);
    expect(request?.method).toBe('POST');
    expect(request?.rawPath).toBe(`/apps/${appId}/branches`);
    expect(request?.body).toMatchObject({ branchName: 'Feat/New_UI', enableAutoBuild: false });
  });

  it('reports creating a branch that exists as a BadRequest naming the step', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'main');
    const creating = portFor(appId).createBranch({ name: 'main', environmentVariables: {} });

    await expect(creating).rejects.toThrow(ApiError);
    await expect(creating).rejects.toMatchObject({
      status: 400,
      code: 'BadRequestException',
      message: expect.stringMatching(
        /^Creating Amplify branch 'main' failed: 400 BadRequestException: .*already exists/,
      ),
    });
  });

  it("reports Amplify's 50-branch quota as LimitExceededException on the first answer, not retried", async () => {
    const appId = newApp();
    for (let index = 0; index < 50; index += 1) standIn.addBranch(appId, `b${index}`);
    const log = memoryLog();
    // The SDK's default 3 attempts: it would retry LimitExceeded as throttling, but the quota stays full.
    const creating = portFor(appId, { log }).createBranch({ name: 'one-too-many', environmentVariables: {} });

    await expect(creating).rejects.toThrow(ApiError);
    await expect(creating).rejects.toMatchObject({ status: 429, code: 'LimitExceededException' });
    expect(standIn.app(appId)?.branches.size).toBe(50);
    expect(requestsOf(appId).filter((request) => request.operation === 'CreateBranch')).toHaveLength(1);
    expect(log.lines.filter((line) => line.includes('retrying'))).toEqual([]);
  });

  it('passes a CreateBranch LimitExceeded through whatever its wording (none is published)', async () => {
    const appId = newApp();
    standIn.injectFault({
      operation: 'CreateBranch',
      action: { kind: 'error', status: 429, errorType: 'LimitExceededException', message: 'Quota hit.' },
    });

    const creating = portFor(appId).createBranch({ name: 'feat/x', environmentVariables: {} });

    await expect(creating).rejects.toMatchObject({ status: 429, code: 'LimitExceededException' });
    expect(requestsOf(appId).filter((request) => request.operation === 'CreateBranch')).toHaveLength(1);
  });

  it('replaces the whole variable map on update', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x', { environmentVariables: { OLD: 'gone', KEEP: 'old' } });

    const updated = await portFor(appId).setEnvironmentVariables('feat/x', {
      KEEP: 'new',
      DATABASE_URL: 'postgres://u',
    });

    expect(standIn.branch(appId, 'feat/x')?.environmentVariables).toEqual({
      KEEP: 'new',
      DATABASE_URL: 'postgres://u',
    });
    expect(updated.environmentVariables).toEqual(standIn.branch(appId, 'feat/x')?.environmentVariables);
    const [request] = requestsOf(appId);
    expect(request?.operation).toBe('UpdateBranch');
    expect(request?.body).toEqual({ environmentVariables: { KEEP: 'new', DATABASE_URL: 'postgres://u' } });
  });

  it('clears every variable when given an empty map, with the {" ": ""} sentinel Amplify accepts', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x', { environmentVariables: { DATABASE_URL: 'postgres://u' } });

    const cleared = await portFor(appId).setEnvironmentVariables('feat/x', {});

    expect(standIn.branch(appId, 'feat/x')?.environmentVariables).toEqual({});
    expect(cleared.environmentVariables).toEqual({});
    // A bare {} would leave the map as it was, and {"": ""} is refused (empty key).
    const [request] = requestsOf(appId);
    expect(request?.body).toEqual({ environmentVariables: { ' ': '' } });
  });

  it('surfaces an AWS-prefixed variable as a clear BadRequest and changes nothing', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x', { environmentVariables: { A: '1' } });

    const updating = portFor(appId).setEnvironmentVariables('feat/x', { AWS_REGION: 'eu-west-1' });
    await expect(updating).rejects.toThrow(ApiError);

    const [request] = requestsOf(appId);
    await expect(updating).rejects.toMatchObject({
      status: 400,
      code: 'BadRequestException',
      message: expect.stringMatching(
        /^Updating the environment variables of Amplify branch 'feat\/x' failed: 400 BadRequestException: .*AWS_REGION/,
      ),
    });
    await expect(updating).rejects.toThrow(`(request id ${request?.requestId})`);
    expect(requestsOf(appId)).toHaveLength(1);
    expect(standIn.branch(appId, 'feat/x')?.environmentVariables).toEqual({ A: '1' });
  });

  it('surfaces a value over 5500 characters as a BadRequest', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'main');
    const updating = portFor(appId).setEnvironmentVariables('main', { BIG: 'x'.repeat(5501) });
    await expect(updating).rejects.toThrow(ApiError);
    await expect(updating).rejects.toMatchObject({ code: 'BadRequestException' });
    expect(standIn.branch(appId, 'main')?.environmentVariables).toEqual({});
  });

  it("deletes an existing branch and answers 'gone' for a missing one", async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/old');
    const port = portFor(appId);

    expect(await port.deleteBranch('feat/old')).toBe('deleted');
    expect(standIn.branch(appId, 'feat/old')).toBeUndefined();
    expect(await port.deleteBranch('feat/old')).toBe('gone');
    expect(requestsOf(appId).map((request) => [request.operation, request.status])).toEqual([
      ['DeleteBranch', 200],
      ['DeleteBranch', 404],
      ['GetApp', 200],
    ]);
  });

  it('lists every branch name across pages of at most 50', async () => {
    const appId = newApp();
    const names = Array.from({ length: 120 }, (_, index) => `feature/${String(index).padStart(3, '0')}`);
    for (const name of names) standIn.addBranch(appId, name);

    const listed = await portFor(appId).listBranchNames();

    expect(listed).toEqual(names);
    const pages = requestsOf(appId).filter((request) => request.operation === 'ListBranches');
    expect(pages).toHaveLength(3);
    for (const page of pages) {
      expect(Number(page.query.maxResults)).toBeGreaterThan(0);
      expect(Number(page.query.maxResults)).toBeLessThanOrEqual(50);
      expect(page.status).toBe(200);
    }
    expect(pages[0]?.query.nextToken).toBeUndefined();
    expect(pages[1]?.query.nextToken).toBeDefined();
    expect(pages[2]?.query.nextToken).toBeDefined();
  });

  it('lists an app without branches as empty', async () => {
    const appId = newApp();
    expect(await portFor(appId).listBranchNames()).toEqual([]);
  });
});

describe('jobs', () => {
  it('starts a RELEASE job', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x');

    const job = await portFor(appId).startJob('feat/x');

    const stored = standIn.branch(appId, 'feat/x')?.jobs ?? [];
    expect(stored).toHaveLength(1);
    expect(job).toEqual({ id: stored[0]?.jobId, status: stored[0]?.status });
    expect(stored[0]?.jobType).toBe('RELEASE');
    const [request] = requestsOf(appId);
    expect(request?.rawPath).toBe(`/apps/${appId}/branches/feat%2Fx/jobs`);
    expect(request?.body).toEqual({ jobType: 'RELEASE' });
  });

  it('surfaces a busy branch as ApiError LimitExceededException on the first answer', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x');
    standIn.addJob(appId, 'feat/x', { status: 'RUNNING' });

    const starting = portFor(appId).startJob('feat/x');
    await expect(starting).rejects.toThrow(ApiError);

    const starts = requestsOf(appId).filter((request) => request.operation === 'StartJob');
    expect(starts).toHaveLength(1);
    await expect(starting).rejects.toMatchObject({
      status: 429,
      code: 'LimitExceededException',
      requestId: starts[0]?.requestId,
      message: expect.stringMatching(
        /^Starting an Amplify job on branch 'feat\/x' failed: 429 LimitExceededException: branch already have pending or running jobs/,
      ),
    });
    expect(standIn.branch(appId, 'feat/x')?.jobs).toHaveLength(1);
  });

  it('lists only the active jobs of the branch', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x');
    standIn.addBranch(appId, 'other');
    standIn.addJob(appId, 'feat/x', { status: 'SUCCEED' });
    const running = standIn.addJob(appId, 'feat/x', { status: 'PROVISIONING' });
    standIn.addJob(appId, 'other', { status: 'RUNNING' });

    const active = await portFor(appId).listActiveJobs('feat/x');

    expect(active).toEqual([{ id: running.jobId, status: 'PROVISIONING', steps: [] }]);
    expect(requestsOf(appId).map((r) => r.operation)).toEqual(['GetBranch', 'GetJob']);

    standIn.setJobStatus(appId, 'feat/x', running.jobId, 'SUCCEED');
    expect(await portFor(appId).listActiveJobs('feat/x')).toEqual([]);
    standIn.addBranch(appId, 'never-built');
    expect(await portFor(appId).listActiveJobs('never-built')).toEqual([]);
  });

  it('reads a job', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x');
    const seeded = standIn.addJob(appId, 'feat/x', { status: 'PROVISIONING' });

    const job = await portFor(appId).getJob('feat/x', seeded.jobId);

    expect(job).toEqual({ id: seeded.jobId, status: 'PROVISIONING', steps: [] });
    expect(requestsOf(appId)[0]?.rawPath).toBe(`/apps/${appId}/branches/feat%2Fx/jobs/${seeded.jobId}`);
  });

  it("reads a failed job's steps with Amplify's reason, and leaves their presigned log URLs behind", async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x');
    const seeded = standIn.addJob(appId, 'feat/x', { status: 'RUNNING' });
    standIn.setJobProgress({ failedStep: 'DEPLOY' });
    standIn.setJobStatus(appId, 'feat/x', seeded.jobId, 'FAILED');

    const job = await portFor(appId).getJob('feat/x', seeded.jobId);
    standIn.setJobProgress(undefined);

    expect(job).toEqual({
      id: seeded.jobId,
      status: 'FAILED',
      steps: [
        { name: 'BUILD', status: 'SUCCEED' },
        { name: 'DEPLOY', status: 'FAILED', statusReason: 'DEPLOY failed: command exited with code 1' },
      ],
    });
    expect(JSON.stringify(job)).not.toContain(PRESIGNED_TOKEN);
  });

  it('stops a job: CANCELLING, then CANCELLED', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x');
    const seeded = standIn.addJob(appId, 'feat/x', { status: 'RUNNING' });
    const port = portFor(appId);

    await port.stopJob('feat/x', seeded.jobId);
    const [stop] = requestsOf(appId);
    expect(stop?.method).toBe('DELETE');
    expect(stop?.rawPath).toBe(`/apps/${appId}/branches/feat%2Fx/jobs/${seeded.jobId}/stop`);
    expect(standIn.job(appId, 'feat/x', seeded.jobId)?.status).toBe('CANCELLING');

    const after = await port.getJob('feat/x', seeded.jobId);
    expect(after.status).toBe('CANCELLED');
    expect(standIn.job(appId, 'feat/x', seeded.jobId)?.status).toBe('CANCELLED');
  });

  it('reports a missing job as NotFound', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x');
    const reading = portFor(appId).getJob('feat/x', '99');
    await expect(reading).rejects.toThrow(ApiError);
    await expect(reading).rejects.toMatchObject({
      code: 'NotFoundException',
      message: expect.stringMatching(
        /^Reading Amplify job 99 of branch 'feat\/x' failed: 404 NotFoundException/,
      ),
    });
  });
});

describe('retries and failures', () => {
  it('lets the SDK retry 500s, then succeeds, logging each retry', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'feat/x', { environmentVariables: { A: '1' } });
    standIn.injectFault({
      operation: 'GetBranch',
      path: `/apps/${appId}/branches/feat/x`,
      times: 2,
      action: { kind: 'error', status: 500, errorType: 'InternalFailureException', message: 'try again' },
    });
    const log = memoryLog();

    const branch = await portFor(appId, { log }).getBranch('feat/x');

    expect(branch?.environmentVariables).toEqual({ A: '1' });
    expect(requestsOf(appId).map((request) => [request.status, request.errorType])).toEqual([
      [500, 'InternalFailureException'],
      [500, 'InternalFailureException'],
      [200, undefined],
    ]);
    // Warnings, as Neon's retries are.
    const retries = log.lines.filter((line) => line.includes('retrying'));
    expect(retries).toEqual([
      'warning: Amplify GetBranch: 500 InternalFailureException: try again; retrying (attempt 2 of 3)',
      'warning: Amplify GetBranch: 500 InternalFailureException: try again; retrying (attempt 3 of 3)',
    ]);
  });

  it('lets the SDK retry a dropped connection, then succeeds', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'main', { environmentVariables: { A: '1' } });
    standIn.injectFault({ operation: 'UpdateBranch', action: { kind: 'drop' } });

    await portFor(appId).setEnvironmentVariables('main', { A: '1', DATABASE_URL: 'postgres://d' });

    expect(requestsOf(appId).map((request) => [request.status, request.fault])).toEqual([
      [0, 'drop'],
      [200, undefined],
    ]);
    expect(standIn.branch(appId, 'main')?.environmentVariables).toEqual({
      A: '1',
      DATABASE_URL: 'postgres://d',
    });
  });

  it('gives up after maxAttempts with the last answer in the error', async () => {
    const appId = newApp();
    standIn.addBranch(appId, 'main');
    standIn.injectFault({
      operation: 'GetBranch',
      times: 3,
      action: { kind: 'error', status: 503, errorType: 'DependentServiceFailureException', message: 'down' },
    });

    const listing = portFor(appId).listActiveJobs('main');
    await expect(listing).rejects.toThrow(ApiError);

    const attempts = requestsOf(appId);
    expect(attempts).toHaveLength(3);
    await expect(listing).rejects.toMatchObject({
      status: 503,
      code: 'DependentServiceFailureException',
      message: `Reading the active job of Amplify branch 'main' failed: 503 DependentServiceFailureException: down (request id ${attempts[2]?.requestId})`,
    });
  });

  it('times out a request that hangs, and the retry succeeds', async () => {
    const appId = newApp();
    standIn.injectFault({ operation: 'GetApp', action: { kind: 'latency', ms: 1500 } });

    const app = await portFor(appId, { requestTimeoutMs: 300 }).getApp();

    expect(app.defaultDomain).toBe(standIn.app(appId)?.defaultDomain);
    expect(requestsOf(appId).map((request) => request.fault)).toEqual(['latency', undefined]);
  });

  it('reports a request that never answers as a timeout', async () => {
    const appId = newApp();
    standIn.injectFault({ operation: 'GetApp', times: 2, action: { kind: 'latency', ms: 1500 } });

    const reading = portFor(appId, { requestTimeoutMs: 300, maxAttempts: 2 }).getApp();

    await expect(reading).rejects.toThrow(ApiError);
    await expect(reading).rejects.toMatchObject({
      status: undefined,
      message: expect.stringMatching(/^Reading Amplify app '.*' failed: Amplify did not answer in time/),
    });
  });
});

describe('credentials and permissions', () => {
  it('rejects a wrong secret key with a clear InvalidSignature error that leaks no secret', async () => {
    const appId = newApp();
    const port = createAmplifyPort({
      appId,
      region: REGION,
      log: memoryLog(),
      clientConfig: {
        maxAttempts: 3,
        credentials: {
          accessKeyId: AMPLIFY_TEST_CREDENTIALS.accessKeyId,
          secretAccessKey: 'wrong-secret-value',
        },
      },
    });

    const reading = port.getBranch('main');
    await expect(reading).rejects.toThrow(ApiError);

    const attempts = standIn.requests.filter((request) => request.path === `/apps/${appId}/branches/main`);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.status).toBe(403);
    expect(attempts[0]?.errorType).toBe('InvalidSignatureException');
    await expect(reading).rejects.toMatchObject({
      status: 403,
      code: 'InvalidSignatureException',
      message: expect.stringMatching(
        /^Reading Amplify branch 'main' failed: 403 InvalidSignatureException: /,
      ),
    });
    await expect(reading).rejects.toThrow('AWS_SECRET_ACCESS_KEY');
    await expect(reading).rejects.toMatchObject({
      message: expect.not.stringContaining('wrong-secret-value'),
    });
    await expect(reading).rejects.toMatchObject({
      message: expect.not.stringContaining(AMPLIFY_TEST_CREDENTIALS.secretAccessKey),
    });
  });

  it('rejects an unknown access key as UnrecognizedClientException', async () => {
    const appId = newApp();
    const port = createAmplifyPort({
      appId,
      region: REGION,
      log: memoryLog(),
      clientConfig: {
        credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'whatever-secret' },
      },
    });

    const reading = port.getApp();

    await expect(reading).rejects.toThrow(ApiError);
    await expect(reading).rejects.toMatchObject({ code: 'UnrecognizedClientException' });
    await expect(reading).rejects.toThrow('access key id');
    await expect(reading).rejects.toMatchObject({ message: expect.not.stringContaining('whatever-secret') });
  });

  it('rejects a request signed for another region', async () => {
    const appId = newApp();
    const port = createAmplifyPort({ appId, region: 'us-west-2', log: memoryLog() });

    const reading = port.getApp();
    await expect(reading).rejects.toThrow(ApiError);

    const attempts = standIn.requests.filter((request) => request.path === `/apps/${appId}`);
    expect(attempts.map((request) => request.errorType)).toEqual(['InvalidSignatureException']);
    await expect(reading).rejects.toThrow('region');
  });

  it('names the IAM action when access is denied', async () => {
    const denied = await startAmplifyStandIn({ region: REGION });
    try {
      const appId = denied.addApp().appId;
      denied.addBranch(appId, 'feat/x');
      denied.denyAction('amplify:UpdateBranch');
      const port = createAmplifyPort({
        appId,
        region: REGION,
        log: memoryLog(),
        clientConfig: { endpoint: denied.url },
      });

      const updating = port.setEnvironmentVariables('feat/x', { A: '1' });
      await expect(updating).rejects.toThrow(ApiError);

      expect(
        denied.requests.map((request) => [request.operation, request.status, request.errorType]),
      ).toEqual([['UpdateBranch', 403, 'AccessDeniedException']]);
      await expect(updating).rejects.toMatchObject({ status: 403, code: 'AccessDeniedException' });
      await expect(updating).rejects.toThrow('amplify:UpdateBranch');
      await expect(updating).rejects.toThrow(/IAM policy/);
      expect(denied.branch(appId, 'feat/x')?.environmentVariables).toEqual({});
    } finally {
      await denied.close();
    }
  });

  it('says so when no credentials are found, and sends nothing', async () => {
    const appId = newApp();
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    try {
      const reading = portFor(appId).getApp();
      await expect(reading).rejects.toThrow(ApiError);
      await expect(reading).rejects.toThrow(/^Reading Amplify app '.*' failed: no AWS credentials found/);
      await expect(reading).rejects.toThrow('aws-actions/configure-aws-credentials');
    } finally {
      vi.stubEnv('AWS_ACCESS_KEY_ID', AMPLIFY_TEST_CREDENTIALS.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', AMPLIFY_TEST_CREDENTIALS.secretAccessKey);
    }
    expect(requestsOf(appId)).toHaveLength(0);
  });
});
