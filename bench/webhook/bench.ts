// Acknowledgement throughput, latency and memory of the built webhook server (dist/webhook/index.js),
// each next to a peer measured in the same run: a bare node:http server that answers 202 without
// verifying anything (bare-server.mjs), the floor for any server on this machine. One measure of
// `npm run bench` (`npm run bench:webhook` runs it alone), after `node scripts/build.js webhook`.
//
// BENCH_DURATION (seconds, default 10), BENCH_CONNECTIONS (default 20) and BENCH_MEMORY_ROUNDS
// (rounds of 100,000 deliveries, default 2) change the load.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import autocannon, { type Result } from 'autocannon';
import { ping, pushTo } from '../../test/fixtures/payloads.js';
import { type Figure, ratio } from '../lib/figures.js';
import type { MeasureContext } from '../lib/setup.js';

const root = resolve(import.meta.dirname, '../..');
const SECRET = 'bench-webhook-secret';
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const MEMORY_DELIVERIES = 100_000;
const MEMORY_ROUNDS = Number(process.env.BENCH_MEMORY_ROUNDS ?? 2);
let scratch = '';
const children: ChildProcess[] = [];

interface Signed {
  body: string;
  signature: string;
  event: string;
}

async function signed(event: string, payload: unknown): Promise<Signed> {
  const body = JSON.stringify(payload);
  return { body, signature: await sign(SECRET, body), event };
}

/** A request source for autocannon: every request a new delivery id, bodies taken in turn. */
function deliveries(url: string, bodies: Signed[]) {
  let next = 0;
  return {
    url,
    method: 'POST',
    requests: [
      {
        setupRequest: () => {
          const b = bodies[next++ % bodies.length] as Signed;
          return {
            method: 'POST',
            path: '/webhook',
            headers: {
              'content-type': 'application/json',
              'x-github-event': b.event,
              'x-github-delivery': randomUUID(),
              'x-hub-signature-256': b.signature,
            },
            body: b.body,
          };
        },
      },
    ],
  };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts a helper of this folder and reads the one JSON line it prints; TypeScript ones under tsx, as this file. */
function helper<T>(file: string, extraFlags: string[] = []): Promise<{ child: ChildProcess; info: T }> {
  const flags = file.endsWith('.ts') ? process.execArgv : extraFlags;
  const child = spawn(process.execPath, [...flags, join(import.meta.dirname, file)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolveInfo, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline >= 0) resolveInfo({ child, info: JSON.parse(text.slice(0, newline)) as T });
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

/** The built server, its log lines going to a file as they would in production. */
async function webhookServer(name: string, env: Record<string, string>, flags: string[] = []) {
  const port = await freePort();
  const logFile = join(scratch, `${name}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...flags, join(root, 'dist/webhook/index.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_EC2_METADATA_DISABLED: 'true',
      PORT: String(port),
      GITHUB_WEBHOOK_SECRET: SECRET,
      NEON_API_KEY: 'napi_bench_unused_key',
      NEON_PROJECT_ID: 'calm-sun-123456',
      AMPLIFY_APP_ID: 'dbench1',
      AWS_REGION: 'us-east-1',
      ...env,
    },
    stdio: ['ignore', fd, 'pipe'],
  });
  // Anything but the heap probe's lines (a crash, say) is passed on.
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString().replace(/\{"probe":.*\}\n/g, '');
    if (text !== '') process.stderr.write(text);
  });
  closeSync(fd);
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      if (i > 100) throw new Error(`${name} did not start; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, url, logFile };
}

async function bareServer(flags: string[] = []) {
  const { child, info } = await helper<{ port: number }>('bare-server.mjs', flags);
  return { child, url: `http://127.0.0.1:${info.port}` };
}

const PROBE_FLAGS = ['--expose-gc', '--import', join(import.meta.dirname, 'heap-probe.mjs')];

/** Heap in use after a full collection, in MiB, from a process started with PROBE_FLAGS. */
function heapAfterGcMiB(child: ChildProcess): Promise<number> {
  return new Promise((resolveHeap) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk;
      const match = /\{"probe":.*\}\n/.exec(text);
      if (match === null) return;
      child.stderr?.off('data', onData);
      const usage = (JSON.parse(match[0]) as { probe: NodeJS.MemoryUsage }).probe;
      resolveHeap(Math.round((usage.heapUsed / 1024 / 1024) * 10) / 10);
    };
    child.stderr?.on('data', onData);
    child.kill('SIGUSR2');
  });
}

/** Resident set size of a process, in MiB, from /proc. */
function rssMiB(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round((kib / 1024) * 10) / 10;
}

async function load(options: ReturnType<typeof deliveries>, run: { duration?: number; amount?: number }) {
  return autocannon({ ...options, connections: CONNECTIONS, pipelining: 1, ...run });
}

interface Row {
  scenario: string;
  acked: number;
  perSecond: number;
  mean: number;
  p50: number;
  p99: number;
  other: string;
}

function row(scenario: string, result: Result, ackStatus: string): Row {
  const acked = result.statusCodeStats[ackStatus]?.count ?? 0;
  const others = Object.entries(result.statusCodeStats)
    .filter(([status]) => status !== ackStatus)
    .map(([status, { count }]) => `${status}×${count}`);
  if (result.errors > 0) others.push(`errors×${result.errors}`);
  return {
    scenario,
    acked,
    perSecond: Math.round(acked / result.duration),
    mean: Math.round(result.latency.average * 100) / 100,
    p50: result.latency.p50,
    p99: result.latency.p99,
    other: others.join(' ') || '-',
  };
}

function killAll() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
}

