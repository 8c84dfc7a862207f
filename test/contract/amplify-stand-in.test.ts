/**
 * The stand-in itself: that it is as strict as Amplify where the port could go wrong (path encoding,
 * limits, job life cycle), probed with hand-signed requests and the bare SDK client. Its signature
 * checks are in amplify-stand-in-auth.test.ts.
 */
import {
  AmplifyClient,
  GetBranchCommand,
  GetJobCommand,
  ListBranchesCommand,
  StartJobCommand,
  StopJobCommand,
} from '@aws-sdk/client-amplify';
import { describe, expect, it } from 'vitest';
import { rawAmplifyRequest } from '../fakes/amplify-raw.js';
import { AMPLIFY_TEST_CREDENTIALS, type AmplifyStandIn } from '../fakes/amplify-server.js';
import { amplifyStandInStarter } from './amplify-stand-in-start.js';

const start = amplifyStandInStarter();

function sdk(standIn: AmplifyStandIn): AmplifyClient {
  return new AmplifyClient({
    region: standIn.region,
    endpoint: standIn.url,
    credentials: { ...AMPLIFY_TEST_CREDENTIALS },
    maxAttempts: 1,
  });
}

describe('paths', () => {
  it('takes a branch name as exactly one encoded segment', async () => {
    const standIn = await start();
    const { appId } = standIn.addApp();
    standIn.addBranch(appId, 'feat/x');
    standIn.addBranch(appId, 'feat');

    const encoded = await rawAmplifyRequest(standIn, {
      method: 'GET',
      path: `/apps/${appId}/branches/feat%2Fx`,
    });
    const rawSlash = await rawAmplifyRequest(standIn, {
      method: 'GET',
      path: `/apps/${appId}/branches/feat/x`,
    });
    const doubleEncoded = await rawAmplifyRequest(standIn, {
      method: 'GET',
      path: `/apps/${appId}/branches/feat%252Fx`,
    });

    expect(encoded.status).toBe(200);
    expect((encoded.json as { branch: { branchName: string } }).branch.branchName).toBe('feat/x');
    expect(rawSlash.status).toBe(404);
    expect(rawSlash.headers['x-amzn-errortype']).toBe('UnknownOperationException');
    expect(doubleEncoded.status).toBe(404);
    expect(doubleEncoded.headers['x-amzn-errortype']).toBe('NotFoundException');
    expect(doubleEncoded.json).toEqual({ message: 'Branch feat%2Fx not found.' });
  });

  it('answers an unknown route with 404 and an error type', async () => {
    const standIn = await start();
    const response = await rawAmplifyRequest(standIn, { method: 'GET', path: '/nothing/here' });
    expect(response.status).toBe(404);
    expect(response.headers['x-amzn-errortype']).toBe('UnknownOperationException');
  });
});

describe('shapes', () => {
  it('sends timestamps as epoch seconds, which the SDK reads back as the same instants', async () => {
    const standIn = await start();
    const { appId } = standIn.addApp();
    const stored = standIn.addBranch(appId, 'main', { environmentVariables: { A: '1' } });

    const raw = await rawAmplifyRequest(standIn, { method: 'GET', path: `/apps/${appId}/branches/main` });
    const viaSdk = await sdk(standIn).send(new GetBranchCommand({ appId, branchName: 'main' }));

    const branch = (raw.json as { branch: Record<string, unknown> }).branch;
    expect(typeof branch.createTime).toBe('number');
    expect(branch.createTime).toBe(stored.createTime / 1000);
    expect(viaSdk.branch?.createTime?.getTime()).toBe(stored.createTime);
    expect(viaSdk.branch?.displayName).toBe('main');
    expect(viaSdk.branch?.enableAutoBuild).toBe(true);
  });
});

