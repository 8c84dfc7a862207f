import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import { DEFAULT_RETRY_POLICY } from '../../src/core/retry.js';
import { branchesPath, FAST_RETRY, type Harness, startHarness } from './neon-harness.js';

let harness: Harness;

afterEach(async () => {
  expect(harness.standIn.violations).toEqual([]);
  await harness.standIn.close();
});

const attempts = FAST_RETRY.retries + 1;

describe('retried failures', () => {
  it('retries 423 Locked until the create goes through', async () => {
    harness = await startHarness();
    const { standIn, port, logs } = harness;
    standIn.injectFault({
      method: 'POST',
      path: branchesPath(harness),
      times: 2,
      fault: { kind: 'respond', status: 423 },
    });

    const created = await port.createBranch({ name: 'preview/x', parentId: standIn.defaultBranch().id });

    expect(standIn.branchByName('preview/x')?.id).toBe(created.branch.id);
    expect(standIn.requestsTo('POST', branchesPath(harness)).map((r) => r.status)).toEqual([423, 423, 201]);
    const warnings = logs.filter((line) =>
      line.startsWith("warning: Creating Neon branch 'preview/x': attempt"),
    );
    expect(warnings).toHaveLength(2);
  });

  it('waits as long as Retry-After says on 429', async () => {
    harness = await startHarness();
    const { standIn, port, sleeps } = harness;
    standIn.injectFault({
      method: 'GET',
      path: branchesPath(harness),
      fault: { kind: 'respond', status: 429, headers: { 'retry-after': '7' } },
    });

    expect((await port.findBranchByName('main'))?.default).toBe(true);

    expect(sleeps).toEqual([7_000]);
    expect(standIn.requestsTo('GET', branchesPath(harness)).map((r) => r.status)).toEqual([429, 200]);
  });

  it('waits a 429 with Retry-After: 2 out once (the limiter holds the retry), not again with a backoff on top', async () => {
    harness = await startHarness({ port: { retry: DEFAULT_RETRY_POLICY } });
    const { standIn, port, sleeps } = harness;
    standIn.injectFault({
      method: 'GET',
      path: branchesPath(harness),
      fault: { kind: 'respond', status: 429, headers: { 'retry-after': '2' } },
    });
    const before = harness.now();

    expect((await port.findBranchByName('main'))?.default).toBe(true);

    // DEFAULT_RETRY_POLICY's first backoff is 0.5 to 1 s: it would show as a wait of its own.
    expect(sleeps).toEqual([2_000]);
    expect(harness.now() - before).toBe(2_000);
    expect(standIn.requestsTo('GET', branchesPath(harness)).map((r) => r.status)).toEqual([429, 200]);
  });

  it.each([500, 502, 503])('retries %i', async (status) => {
    harness = await startHarness();
    const { standIn, port } = harness;
    const branch = standIn.addBranch({ name: 'preview/x' });
    standIn.injectFault({
      path: `${branchesPath(harness)}/${branch.id}`,
      fault: { kind: 'respond', status },
    });

    expect(await port.deleteBranch(branch.id)).toBe('deleted');

    expect(
      standIn.requestsTo('DELETE', `${branchesPath(harness)}/${branch.id}`).map((r) => r.status),
    ).toEqual([status, 200]);
  });

  it('retries a dropped connection', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    const path = `/projects/${standIn.projectId}/branches/${standIn.defaultBranch().id}/databases`;
    standIn.injectFault({ path, fault: { kind: 'drop' } });

    const databases = await port.listDatabases(standIn.defaultBranch().id);

    expect(databases).toEqual([{ name: 'neondb', ownerName: 'neondb_owner' }]);
    expect(standIn.requestsTo('GET', path).map((r) => r.dropped)).toEqual([true, false]);
  });

  it('retries a request that timed out', async () => {
    harness = await startHarness({ port: { requestTimeoutMs: 100 } });
    const { standIn, port } = harness;
    standIn.injectFault({ path: branchesPath(harness), fault: { kind: 'delay', ms: 1_000 } });

    expect((await port.listBranches('')).map((branch) => branch.name)).toEqual(['main']);
    expect(standIn.requestsTo('GET', branchesPath(harness))).toHaveLength(2);
  });

  it('fails with a message naming the host once every attempt timed out', async () => {
    harness = await startHarness({ port: { requestTimeoutMs: 100 } });
    const { standIn, port } = harness;
    standIn.injectFault({
      path: branchesPath(harness),
      times: attempts,
      fault: { kind: 'delay', ms: 1_000 },
    });

    const finding = port.findBranchByName('preview/x');
    await expect(finding).rejects.toThrow(ApiError);

    const host = new URL(standIn.url).host;
    await expect(finding).rejects.toMatchObject({
      message: `Finding Neon branch 'preview/x' failed: no answer from ${host} within 100 ms (the request timed out)`,
    });
    expect(standIn.requestsTo('GET', branchesPath(harness))).toHaveLength(attempts);
  });

  it('retries a refused connection, then names the host and the setting', async () => {
    harness = await startHarness();
    const port = harness.portWith({ apiHost: 'http://127.0.0.1:1/api/v2' });

    const listing = port.listBranches('preview/');

    await expect(listing).rejects.toThrow(Error);
    await expect(listing).rejects.toMatchObject({
      message:
        "Listing Neon branches with prefix 'preview/' failed: 127.0.0.1:1 refused the connection (ECONNREFUSED); check neon-api-host",
    });
    expect(harness.logs.filter((line) => line.startsWith('warning:'))).toHaveLength(FAST_RETRY.retries);
  });

  it('fails with the last status and request id once every attempt got 503', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    standIn.injectFault({
      path: branchesPath(harness),
      times: attempts,
      fault: { kind: 'respond', status: 503 },
    });

    const reading = port.getDefaultBranch();
    await expect(reading).rejects.toThrow(Error);

    const last = standIn.requestsTo('GET', branchesPath(harness)).at(-1);
    expect(standIn.requestsTo('GET', branchesPath(harness))).toHaveLength(attempts);
    await expect(reading).rejects.toMatchObject({
      status: 503,
      requestId: last?.requestId,
      message: expect.stringContaining(`503: service unavailable (request id ${last?.requestId})`),
    });
  });
});

