/**
 * Neon's budget (700 requests a minute per account): the requests a deploy makes through the real
 * port against the stand-in, counted. The operations end by the clock, as Neon's do: a create's in
 * 1 s, a password reset's in 0.5 s, on a fake clock that the port's sleeps move, so the count does
 * not depend on the machine. The ceilings are the issue's; they are counts, not times.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import type { NeonPort } from '../../src/core/ports.js';
import { MemoryAmplify } from '../fakes/memory-ports.js';
import type { RecordedRequest } from '../fakes/neon-server.js';
import { testSettings } from '../fakes/settings.js';
import { type Harness, startHarness } from './neon-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.standIn.close();
  harness = undefined;
});

const DONE = new Set(['finished', 'skipped']);

async function world(inputs: Record<string, string> = {}) {
  const h = await startHarness({
    standIn: { operationSteps: Number.POSITIVE_INFINITY, operationDurationMs: 1_000 },
    sharedClock: true,
  });
  harness = h;
  h.standIn.planOperations({ action: 'apply_config', durationMs: 500 });
  const amplify = new MemoryAmplify();
  amplify.branches.set('feat/x', { name: 'feat/x', displayName: 'feat-x', environmentVariables: {} });
  const settings = testSettings({ 'neon-project-id': h.standIn.projectId, ...inputs });
  // Whatever the Neon stand-in has not finished when Amplify is written to or a job starts.
  const unfinished: string[][] = [];
  const note = () =>
    unfinished.push(h.standIn.state.operations.filter((o) => !DONE.has(o.status)).map((o) => o.action));
  const set = amplify.setEnvironmentVariables.bind(amplify);
  amplify.setEnvironmentVariables = async (name, variables) => {
    note();
    return set(name, variables);
  };
  const start = amplify.startJob.bind(amplify);
  amplify.startJob = async (name) => {
    note();
    return start(name);
  };
  const deploy = async (newInGit: boolean) => {
    const before = h.standIn.requests.length;
    const plan = makePlan({ command: 'deploy', gitBranch: 'feat/x', newInGit }, settings, {
      defaultBranch: 'main',
    });
    await execute(plan, {
      neon: h.port as NeonPort,
      amplify,
      settings,
      log: { info: () => {}, warning: () => {}, debug: () => {} },
      secret: () => {},
      sleep: async (ms) => h.advance(ms),
      now: h.now,
    });
    return h.standIn.requests.slice(before);
  };
  return { h, amplify, deploy, unfinished };
}

const named = (requests: RecordedRequest[]) =>
  requests.map(
    (r) => `${r.method} ${r.path}${r.query.search === undefined ? '' : ` search=${r.query.search}`}`,
  );

describe("a deploy's Neon requests", () => {
  it('a new preview with the defaults: at most 12, every operation finished before the write and the job', async () => {
    const w = await world();
    const requests = await w.deploy(true);
    expect(requests.length, named(requests).join('\n')).toBeLessThanOrEqual(12);
    // The create's two operations are read together: no round reads them one by one.
    const create = requests.filter((r) => r.method === 'GET' && /\/operations\/[^/]+$/.test(r.path));
    expect(create.length).toBeLessThanOrEqual(2);
    expect(w.unfinished).toEqual([[], []]);
    expect(w.amplify.branches.get('feat/x')?.environmentVariables.DATABASE_URL).toContain('-pooler');
  });

  it('a new preview with reset-role-password: false: at most 8', async () => {
    const w = await world({ 'reset-role-password': 'false' });
    const requests = await w.deploy(true);
    expect(requests.length, named(requests).join('\n')).toBeLessThanOrEqual(8);
    expect(w.unfinished).toEqual([[], []]);
  });

  it('a re-push: at most 5, and neither the default branch nor the databases are listed', async () => {
    const w = await world();
    await w.deploy(true);
    w.amplify.jobs.clear();
    const requests = await w.deploy(false);
    expect(requests.length, named(requests).join('\n')).toBeLessThanOrEqual(5);
    const paths = named(requests);
    expect(paths.filter((p) => p.endsWith('/databases'))).toEqual([]);
    expect(paths.filter((p) => /GET .*\/branches$/.test(p))).toEqual([]);
  });

  it("a new preview sends its password reset when the create typically ends, without reading the create's operations first", async () => {
    const w = await world();
    const requests = named(await w.deploy(true));
    const reset = requests.findIndex((r) => r.endsWith('/reset_password'));
    expect(reset, requests.join('\n')).toBeGreaterThan(0);
    expect(requests.slice(0, reset).filter((r) => r.includes('/operations'))).toEqual([]);
    expect(w.unfinished).toEqual([[], []]);
  });

  it('a create that runs long: the early reset meets 423 and is sent again on the wait schedule', async () => {
    const w = await world();
    // 450 ms past the typical second: the dense reads' 200 ms and a few growing ones.
    w.h.standIn.planOperations({ action: 'create_branch', durationMs: 1_450 });
    w.h.standIn.planOperations({ action: 'start_compute', durationMs: 1_450 });
    const before = w.h.standIn.requests.length;
    await w.deploy(true);
    const recorded = w.h.standIn.requests.slice(before);
    const resets = recorded.filter((r) => r.path.endsWith('/reset_password'));
    expect(resets.map((r) => r.status)).toContain(423);
    expect(resets.at(-1)?.status).toBe(200);
    // Each 423 is one request, as a read of the operations would have been: no more than 8 in all.
    expect(resets.length).toBeLessThanOrEqual(8);
    // Nothing was written or started before every operation, the create's included, had finished.
    expect(w.unfinished).toEqual([[], []]);
    expect(w.amplify.branches.get('feat/x')?.environmentVariables.DATABASE_URL).toContain('-pooler');
  });
});