describe('validation', () => {
  it('refuses maxResults over 50 and a nextToken it did not issue', async () => {
    const standIn = await start();
    const { appId } = standIn.addApp();
    const client = sdk(standIn);

    await expect(client.send(new ListBranchesCommand({ appId, maxResults: 51 }))).rejects.toMatchObject({
      name: 'BadRequestException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new ListBranchesCommand({ appId, nextToken: 'made-up' }))).rejects.toMatchObject(
      {
        name: 'BadRequestException',
      },
    );
  });

  it('refuses a CreateBranch without branchName and a StartJob with a bad jobType', async () => {
    const standIn = await start();
    const { appId } = standIn.addApp();
    standIn.addBranch(appId, 'main');

    const create = await rawAmplifyRequest(standIn, {
      method: 'POST',
      path: `/apps/${appId}/branches`,
      body: {},
    });
    const start_ = await rawAmplifyRequest(standIn, {
      method: 'POST',
      path: `/apps/${appId}/branches/main/jobs`,
      body: { jobType: 'BUILD' },
    });

    expect([create.status, create.headers['x-amzn-errortype']]).toEqual([400, 'BadRequestException']);
    expect([start_.status, start_.headers['x-amzn-errortype']]).toEqual([400, 'BadRequestException']);
  });

  it('treats an empty variable map as no change, refuses an empty key and clears on {" ": ""}', async () => {
    const standIn = await start();
    const { appId } = standIn.addApp();
    standIn.addBranch(appId, 'main', { environmentVariables: { A: '1' } });
    const path = `/apps/${appId}/branches/main`;
    const update = (environmentVariables: Record<string, string>) =>
      rawAmplifyRequest(standIn, { method: 'POST', path, body: { environmentVariables } });

    await update({});
    expect(standIn.branch(appId, 'main')?.environmentVariables).toEqual({ A: '1' });

    const refused = await update({ '': '' });
    expect([refused.status, refused.headers['x-amzn-errortype']]).toEqual([400, 'BadRequestException']);
    expect(refused.json).toEqual({ message: 'Environment variables cannot have an empty key.' });
    expect(standIn.branch(appId, 'main')?.environmentVariables).toEqual({ A: '1' });

    await update({ ' ': '' });
    expect(standIn.branch(appId, 'main')?.environmentVariables).toEqual({});
  });

  it('refuses RELEASE jobs on an app without a repository', async () => {
    const standIn = await start();
    const { appId } = standIn.addApp({ repository: '' });
    standIn.addBranch(appId, 'main');
    await expect(
      sdk(standIn).send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
  });
});

describe('jobs', () => {
  it('moves jobs along after GetJob polls', async () => {
    const standIn = await start({ jobProgress: { afterPolls: 2 } });
    const { appId } = standIn.addApp();
    standIn.addBranch(appId, 'main');
    const client = sdk(standIn);

    const started = await client.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));
    const jobId = started.jobSummary?.jobId ?? '';
    const seen: string[] = [String(started.jobSummary?.status)];
    for (let poll = 0; poll < 4; poll += 1) {
      const job = await client.send(new GetJobCommand({ appId, branchName: 'main', jobId }));
      seen.push(String(job.job?.summary?.status));
    }

    expect(seen).toEqual(['PENDING', 'PENDING', 'RUNNING', 'RUNNING', 'SUCCEED']);
    expect(standIn.job(appId, 'main', jobId)?.endTime).toBeDefined();
  });

  it('moves jobs along with time, and keeps a cancelling job in the way of StartJob', async () => {
    let clock = Date.now();
    const standIn = await start({
      now: () => clock,
      jobProgress: { afterMs: 1000, finalStatus: 'FAILED' },
      cancelAfterMs: 500,
    });
    const { appId } = standIn.addApp();
    standIn.addBranch(appId, 'main');
    const client = sdk(standIn);
    const startJob = () =>
      client.send(new StartJobCommand({ appId, branchName: 'main', jobType: 'RELEASE' }));

    const first = await startJob();
    const firstId = first.jobSummary?.jobId ?? '';
    clock += 1000;
    await client.send(new GetJobCommand({ appId, branchName: 'main', jobId: firstId }));
    expect(standIn.job(appId, 'main', firstId)?.status).toBe('RUNNING');
    clock += 1000;
    await client.send(new GetJobCommand({ appId, branchName: 'main', jobId: firstId }));
    expect(standIn.job(appId, 'main', firstId)?.status).toBe('FAILED');

    const second = await startJob();
    const secondId = second.jobSummary?.jobId ?? '';
    const stopped = await client.send(new StopJobCommand({ appId, branchName: 'main', jobId: secondId }));
    expect(stopped.jobSummary?.status).toBe('CANCELLING');
    await expect(startJob()).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'branch already have pending or running jobs',
      $metadata: { httpStatusCode: 429 },
    });
    clock += 500;
    const third = await startJob();
    expect(standIn.job(appId, 'main', secondId)?.status).toBe('CANCELLED');
    expect(third.jobSummary?.status).toBe('PENDING');
  });

  it('refuses to stop a finished job', async () => {
    const standIn = await start();
    const { appId } = standIn.addApp();
    standIn.addBranch(appId, 'main');
    const job = standIn.addJob(appId, 'main', { status: 'SUCCEED' });
    await expect(
      sdk(standIn).send(new StopJobCommand({ appId, branchName: 'main', jobId: job.jobId })),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
  });
});

describe('faults', () => {
  it('matches method and path pattern, for the given number of requests', async () => {
    const standIn = await start();
    const { appId } = standIn.addApp();
    standIn.addBranch(appId, 'main');
    standIn.injectFault({
      method: 'GET',
      path: /\/branches\/main$/,
      times: 2,
      action: { kind: 'error', status: 429, errorType: 'LimitExceededException', message: 'slow down' },
    });
    expect(standIn.pendingFaults()).toBe(2);
    const client = sdk(standIn);

    await expect(client.send(new GetBranchCommand({ appId, branchName: 'main' }))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'slow down',
    });
    await expect(client.send(new GetBranchCommand({ appId, branchName: 'main' }))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
    const third = await client.send(new GetBranchCommand({ appId, branchName: 'main' }));

    expect(third.branch?.branchName).toBe('main');
    expect(standIn.pendingFaults()).toBe(0);
    expect(standIn.requests.map((request) => request.fault)).toEqual(['error', 'error', undefined]);
  });
});