interface WebhookReport {
  rows: Row[];
  /** The peak RSS after the last memory round of each server, MiB, by name. */
  finalRssMiB: Record<string, number>;
  lines: string[];
}

async function main(): Promise<WebhookReport> {
  const lines: string[] = [];
  const out = (line: string) => lines.push(line);
  const finalRssMiB: Record<string, number> = {};
  const pingBody = await signed('ping', ping());
  const branches = Array.from({ length: 64 }, (_, i) => `bench/branch-${i}`);
  const pushBodies = await Promise.all(branches.map((b) => signed('push', pushTo(b))));
  const rows: Row[] = [];
  const notes: string[] = [];
  out(
    `Node ${process.version}, ${CONNECTIONS} connections, ${DURATION} s per throughput run; ping body ${Buffer.byteLength(pingBody.body)} B, push body ${Buffer.byteLength(pushBodies[0]?.body ?? '')} B`,
  );

  // 1. The peer, then the webhook's acknowledgement path (ping: verify, parse, dedupe, log, 200).
  const bare = await bareServer();
  await load(deliveries(bare.url, [pingBody]), { duration: 2 }); // warm-up
  const bareResult = await load(deliveries(bare.url, [pingBody]), { duration: DURATION });
  rows.push(row('peer: bare node:http, 202, no verification', bareResult, '202'));

  const pingServer = await webhookServer('ping', {});
  await load(deliveries(pingServer.url, [pingBody]), { duration: 2 });
  const pingResult = await load(deliveries(pingServer.url, [pingBody]), { duration: DURATION });
  rows.push(row('webhook: signed ping (ack path only), 200', pingResult, '200'));
  pingServer.child.kill('SIGKILL');

  // 2. Accepted deliveries: signed pushes to 64 branches, 202 once queued; the deploys run behind
  // the acknowledgements against the Neon and Amplify stand-ins (another process) at the same time.
  const { child: standIns, info } = await helper<{
    neon: { url: string; apiKey: string; projectId: string };
    amplify: { url: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
    appId: string;
  }>('stand-ins.ts');
  const pushServer = await webhookServer('push', {
    NEON_API_KEY: info.neon.apiKey,
    NEON_API_HOST: info.neon.url,
    NEON_PROJECT_ID: info.neon.projectId,
    AMPLIFY_APP_ID: info.appId,
    AWS_REGION: info.amplify.region,
    AWS_ENDPOINT_URL_AMPLIFY: info.amplify.url,
    AWS_ACCESS_KEY_ID: info.amplify.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: info.amplify.credentials.secretAccessKey,
    MAX_QUEUED: '100000',
  });
  const pushResult = await load(deliveries(pushServer.url, pushBodies), { duration: DURATION });
  rows.push(row('webhook: signed push, 202, deploys running behind it', pushResult, '202'));
  const finished = readFileSync(pushServer.logFile, 'utf8').match(/"step":"finish"/g)?.length ?? 0;
  notes.push(
    `push run: ${finished} deploys finished against the stand-ins during the ${DURATION} s (MAX_CONCURRENCY 4); the rest stayed queued and were dropped with the process`,
  );
  pushServer.child.kill('SIGKILL');
  standIns.kill('SIGKILL');

  // 3. Memory: rounds of 100,000 deliveries with distinct ids (each 10 x the seen-set bound). Both
  // the resident set and the heap in use after a full collection are read after the warm-up and
  // after each round; flat means later rounds leave them where the first left them.
  const memory: string[] = [];
  // The third run caps V8's young generation, which otherwise grows to its 128 MiB maximum under
  // this allocation rate: that growth, not retained memory, is what moves the default's RSS.
  const servers = [
    ['peer', () => bareServer(PROBE_FLAGS)],
    ['webhook', () => webhookServer('memory', {}, PROBE_FLAGS)],
    [
      'webhook, --max-semi-space-size=8',
      () => webhookServer('memory-capped', {}, [...PROBE_FLAGS, '--max-semi-space-size=8']),
    ],
  ] as const;
  for (const [name, start] of servers) {
    const server = await start();
    await load(deliveries(server.url, [pingBody]), { amount: 5_000 });
    const rss = [rssMiB(server.child)];
    const heap = [await heapAfterGcMiB(server.child)];
    const rates: number[] = [];
    for (let round = 0; round < MEMORY_ROUNDS; round++) {
      const result = await load(deliveries(server.url, [pingBody]), { amount: MEMORY_DELIVERIES });
      if (result.non2xx > 0 || result.errors > 0) {
        throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      }
      rates.push(Math.round(result.requests.total / result.duration));
      rss.push(rssMiB(server.child));
      heap.push(await heapAfterGcMiB(server.child));
    }
    finalRssMiB[name] = rss.at(-1) ?? Number.NaN;
    memory.push(
      `${name}: after a 5,000 warm-up, then after each further 100,000 deliveries: RSS ${rss.join(' / ')} MiB; heap used after a full GC ${heap.join(' / ')} MiB (${rates.join(' / ')} deliveries/s)`,
    );
    server.child.kill('SIGKILL');
  }

  // autocannon records latency in whole milliseconds; the mean shows what the percentiles round off.
  out('| scenario | acknowledged | per second | mean ms | p50 ms | p99 ms | other answers |');
  out('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    out(`| ${r.scenario} | ${r.acked} | ${r.perSecond} | ${r.mean} | ${r.p50} | ${r.p99} | ${r.other} |`);
  }
  const peer = rows[0] as Row;
  out('Ratios against the peer (webhook / bare):');
  for (const r of rows.slice(1)) {
    out(
      `- ${r.scenario}: throughput ${(r.perSecond / peer.perSecond).toFixed(2)}x, mean latency ${(r.mean / peer.mean).toFixed(1)}x, p99 ${(r.p99 / Math.max(peer.p99, 1)).toFixed(1)}x (p50 ${r.p50} vs ${peer.p50} ms)`,
    );
  }
  out('Memory:');
  for (const line of memory) out(`- ${line}`);
  for (const note of notes) out(`- ${note}`);
  return { rows, finalRssMiB, lines };
}

/**
 * The webhook measure: the ack path (signed ping) and accepted pushes against the bare server,
 * as mean latency ratios (lower is better, like every other figure), throughput and memory as notes.
 * The issue sets no target for it.
 */
export async function webhook(context: MeasureContext): Promise<Figure[]> {
  scratch = mkdtempSync(join(tmpdir(), 'bench-webhook-'));
  context.progress(
    `webhook: ${3 * DURATION + 4} s of throughput load, then ${MEMORY_ROUNDS} rounds of 100,000 deliveries on each of 3 servers`,
  );
  try {
    const report = await main();
    context.detail('Webhook bench', report.lines);
    const [bare, ping, push] = report.rows as [Row, Row, Row];
    const figure = (measure: string, title: string, r: Row): Figure => ({
      measure,
      title,
      ours: { value: r.mean, unit: 'ms' },
      against: { label: 'bare node:http', amount: { value: bare.mean, unit: 'ms' } },
      ratio: ratio(r.mean, bare.mean),
      notes: [`${r.perSecond}/s acknowledged vs ${bare.perSecond}/s bare, p99 ${r.p99} vs ${bare.p99} ms`],
      extra: { perSecond: r.perSecond, barePerSecond: bare.perSecond, p99: r.p99, bareP99: bare.p99 },
    });
    const memory = report.finalRssMiB;
    return [
      {
        ...figure('webhook-ping', 'webhook: signed ping acknowledged (mean latency, 20 connections)', ping),
        notes: [
          `${ping.perSecond}/s vs ${bare.perSecond}/s bare, p99 ${ping.p99} vs ${bare.p99} ms`,
          `RSS after ${MEMORY_ROUNDS}×100,000 deliveries ${memory.webhook} MiB (bare ${memory.peer} MiB)`,
        ],
        extra: {
          perSecond: ping.perSecond,
          barePerSecond: bare.perSecond,
          rssMiB: memory.webhook ?? Number.NaN,
          bareRssMiB: memory.peer ?? Number.NaN,
        },
      },
      figure('webhook-push', 'webhook: signed push accepted, deploys behind it (mean latency)', push),
    ];
  } finally {
    killAll();
    rmSync(scratch, { recursive: true, force: true });
  }
}
