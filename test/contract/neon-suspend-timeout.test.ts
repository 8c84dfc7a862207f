import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import { branchesPath, type Harness, refuseCreate, startHarness } from './neon-harness.js';

/**
 * Neon's Free plan is reported (by a third party, unverified) to refuse a compute's
 * `suspend_timeout_seconds`; a refused create that carried it says which setting to drop
 * (docs/neon-stand-in.md, `refuseSuspendTimeout`).
 */
let harness: Harness;

afterEach(async () => {
  expect(harness.standIn.violations).toEqual([]);
  await harness.standIn.close();
});

describe('the stand-in', () => {
  it('with refuseSuspendTimeout, refuses a create that sets suspend_timeout_seconds, and takes one that leaves the default', async () => {
    harness = await startHarness({ standIn: { refuseSuspendTimeout: true } });
    const { standIn } = harness;
    const post = (endpoint: Record<string, unknown>, name: string) =>
      fetch(`${standIn.url}${branchesPath(harness)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${standIn.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ branch: { name }, endpoints: [{ type: 'read_write', ...endpoint }] }),
      });

    const refused = await post({ suspend_timeout_seconds: 300 }, 'preview/a');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      message: expect.stringContaining('suspend_timeout_seconds'),
    });
    expect(standIn.branchByName('preview/a')).toBeUndefined();

    expect((await post({ suspend_timeout_seconds: 0 }, 'preview/b')).status).toBe(201);
    expect((await post({}, 'preview/c')).status).toBe(201);
  });
});

describe('the port', () => {
  it('names suspend-timeout as the setting to drop when Neon refuses it', async () => {
    harness = await startHarness({ standIn: { refuseSuspendTimeout: true } });
    const { standIn, port } = harness;

    const creating = port.createBranch({
      name: 'preview/a',
      parentId: undefined,
      suspendTimeoutSeconds: 120,
    });

    await expect(creating).rejects.toThrow(ApiError);
    const message = await creating.catch((error: Error) => error.message);
    expect(message).toMatch(/^Creating Neon branch 'preview\/a' failed: 400: .*suspend_timeout_seconds/);
    expect(message).toContain('Neon refused suspend-timeout (120');
    expect(message).toContain('Remove the suspend-timeout setting');
    expect(standIn.requestsTo('POST', branchesPath(harness))).toHaveLength(1);
  });

  it("says 'if' when the refusal of a create that carried it does not name it", async () => {
    harness = await startHarness();
    const { port } = harness;
    refuseCreate(harness, 400, { message: 'request is not allowed on this plan' });

    const creating = port.createBranch({
      name: 'preview/a',
      parentId: undefined,
      suspendTimeoutSeconds: 120,
    });

    await expect(creating).rejects.toThrow(
      /request is not allowed on this plan.*carried suspend-timeout \(120.*if the project is on the Free plan, remove the suspend-timeout setting/,
    );
  });

  it('leaves a refusal of a create without it as Neon said it', async () => {
    harness = await startHarness();
    const { port } = harness;
    refuseCreate(harness, 400, { message: 'request is not allowed on this plan' });

    const creating = port.createBranch({ name: 'preview/a', parentId: undefined });

    await expect(creating).rejects.toThrow(
      /^Creating Neon branch 'preview\/a' failed: 400: request is not allowed on this plan \(request id [^)]+\)$/,
    );
  });
});
