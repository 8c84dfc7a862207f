import { join } from 'node:path';
import { type Figure, median, ratio } from '../lib/figures.js';
import { ROOT, runTimed, tail } from '../lib/processes.js';
import { type Exchange, traceLine } from '../lib/proxy.js';
import { type MeasureContext, RECONCILE, TARGETS, TITLES } from '../lib/setup.js';
import { APP_ID, startWorld } from '../lib/world.js';

interface Sample {
  seconds: number;
  neonRequests: number;
  answers429: number;
  deletes: number;
  pages: number;
}

/**
 * reconcile through the CLI (`neon-amplify-branch reconcile`, as a scheduled job runs it): 1,000
 * preview branches of which 50 still have an Amplify branch, every request 20 ms, Neon behind a
 * 40 req/s token bucket. A fresh world each run, since a run deletes what the next needs.
 */
export async function reconcile(context: MeasureContext): Promise<Figure[]> {
  const samples: Sample[] = [];
  const kept = RECONCILE.previewBranches - RECONCILE.orphans;
  for (let run = 0; run < context.runs; run++) {
    const world = await startWorld({
      latencyMs: RECONCILE.latencyMs,
      operationMs: 1000,
      neonRate: { ratePerSecond: RECONCILE.ratePerSecond, burst: RECONCILE.burst },
    });
    try {
      for (let i = 0; i < RECONCILE.previewBranches; i++) {
        world.neon.addBranch({ name: `preview/feature-${i}` });
        if (i < kept) world.addAmplifyBranch(`feature-${i}`);
      }
      const result = await runTimed(process.execPath, [join(ROOT, 'dist/cli/index.js'), 'reconcile'], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '/',
          NEON_API_KEY: world.neon.apiKey,
          NEON_PROJECT_ID: world.neon.projectId,
          NEON_API_HOST: world.neonApiHost,
          AMPLIFY_APP_ID: APP_ID,
          ...world.awsEnv,
        },
        timeoutMs: 600_000,
      });
      const left = world.neon.state.branches.filter((branch) => branch.name.startsWith('preview/')).length;
      if (result.code !== 0 || left !== kept) {
        throw new Error(
          `reconcile exited with ${result.code} and left ${left} preview branches (expected ${kept}):\n${tail(result)}`,
        );
      }
      const neon = world.log.filter((exchange) => exchange.service === 'neon');
      const sample: Sample = {
        seconds: (result.exitedAt - result.startedAt) / 1000,
        neonRequests: neon.length,
        answers429: neon.filter((exchange) => exchange.status === 429).length,
        deletes: neon.filter((exchange) => exchange.method === 'DELETE' && isSuccess(exchange)).length,
        pages: neon.filter((exchange) => isBranchListing(exchange) && isSuccess(exchange)).length,
      };
      samples.push(sample);
      if (run === 0)
        context.detail(
          'Requests of one reconcile (first 14 and last 3, times from process start)',
          trace(world.log, result.startedAt),
        );
      context.progress(
        `reconcile, run ${run + 1}/${context.runs}: ${sample.seconds.toFixed(1)} s, ${sample.neonRequests} Neon requests, ${sample.answers429} answered 429`,
      );
    } finally {
      await world.close();
    }
  }
  const seconds = median(samples.map((sample) => sample.seconds));
  // The floor the issue names: every deletion and every listing page, each a request at the
  // limit's rate. Pages are the ones the run needed (the same in every run); see bench/README.md.
  const pages = median(samples.map((sample) => sample.pages));
  const bound = (RECONCILE.orphans + pages) / RECONCILE.ratePerSecond;
  const answers429 = median(samples.map((sample) => sample.answers429));
  const requests = median(samples.map((sample) => sample.neonRequests));
  return [
    {
      measure: 'reconcile',
      title: TITLES.reconcile,
      ours: { value: seconds, unit: 's' },
      against: { label: '(deletes + pages) / rate', amount: { value: bound, unit: 's' } },
      ratio: ratio(seconds, bound),
      target: TARGETS.reconcile as number,
      samples: samples.map((sample) => sample.seconds),
      notes: [
        `${(requests / seconds).toFixed(1)} Neon requests/s of the ${RECONCILE.ratePerSecond} allowed`,
        `${answers429} answers 429 of ${requests} Neon requests (${((100 * answers429) / requests).toFixed(1)}%; target < 1%)`,
        `${pages} listing pages`,
      ],
      extra: {
        answers429,
        neonRequests: requests,
        share429: Math.round((10_000 * answers429) / requests) / 10_000,
        neonRequestsPerSecond: Math.round((10 * requests) / seconds) / 10,
        pages,
      },
    },
  ];
}

/** The run's opening and end, and how far apart its deletions were: its pace against the limit. */
function trace(log: readonly Exchange[], origin: number): string[] {
  const deletes = log.filter((exchange) => exchange.service === 'neon' && exchange.method === 'DELETE');
  const gaps = deletes.slice(1).map((exchange, i) => exchange.arrivedAt - (deletes[i] as Exchange).arrivedAt);
  return [
    ...log.slice(0, 14).map((exchange) => traceLine(exchange, origin)),
    `   ... ${log.length - 17} more ...`,
    ...log.slice(-3).map((exchange) => traceLine(exchange, origin)),
    `DELETEs: ${Math.max(0, ...deletes.map((_, i) => inFlight(deletes, i)))} at most in flight; median gap between DELETEs ${gaps.length > 0 ? median(gaps).toFixed(1) : '—'} ms (the limit allows one per ${1000 / RECONCILE.ratePerSecond} ms)`,
  ];
}

/** How many of `exchanges` were in flight when the i-th arrived. */
function inFlight(exchanges: readonly Exchange[], i: number): number {
  const at = (exchanges[i] as Exchange).arrivedAt;
  return exchanges.filter((exchange) => exchange.arrivedAt <= at && exchange.answeredAt > at).length;
}

function isSuccess(exchange: Exchange): boolean {
  return exchange.status >= 200 && exchange.status < 300;
}

function isBranchListing(exchange: Exchange): boolean {
  return exchange.method === 'GET' && /\/projects\/[^/]+\/branches$/.test(exchange.url.split('?')[0] ?? '');
}
