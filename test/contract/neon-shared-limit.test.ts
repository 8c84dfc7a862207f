/**
 * Neon's limit is per account: runs that share an API key in one process (the webhook server's
 * concurrent deliveries, a worker's batch) pace their requests at one limiter. The real runner, the
 * real Neon port, and the stand-in holding Neon's documented limit (40 a second per route, here over
 * all routes at once); no time is asserted, only what Neon answered.
 */
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenBucket } from '../../bench/lib/token-bucket.js';
import { makePlan } from '../../src/core/plan.js';
import type { Logger } from '../../src/core/ports.js';
import { Redactor } from '../../src/core/redact.js';
import { parseSettings } from '../../src/core/settings.js';
import { NeonLimiters } from '../../src/neon/limiters.js';
import { type RunOptions, runPlan } from '../../src/runner.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import { DeliveryMemory } from '../../src/webhook/run/dedupe.js';
import { work } from '../../src/webhook/run/job.js';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { classifiedDelivery } from '../fixtures/deliveries.js';
import { pullRequest, pushTo } from '../fixtures/payloads.js';

let neon: NeonStandIn | undefined;
afterEach(async () => {
  expect(neon?.violations ?? []).toEqual([]);
  await neon?.close();
  neon = undefined;
});

const quiet: Logger = { info: () => {}, warning: () => {}, debug: () => {} };

describe('one limiter per Neon account', () => {
  it('the same host and key get the same limiter; another key or host, another', () => {
    const limiters = new NeonLimiters();
    const a = limiters.for('https://console.neon.tech/api/v2', 'napi_a');
    expect(limiters.for('https://console.neon.tech/api/v2', 'napi_a')).toBe(a);
    expect(limiters.for('https://console.neon.tech/api/v2', 'napi_b')).not.toBe(a);
    expect(limiters.for('http://127.0.0.1:4010/api/v2', 'napi_a')).not.toBe(a);
  });

  it("the webhook's deliveries hand their runs the limiter of their account", async () => {
    const limiters = new NeonLimiters();
    const seen: RunOptions['limiter'][] = [];
    const options = {
      log: new JsonLogger({ redactor: new Redactor(), write: () => {} }),
      deliveries: new DeliveryMemory(),
      limiters,
      run: async (_plan: unknown, runOptions: RunOptions) => {
        seen.push(runOptions.limiter);
        throw new Error('stop here');
      },
    };
    await work(classifiedDelivery('push', pushTo('feat/a'), undefined), options);
    await work(classifiedDelivery('pull_request', pullRequest('closed', 'feat/b'), undefined), options);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBeDefined();
    expect(seen[1]).toBe(seen[0]);
  });

  it('fifteen deploys at once with one key: Neon answers no 429', async () => {
    const standIn = await startNeonStandIn();
    neon = standIn;
    standIn.setRateLimit(new TokenBucket({ ratePerSecond: 40, burst: 40, now: () => performance.now() }));
    const inputs: Record<string, string> = {
      'neon-api-key': standIn.apiKey,
      'neon-project-id': standIn.projectId,
      'neon-api-host': standIn.url,
    };
    const settings = parseSettings((name) => inputs[name]);
    const limiters = new NeonLimiters();
    // Fifteen: a deploy spends five or six requests now (issue 22), and the total must pass the
    // burst with room to spare (ten gave 57-65, depending on the timing).
    const branches = 'abcdefghijklmno'.split('').map((name) => `feat/${name}`);
    const results = await Promise.all(
      branches.map((gitBranch) =>
        runPlan(
          makePlan({ command: 'deploy', gitBranch, newInGit: true }, settings, { defaultBranch: 'main' }),
          {
            settings,
            log: quiet,
            secret: () => {},
            neonOnly: true,
            limiter: limiters.for(settings.neonApiHost, settings.neonApiKey),
          },
        ),
      ),
    );
    expect(results.map((result) => result.kind === 'deploy' && result.created)).toEqual(
      branches.map(() => true),
    );
    // Enough requests that ten limiters of their own, 20 at once each, would have met the limit.
    expect(standIn.requests.length).toBeGreaterThanOrEqual(60);
    expect(standIn.requests.filter((request) => request.limited)).toEqual([]);
  });
});
