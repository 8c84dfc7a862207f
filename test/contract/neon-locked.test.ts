import { afterEach, describe, expect, it } from 'vitest';
import { Deadline } from '../../src/core/deadline.js';
import { ApiError, TimeoutError } from '../../src/core/errors.js';
import { DEFAULT_RETRY_POLICY } from '../../src/core/retry.js';
import { branchesPath, FAST_RETRY, type Harness, startHarness } from './neon-harness.js';

/**
 * Neon answers 423 while a conflicting operation runs anywhere in the project, its own background
 * ones (availability checks, suspends) included (docs/neon-stand-in.md, "Project-wide 423"). The
 * port retries a 423 for as long as the run's budget (timeout-minutes) lasts, not a fixed count.
 */
let harness: Harness;

afterEach(async () => {
  expect(harness.standIn.violations).toEqual([]);
  await harness.standIn.close();
});

async function deleteRaw(h: Harness, branchId: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${h.standIn.url}${branchesPath(h)}/${branchId}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${h.standIn.apiKey}` },
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('the stand-in', () => {
  it("with lockScope 'project', refuses a change to any branch with 423 while a background operation runs", async () => {
    harness = await startHarness({ sharedClock: true, standIn: { lockScope: 'project' } });
    const { standIn } = harness;
    const preview = standIn.addBranch({ name: 'preview/a' });
    const check = standIn.startBackgroundOperation({ durationMs: 5_000 });
    expect(check).toMatchObject({ action: 'check_availability', branch_id: standIn.defaultBranch().id });

    const refused = await deleteRaw(harness, preview.id);
    expect(refused.status).toBe(423);
    expect(refused.body).toMatchObject({
      message: 'project already has running conflicting operations, scheduling of new ones is prohibited',
    });

    // It ends on the stand-in's clock, as Neon's own operations end whether anyone reads them or not.
    harness.advance(4_999);
    expect((await deleteRaw(harness, preview.id)).status).toBe(423);
    harness.advance(1);
    expect((await deleteRaw(harness, preview.id)).status).toBe(200);
    expect(standIn.state.operations.find((each) => each.id === check.id)?.status).toBe('finished');
  });

  it("by default ('branch') refuses only a change to the branch whose operation runs", async () => {
    harness = await startHarness({ sharedClock: true });
    const { standIn } = harness;
    const preview = standIn.addBranch({ name: 'preview/a' });
    standIn.startBackgroundOperation({ durationMs: 5_000 });

    expect((await deleteRaw(harness, preview.id)).status).toBe(200);
  });
});

describe('the port', () => {
  it('retries a 423 past the retry count while the budget lasts, logging each retry with its attempt', async () => {
    harness = await startHarness({ sharedClock: true, standIn: { lockScope: 'project' } });
    const { standIn, sleeps, logs } = harness;
    // A minute of Neon's own work: longer than five retries with backoff last.
    standIn.startBackgroundOperation({ durationMs: 60_000 });
    const port = harness.portWith({
      retry: DEFAULT_RETRY_POLICY,
      deadline: new Deadline(10 * 60_000, harness.now),
    });

    const created = await port.createBranch({ name: 'preview/x', parentId: undefined });

    expect(standIn.branchByName('preview/x')?.id).toBe(created.branch.id);
    const statuses = standIn.requestsTo('POST', branchesPath(harness)).map((r) => r.status);
    const locked = statuses.filter((status) => status === 423).length;
    expect(locked).toBeGreaterThan(DEFAULT_RETRY_POLICY.retries);
    expect(statuses).toEqual([...Array(locked).fill(423), 201]);
    // Every wait went through the injected sleep, backed off, and none is longer than the policy's cap.
    expect(sleeps).toHaveLength(locked);
    expect(sleeps.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThanOrEqual(60_000);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxTimeoutMs);
    expect(sleeps.at(-1)).toBeGreaterThan(sleeps[0] ?? Number.POSITIVE_INFINITY);
    const retries = logs.filter((line) =>
      line.startsWith("warning: Creating Neon branch 'preview/x': attempt"),
    );
    expect(retries).toHaveLength(locked);
    retries.forEach((line, index) => {
      expect(line).toContain(
        `attempt ${index + 1} failed (423: project already has running conflicting operations`,
      );
      expect(line).toMatch(/retrying in .+ while the run's budget \(timeout-minutes\) lasts/);
    });
  });

  it('gives up on a 423 that outlasts the budget, naming the step, the budget and the last answer', async () => {
    harness = await startHarness({ sharedClock: true, standIn: { lockScope: 'project' } });
    const { standIn, sleeps } = harness;
    standIn.startBackgroundOperation({ outcome: 'never' });
    const port = harness.portWith({
      retry: DEFAULT_RETRY_POLICY,
      deadline: new Deadline(60_000, harness.now),
    });

    const creating = port.createBranch({ name: 'preview/x', parentId: undefined });

    await expect(creating).rejects.toThrow(TimeoutError);
    await expect(creating).rejects.toThrow(
      /^Creating Neon branch 'preview\/x' did not finish within the run's budget of 1 minute \(timeout-minutes\); the last attempt: 423: project already has running conflicting operations/,
    );
    // It never slept past the budget, and it retried more than the count would have allowed.
    expect(sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThan(60_000);
    expect(standIn.requestsTo('POST', branchesPath(harness)).length).toBeGreaterThan(
      DEFAULT_RETRY_POLICY.retries + 1,
    );
    expect(standIn.branchByName('preview/x')).toBeUndefined();
  });

  it('waits at least 100 ms between 423s even with a policy of no backoff, so the budget runs out', async () => {
    harness = await startHarness({ sharedClock: true, standIn: { lockScope: 'project' } });
    const { standIn, sleeps } = harness;
    standIn.startBackgroundOperation({ outcome: 'never' });
    const port = harness.portWith({
      retry: { ...FAST_RETRY, minTimeoutMs: 0, maxTimeoutMs: 0 },
      deadline: new Deadline(2_000, harness.now),
    });

    await expect(port.createBranch({ name: 'preview/x', parentId: undefined })).rejects.toThrow(TimeoutError);
    expect(Math.min(...sleeps)).toBe(100);
    expect(standIn.requestsTo('POST', branchesPath(harness)).length).toBeLessThanOrEqual(20);
  });

  it('keeps the retry count for other retryable answers, budget or not', async () => {
    harness = await startHarness({ sharedClock: true });
    const { standIn } = harness;
    standIn.injectFault({
      method: 'POST',
      path: branchesPath(harness),
      times: 20,
      fault: { kind: 'respond', status: 503 },
    });
    const port = harness.portWith({ deadline: new Deadline(10 * 60_000, harness.now) });

    const creating = port.createBranch({ name: 'preview/x', parentId: undefined });

    await expect(creating).rejects.toThrow(ApiError);
    await expect(creating).rejects.toMatchObject({ status: 503 });
    expect(standIn.requestsTo('POST', branchesPath(harness))).toHaveLength(FAST_RETRY.retries + 1);
  });

  it('without a budget, retries a 423 as many times as the policy says', async () => {
    harness = await startHarness({ sharedClock: true, standIn: { lockScope: 'project' } });
    const { standIn } = harness;
    standIn.startBackgroundOperation({ outcome: 'never' });

    const creating = harness.port.createBranch({ name: 'preview/x', parentId: undefined });

    await expect(creating).rejects.toMatchObject({ status: 423 });
    expect(standIn.requestsTo('POST', branchesPath(harness))).toHaveLength(FAST_RETRY.retries + 1);
  });
});
