// webhook-burst: the issue's "100 pushes of new branches across 20 repositories of one Neon account
// finish without a failed delivery, with 429s under 1% of Neon requests, in a time near the
// 700-a-minute bound". The built server (dist/webhook/index.js) with a CONFIG_FILE of `--repos`
// repositories, each its own Amplify app, one Neon API key; Neon's limit enforced over the whole
// account by the proxy; `--burst` signed push deliveries sent at once. See bench/README.md.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sign } from '@octokit/webhooks-methods';
import { pushTo } from '../../test/fixtures/payloads.js';
import { type BurstCount, burstFigures, NEON_ACCOUNT_LIMIT } from '../lib/burst.js';
import type { Figure } from '../lib/figures.js';
import { ROOT } from '../lib/processes.js';
import { DEPLOY, type MeasureContext, TARGETS, TITLES } from '../lib/setup.js';
import { startWorld, type World } from '../lib/world.js';

const SECRET = 'bench-burst-secret';
/** Long enough for 100 new branches at 700 Neon requests a minute, with room to spare. */
const TIMEOUT_MS = 20 * 60_000;

/** The nth repository and its Amplify app (ids of Amplify's form: d and 13 characters). */
function repository(n: number) {
  const index = String(n + 1).padStart(2, '0');
  return { fullName: `bench-org/repo-${index}`, appId: `dburst${String(n + 1).padStart(7, '0')}` };
}

function configFile(dir: string, repos: number): string {
  const lines = ['repositories:'];
  for (let n = 0; n < repos; n++) {
    const { fullName, appId } = repository(n);
    lines.push(`  ${fullName}:`, `    amplify-app-id: ${appId}`);
  }
  const file = join(dir, 'webhook.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function startServer(world: World, config: string, logFile: string) {
  const child = spawn(process.execPath, [join(ROOT, 'dist/webhook/index.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      GITHUB_WEBHOOK_SECRET: SECRET,
      NEON_API_KEY: world.neon.apiKey,
      NEON_PROJECT_ID: world.neon.projectId,
      NEON_API_HOST: world.neonApiHost,
      CONFIG_FILE: config,
      // As large as the burst: the bench measures the work, not the queue's refusals.
      MAX_QUEUED: '10000',
      ...world.awsEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  child.stderr.on('data', (chunk) => {
    out += chunk;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const exited = (code: number | null) => {
      clearInterval(timer);
      writeFileSync(logFile, out);
      reject(new Error(`the webhook server exited with ${code}; see ${logFile}`));
    };
    const timer = setInterval(() => {
      const match = /Listening on port (\d+)/.exec(out);
      if (match !== null) {
        clearInterval(timer);
        child.off('exit', exited);
        resolve(Number(match[1]));
      }
    }, 20);
    child.once('exit', exited);
  });
  return { child, url: `http://127.0.0.1:${port}/webhook`, log: () => out };
}

async function deliver(url: string, fullName: string, branch: string): Promise<number> {
  const payload = pushTo(branch);
  const [owner, name] = fullName.split('/') as [string, string];
  payload.repository.full_name = fullName;
  payload.repository.name = name;
  payload.repository.owner.login = owner;
  payload.repository.owner.name = owner;
  const body = JSON.stringify(payload);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': await sign(SECRET, body),
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** Log lines of finished deliveries: succeeded, failed (a failed delivery is retried by GitHub). */
function outcomes(log: string) {
  const lines = log.split('\n').filter((line) => line.startsWith('{'));
  const count = (outcome: string) =>
    lines.filter((line) => line.includes(`"outcome":"${outcome}"`) && line.includes('"step":"finish"'))
      .length;
  return { succeeded: count('succeeded'), failed: count('failed') };
}

async function oneBurst(context: MeasureContext, scratch: string): Promise<BurstCount> {
  const { burst, repos } = context;
  const world = await startWorld({
    latencyMs: DEPLOY.latencyMs,
    operationMs: DEPLOY.operationMs,
    neonRate: { ratePerSecond: NEON_ACCOUNT_LIMIT.perMinute / 60, burst: NEON_ACCOUNT_LIMIT.burst },
  });
  let server: { child: ChildProcess; url: string; log: () => string } | undefined;
  try {
    for (let n = 0; n < repos; n++) world.amplify.addApp({ appId: repository(n).appId });
    const pushes = Array.from({ length: burst }, (_, i) => {
      const { fullName, appId } = repository(i % repos);
      const branch = `burst/b${String(i + 1).padStart(3, '0')}`;
      world.amplify.addBranch(appId, branch, { environmentVariables: {}, enableAutoBuild: false });
      return { fullName, branch };
    });
    server = await startServer(world, configFile(scratch, repos), join(scratch, 'server.log'));
    const url = server.url;
    const firstAt = performance.now();
    const answers = await Promise.all(pushes.map((push) => deliver(url, push.fullName, push.branch)));
    const sentIn = performance.now() - firstAt;
    const refused = answers.filter((status) => status !== 202).length;
    const log = server.log;
    const started = Date.now();
    for (;;) {
      const { succeeded, failed } = outcomes(log());
      if (succeeded + failed + refused >= burst) break;
      if (Date.now() - started > TIMEOUT_MS)
        throw new Error(`the burst did not finish in ${TIMEOUT_MS / 60_000} min`);
      context.progress(`webhook-burst: ${succeeded} done, ${failed} failed of ${burst}`);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
    const { failed } = outcomes(log());
    const neon = world.log.filter((exchange) => exchange.service === 'neon');
    const jobs = world.log.filter(
      (e) => e.service === 'amplify' && e.method === 'POST' && /\/jobs$/.test(e.url),
    );
    const lastJobAt = Math.max(...jobs.map((e) => e.answeredAt));
    return {
      deliveries: burst,
      failed: failed + refused,
      neonRequests: neon.length,
      answers429: neon.filter((exchange) => exchange.status === 429).length,
      startJobs: jobs.filter((e) => e.status >= 200 && e.status < 300).length,
      elapsedMs: lastJobAt - firstAt,
      sentInMs: sentIn,
    };
  } finally {
    server?.child.kill('SIGKILL');
    if (server !== undefined) writeFileSync(join(scratch, 'server.log'), server.log());
    await world.close();
  }
}

/** One burst (it takes minutes at Neon's limit; `--runs` does not repeat it). */
export async function webhookBurst(context: MeasureContext): Promise<Figure[]> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-burst-'));
  try {
    const count = await oneBurst(context, scratch);
    if (count.failed > 0) {
      const lines = readFileSync(join(scratch, 'server.log'), 'utf8').split('\n');
      const failures = lines.filter((line) => line.includes('"outcome":"failed"')).slice(0, 5);
      context.detail('webhook-burst: failed deliveries (first five)', failures);
    }
    return [
      burstFigures(count, {
        title: TITLES['webhook-burst'],
        target: TARGETS['webhook-burst'] as number,
        repos: context.repos,
      }),
    ];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