describe('failures that are not retried', () => {
  it.each([400, 401, 403, 404, 409, 422])('passes %i on after one request', async (status) => {
    harness = await startHarness();
    const { standIn, port } = harness;
    standIn.injectFault({
      path: branchesPath(harness),
      fault: { kind: 'respond', status, body: { code: 'SOME_CODE', message: 'Neon says no' } },
    });

    const listing = port.listBranches('preview/');

    await expect(listing).rejects.toThrow(ApiError);
    await expect(listing).rejects.toMatchObject({
      status,
      code: 'SOME_CODE',
      message: expect.stringContaining(`${status} SOME_CODE: Neon says no`),
    });
    expect(standIn.requests).toHaveLength(1);
  });

  it('says the API key is wrong or revoked on 401 and names neon-api-key', async () => {
    harness = await startHarness();
    const { standIn } = harness;
    const port = harness.portWith({ apiKey: 'revoked-key-value' });

    const finding = port.findBranchByName('preview/x');

    await expect(finding).rejects.toThrow(Error);
    await expect(finding).rejects.toMatchObject({ status: 401 });
    await expect(finding).rejects.toThrow('authentication required');
    await expect(finding).rejects.toThrow('wrong or has been revoked');
    await expect(finding).rejects.toThrow('neon-api-key');
    expect(standIn.requests.map((r) => r.authorized)).toEqual([false]);
  });

  it('explains a full branch quota on 422 BRANCHES_LIMIT_EXCEEDED and creates nothing', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    standIn.addBranch({ name: 'preview/a' });
    standIn.setBranchLimit(2);

    const creating = port.createBranch({ name: 'preview/b', parentId: standIn.defaultBranch().id });

    await expect(creating).rejects.toThrow(Error);
    await expect(creating).rejects.toMatchObject({
      status: 422,
      code: 'BRANCHES_LIMIT_EXCEEDED',
      message: expect.stringMatching(
        /^Creating Neon branch 'preview\/b' failed: 422 BRANCHES_LIMIT_EXCEEDED: /,
      ),
    });
    await expect(creating).rejects.toThrow('branch quota of the Neon plan is full');
    await expect(creating).rejects.toThrow('command: reconcile');
    expect(standIn.branchByName('preview/b')).toBeUndefined();
    expect(standIn.requestsTo('POST', branchesPath(harness))).toHaveLength(1);
  });

  it('keeps the first line of a body that is not JSON', async () => {
    harness = await startHarness();
    const { standIn, port } = harness;
    standIn.injectFault({
      path: branchesPath(harness),
      times: attempts,
      fault: { kind: 'respond', status: 502, rawBody: '\n<html>Bad gateway from the proxy</html>\n<body/>' },
    });

    const listing = port.listBranches('x');

    await expect(listing).rejects.toThrow(Error);
    await expect(listing).rejects.toThrow('502: <html>Bad gateway from the proxy</html>');
  });
});

describe('secrets', () => {
  it('never puts the API key into an error message, its cause or a log line', async () => {
    harness = await startHarness({ port: { requestTimeoutMs: 100 } });
    const { standIn, logs } = harness;
    const key = standIn.apiKey;
    const port = harness.port;
    // The cause is a plain summary of the failure: no client object with its config or headers.
    const failsWithoutTheKey = async (call: Promise<unknown>) => {
      await expect(call).rejects.toThrow(ApiError);
      await expect(call).rejects.toMatchObject({
        message: expect.not.stringContaining(key),
        cause: expect.toSatisfy(
          (cause: object) =>
            !JSON.stringify(cause).includes(key) &&
            Object.getPrototypeOf(cause) === Object.prototype &&
            !Object.keys(cause).includes('config') &&
            !Object.keys(cause).includes('headers'),
          'a plain object without the API key, a config or headers',
        ),
      });
    };
    const path = branchesPath(harness);

    standIn.injectFault({ path, times: attempts, fault: { kind: 'respond', status: 500 } });
    await failsWithoutTheKey(port.listBranches(''));
    standIn.injectFault({ path, times: attempts, fault: { kind: 'drop' } });
    await failsWithoutTheKey(port.listBranches(''));
    standIn.injectFault({ path, times: attempts, fault: { kind: 'delay', ms: 1_000 } });
    await failsWithoutTheKey(port.listBranches(''));
    standIn.setBranchLimit(1);
    await failsWithoutTheKey(port.createBranch({ name: 'preview/x', parentId: standIn.defaultBranch().id }));
    await failsWithoutTheKey(harness.portWith({ apiKey: `${key}-wrong` }).listBranches(''));

    expect(logs.filter((line) => line.startsWith('warning:')).length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(key);
  });
});
