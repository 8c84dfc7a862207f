import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenBucket } from '../../bench/lib/token-bucket.js';
import { execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import type { Logger } from '../../src/core/ports.js';
import type { ReconcileResult } from '../../src/core/result.js';
import { parseSettings } from '../../src/core/settings.js';
import { createNeonPort } from '../../src/neon/port.js';
import { MemoryAmplify } from '../fakes/memory-ports.js';
import { type NeonStandIn, type RecordedRequest, startNeonStandIn } from '../fakes/neon-server.js';

// Reconcile over many branches against the Neon stand-in behind a rate limit stricter than the
// one the port paces itself to: the real port (axios, retries, the limiter on real time), the
// real flow. What is asserted is the end state and the stand-in's request log, never a time.

let neon: NeonStandIn;

afterEach(async () => {
  expect(neon.violations).toEqual([]);
  await neon.close();
});

const quiet: Logger = { info: () => {}, warning: () => {}, debug: () => {} };

describe('reconcile under a rate limit', () => {
  it('ends in the exact state, deletes no branch twice and gets through the 429s', async () => {
    neon = await startNeonStandIn();
    const amplify = new MemoryAmplify();
    const kept: string[] = [];
    const orphans: string[] = [];
    for (let i = 0; i < 150; i += 1) {
      const branch = neon.addBranch({ name: `preview/feature-${i}` });
      if (i % 5 === 0) {
        await amplify.createBranch({ name: `feature-${i}`, environmentVariables: {} });
        kept.push(branch.id);
      } else orphans.push(branch.id);
    }
    const guarded = neon.addBranch({ name: 'preview/guarded', protected: true });
    const outside = neon.addBranch({ name: 'other/feature-1' });
    const primary = neon.addBranch({ name: 'preview/main' });
    // One DELETE goes through but its answer is lost: the retry must end as "gone", not fail.
    const dropped = orphans[7] as string;
    neon.injectFault({
      method: 'DELETE',
      path: `/projects/${neon.projectId}/branches/${dropped}`,
      fault: { kind: 'drop', phase: 'after' },
    });
    // The port paces itself to 200 a second (burst 20); the service allows 100 (burst 5).
    neon.setRateLimit(new TokenBucket({ ratePerSecond: 100, burst: 5, now: () => performance.now() }));

    const settings = parseSettings(
      (name) =>
        ({
          'neon-api-key': neon.apiKey,
          'neon-project-id': neon.projectId,
          'neon-api-host': neon.url,
          'amplify-app-id': 'd1a2b3c4d5e6f7',
          'primary-branches': 'main',
          command: 'reconcile',
        })[name as string],
    );
    const port = createNeonPort({
      apiKey: neon.apiKey,
      apiHost: neon.url,
      projectId: neon.projectId,
      log: quiet,
      rateLimits: { pace: { ratePerSecond: 200, burst: 20 } },
      retry: { retries: 8, minTimeoutMs: 10, maxTimeoutMs: 100, maxRetryAfterMs: 60_000 },
    });
    const plan = makePlan({ command: 'reconcile' }, settings, { defaultBranch: 'main' });
    const result = (await execute(plan, {
      neon: port,
      amplify,
      settings,
      log: quiet,
      secret: () => {},
    })) as ReconcileResult;

    // The exact state: every orphan gone, everything else still there.
    for (const id of orphans) expect(neon.branchById(id), id).toBeUndefined();
    for (const id of [...kept, guarded.id, outside.id, primary.id, neon.defaultBranch().id]) {
      expect(neon.branchById(id), id).toBeDefined();
    }
    expect(result.report.failed).toEqual([]);
    expect(result.report.deleted).toHaveLength(orphans.length);

    // The rate limit was met, and every refused request was tried again.
    const deletes = neon.requests.filter((request) => request.method === 'DELETE');
    expect(neon.requests.some((request) => request.limited)).toBe(true);
    // No branch deleted twice: per id, one DELETE that Neon carried out (answered 200, or whose
    // answer was lost); any other was refused by the limit or found it gone (204).
    const byId = new Map<string, RecordedRequest[]>();
    for (const request of deletes) {
      const id = request.path.split('/').at(-1) as string;
      byId.set(id, [...(byId.get(id) ?? []), request]);
    }
    expect([...byId.keys()].sort()).toEqual([...orphans].sort());
    for (const [id, requests] of byId) {
      const carriedOut = requests.filter(
        (request) => !request.limited && (request.status === 200 || request.dropped),
      );
      expect(carriedOut, id).toHaveLength(1);
      const others = requests.filter((request) => !carriedOut.includes(request));
      expect(
        others.every((request) => request.limited || request.status === 204),
        id,
      ).toBe(true);
    }
    expect(
      byId
        .get(dropped)
        ?.filter((request) => !request.limited)
        .map((request) => request.status),
    ).toEqual([undefined, 204]);
  });
});
