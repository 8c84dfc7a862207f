import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sign } from '@octokit/webhooks-methods';
import { ping } from '../../test/fixtures/payloads.js';
import type { MeasureName } from '../lib/args.js';
import { type Figure, median, ratio } from '../lib/figures.js';
import { ROOT, runTimed, tail } from '../lib/processes.js';
import { type MeasureContext, TARGETS, TITLES } from '../lib/setup.js';

const SECRET = 'bench-start-up-secret';
const HOOK = join(import.meta.dirname, '../lib/max-rss-hook.mjs');
const COLD_START = join(import.meta.dirname, '../lib/cold-start.mjs');

/** One start-up, timed: milliseconds from spawn to the moment that counts, and the peak RSS then. */
interface Sample {
  ms: number;
  rssMiB: number | undefined;
}

interface Contestant {
  measure: MeasureName;
  run(withRss: boolean): Promise<Sample>;
}

/** Settings every webhook entry accepts; no request is ever sent with them. */
const WEBHOOK_ENV = {
  PATH: process.env.PATH ?? '',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCHSTARTUP',
  AWS_SECRET_ACCESS_KEY: 'bench-start-up-unused',
  GITHUB_WEBHOOK_SECRET: SECRET,
  NEON_API_KEY: 'napi_bench_unused_key',
  NEON_PROJECT_ID: 'calm-sun-123456',
  AMPLIFY_APP_ID: 'dbench1',
};

/** A process that ends by itself: spawn → exit, its output checked by `expect`. */
function exiting(
  measure: MeasureName,
  args: string[],
  env: Record<string, string>,
  expect: RegExp,
): Contestant {
  return {
    measure,
    run: async (withRss) => {
      const run = await runTimed(process.execPath, withRss ? ['--import', HOOK, ...args] : args, { env });
      if (run.code !== 0 || !expect.test(run.stdout)) {
        throw new Error(`${measure}: node ${args.join(' ')} exited with ${run.code}:\n${tail(run)}`);
      }
      const kib = Number(/maxrss-kib (\d+)/.exec(run.stderr)?.[1]);
      return { ms: run.exitedAt - run.startedAt, rssMiB: withRss ? kib / 1024 : undefined };
    },
  };
}

/** A Lambda bundle's cold start: import, get the handler, one invocation that sends no request. */
function lambda(measure: MeasureName, file: string, event: unknown, env: Record<string, string>) {
  return exiting(
    measure,
    [COLD_START],
    {
      ...WEBHOOK_ENV,
      ...env,
      BENCH_ENTRY: pathToFileURL(join(ROOT, 'dist/lambda', file)).href,
      BENCH_EVENT: JSON.stringify(event),
    },
    // Its log lines go to stdout; cold-start.mjs checks the answer and exits 3 on a wrong one.
    /[\s\S]*/,
  );
}

/** The webhook server: spawn → its "Listening" line on stdout, then killed; peak RSS from /proc. */
const server: Contestant = {
  measure: 'start-up-server',
  run: () =>
    new Promise((resolve, reject) => {
      const startedAt = performance.now();
      const child = spawn(process.execPath, [join(ROOT, 'dist/webhook/index.js')], {
        env: { ...WEBHOOK_ENV, PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (!/Listening on port/.test(out)) return;
        const ms = performance.now() - startedAt;
        const kib = Number(/VmHWM:\s+(\d+)/.exec(procStatus(child.pid))?.[1]);
        child.kill('SIGKILL');
        resolve({ ms, rssMiB: Number.isFinite(kib) ? kib / 1024 : undefined });
      });
      child.stderr.on('data', (chunk) => {
        out += chunk;
      });
      child.once('exit', (code) => reject(new Error(`the webhook server exited with ${code}:\n${out}`)));
    }),
};

/** /proc/<pid>/status where there is one (Linux); elsewhere no peak RSS is given. */
function procStatus(pid: number | undefined): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

async function signedPing() {
  const body = JSON.stringify(ping());
  return {
    version: '2.0',
    rawPath: '/webhook',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'ping',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-hub-signature-256': await sign(SECRET, body),
    },
    requestContext: { http: { method: 'POST' }, stage: '$default' },
    body,
    isBase64Encoded: false,
  };
}

async function contestants(): Promise<Contestant[]> {
  const event = await signedPing();
  const cliEnv = { PATH: process.env.PATH ?? '' };
  const queue = { QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/bench.fifo' };
  return [
    exiting('start-up-cli', [join(ROOT, 'dist/cli/index.js'), '--version'], cliEnv, /neon-amplify-branch/),
    exiting('start-up-cli-help', [join(ROOT, 'dist/cli/index.js'), 'deploy', '--help'], cliEnv, /deploy/),
    lambda('start-up-lambda', 'index.js', event, {}),
    lambda('start-up-receiver', 'receiver.js', event, queue),
    lambda('start-up-worker', 'worker.js', { Records: [] }, {}),
    server,
  ];
}

/**
 * Start-up of the CLI, the webhook server and the three Lambda functions (each an entry file that
 * loads chunk files when first needed, scripts/build.js), each alternated with a bare
 * `node -e 0` on the same node, so that both see the same machine; which of the two goes first
 * alternates too. Peak RSS from one more run of each.
 */
export async function startUp(context: MeasureContext, selected: readonly MeasureName[]): Promise<Figure[]> {
  const chosen = (await contestants()).filter((c) => selected.includes(c.measure));
  const bare = async (): Promise<number> => {
    const run = await runTimed(process.execPath, ['-e', '0'], { env: { PATH: process.env.PATH ?? '' } });
    return run.exitedAt - run.startedAt;
  };
  const figures: Figure[] = [];
  for (const contestant of chosen) {
    // One untimed run of each: the file system's cache is warm for both.
    await contestant.run(false);
    await bare();
    const ours: number[] = [];
    const bares: number[] = [];
    for (let run = 0; run < context.runs; run++) {
      if (run % 2 === 0) {
        ours.push((await contestant.run(false)).ms);
        bares.push(await bare());
      } else {
        bares.push(await bare());
        ours.push((await contestant.run(false)).ms);
      }
    }
    const rss = (await contestant.run(true)).rssMiB;
    const [oursMs, bareMs] = [median(ours), median(bares)];
    context.progress(`${contestant.measure}: ${Math.round(oursMs)} ms, bare ${Math.round(bareMs)} ms`);
    figures.push({
      measure: contestant.measure,
      title: TITLES[contestant.measure],
      ours: { value: oursMs, unit: 'ms' },
      against: { label: 'node -e 0', amount: { value: bareMs, unit: 'ms' } },
      ratio: ratio(oursMs, bareMs),
      target: TARGETS[contestant.measure] as number,
      samples: ours,
      notes: rss === undefined ? [] : [`peak RSS ${rss.toFixed(0)} MiB`],
      extra: {
        ...(rss === undefined ? {} : { peakRssMiB: Math.round(rss * 10) / 10 }),
        bareSamples: bares.map((ms) => Math.round(ms)).join(' '),
      },
    });
  }
  return figures;
}
