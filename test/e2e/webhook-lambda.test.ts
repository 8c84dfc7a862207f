import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEventV2, HttpResultV2 } from '../../src/webhook/lambda/index.js';
import { type AmplifyStandIn, startAmplifyStandIn } from '../fakes/amplify-server.js';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { ping, pullRequest, pushTo } from '../fixtures/payloads.js';
import { type SignedDelivery, signedDelivery } from '../fixtures/webhook-deliveries.js';
import { expectedDatabaseUrl, LAMBDA_ENTRY, requireBuilt, standInEnv } from './webhook-process.js';

/**
 * The built Lambda bundle (dist/lambda/index.js), loaded by a stand-in for the Lambda runtime in a
 * process of its own (webhook-lambda-runtime.mjs) and invoked with function URL / HTTP API payload
 * 2.0 events, one at a time, as Lambda does.
 */
type Event = HttpEventV2 & { headers: Record<string, string | undefined> };
type Result = HttpResultV2;

const fixtures = join(import.meta.dirname, '../fixtures');
const FUNCTION_URL_EVENT = JSON.parse(
  readFileSync(join(fixtures, 'webhook-function-url-event.json'), 'utf8'),
) as Event;
const HTTP_API_EVENT = JSON.parse(
  readFileSync(join(fixtures, 'webhook-http-api-event.json'), 'utf8'),
) as Event;

const SECRET = 'lambda-webhook-secret';
const APP_ID = 'dlambda1';

let neon: NeonStandIn;
let amplify: AmplifyStandIn;
let runtime: ChildProcess;
let stdout = '';
const pending = new Map<number, (reply: { result?: Result; error?: string }) => void>();
let nextId = 0;

/** Invokes the function once, as the runtime would, and resolves with what it returned. */
async function handler(event: Event): Promise<Result> {
  const id = nextId++;
  const reply = await new Promise<{ result?: Result; error?: string }>((resolveReply) => {
    pending.set(id, resolveReply);
    runtime.stdin?.write(`${JSON.stringify({ id, event })}\n`);
  });
  if (reply.result === undefined) throw new Error(`The handler threw: ${reply.error}`);
  return reply.result;
}

beforeAll(async () => {
  requireBuilt(LAMBDA_ENTRY);
  neon = await startNeonStandIn({ operationDurationMs: null });
  // An account whose Concurrent jobs quota AWS raised: the deliveries here start more builds at
  // once than the default 5, and the stand-in's builds never end by themselves.
  amplify = await startAmplifyStandIn({ concurrentJobsQuota: 100 });
  amplify.addApp({ appId: APP_ID });
  runtime = spawn(process.execPath, [join(import.meta.dirname, 'webhook-lambda-runtime.mjs'), LAMBDA_ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      GITHUB_WEBHOOK_SECRET: SECRET,
      ...standInEnv(neon, amplify, APP_ID),
    },
    stdio: ['pipe', 'pipe', 'inherit', 'pipe'],
  });
  runtime.stdout?.setEncoding('utf8');
  runtime.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const results = createInterface({ input: runtime.stdio[3] as Readable });
  results.on('line', (line) => {
    const { id, ...reply } = JSON.parse(line) as { id: number; result?: Result; error?: string };
    pending.get(id)?.(reply);
    pending.delete(id);
  });
});

afterAll(async () => {
  runtime?.stdin?.end();
  await new Promise((resolveExit) => runtime?.once('exit', resolveExit));
  const secrets = [neon.apiKey, SECRET, ...neon.state.roles.map((role) => role.password ?? '')].filter(
    (value) => value.length >= 8,
  );
  expect(secrets.length).toBeGreaterThan(2);
  for (const secret of secrets) expect(stdout).not.toContain(secret);
  await Promise.all([neon?.close(), amplify?.close()]);
});

function functionUrlEvent(delivery: SignedDelivery, options: { base64?: boolean } = {}): Event {
  const event = structuredClone(FUNCTION_URL_EVENT);
  Object.assign(event.headers, delivery.headers);
  event.body = options.base64 ? delivery.body.toString('base64') : delivery.body.toString('utf8');
  event.isBase64Encoded = options.base64 === true;
  return event;
}

function httpApiEvent(delivery: SignedDelivery): Event {
  const event = structuredClone(HTTP_API_EVENT);
  Object.assign(event.headers, delivery.headers, { 'content-length': String(delivery.body.length) });
  event.body = delivery.body.toString('base64');
  return event;
}

const body = (result: Result) => JSON.parse(result.body) as Record<string, unknown>;

describe('the Lambda handler', () => {
  it('does the work before it answers: the state is there when the answer comes', async () => {
    const d = await signedDelivery({ event: 'push', payload: pushTo('feature/lambda'), secret: SECRET });
    const result = await handler(functionUrlEvent(d));
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toMatch(/^application\/json/);
    expect(body(result)).toMatchObject({
      status: 'done',
      delivery: d.id,
      outputs: {
        'neon-branch-name': 'preview/feature/lambda',
        created: 'true',
        'amplify-branch': 'feature/lambda',
      },
    });
    expect(result.body).not.toContain('postgresql://');
    const branch = neon.branchByName('preview/feature/lambda');
    expect(branch).toBeDefined();
    const url = new URL(amplify.branch(APP_ID, 'feature/lambda')?.environmentVariables.DATABASE_URL ?? 'x:');
    expect(url.hostname).toBe(expectedDatabaseUrl(neon, branch as NonNullable<typeof branch>).host);
  });

  it('takes a base64 body (function URL) and an HTTP API stage path', async () => {
    const closed = await signedDelivery({
      event: 'pull_request',
      payload: pullRequest('closed', 'feature/lambda'),
      secret: SECRET,
    });
    const result = await handler(functionUrlEvent(closed, { base64: true }));
    expect([result.statusCode, body(result).status]).toEqual([200, 'done']);
    expect(neon.branchByName('preview/feature/lambda')).toBeUndefined();

    const push = await signedDelivery({ event: 'push', payload: pushTo('feature/api'), secret: SECRET });
    const viaApi = await handler(httpApiEvent(push));
    expect([viaApi.statusCode, body(viaApi).status]).toEqual([200, 'done']);
    expect(neon.branchByName('preview/feature/api')).toBeDefined();
  });

  it('answers a ping, /healthz, duplicates and rejections like the server', async () => {
    const p = await signedDelivery({ event: 'ping', payload: ping(), secret: SECRET });
    expect(body(await handler(functionUrlEvent(p)))).toEqual({ status: 'pong', delivery: p.id });
    expect(body(await handler(functionUrlEvent(p)))).toEqual({ status: 'duplicate', delivery: p.id });

    const health = structuredClone(FUNCTION_URL_EVENT);
    health.rawPath = '/healthz';
    health.requestContext.http.method = 'GET';
    delete health.body;
    expect((await handler(health)).statusCode).toBe(200);

    const forged = await signedDelivery({ event: 'push', payload: pushTo('feature/forged'), secret: 'nope' });
    expect((await handler(functionUrlEvent(forged))).statusCode).toBe(401);
    const wrongPath = functionUrlEvent(
      await signedDelivery({ event: 'ping', payload: ping(), secret: SECRET }),
    );
    wrongPath.rawPath = '/';
    expect((await handler(wrongPath)).statusCode).toBe(404);
    const big = await signedDelivery({
      event: 'push',
      payload: { ...pushTo('feature/big'), padding: 'x'.repeat(1024 * 1024) },
      secret: SECRET,
    });
    expect((await handler(functionUrlEvent(big, { base64: true }))).statusCode).toBe(413);
    const malformed = functionUrlEvent(p);
    malformed.body = Buffer.from('{"zen":').toString('base64');
    malformed.isBase64Encoded = true;
    const { sign } = await import('@octokit/webhooks-methods');
    malformed.headers['x-hub-signature-256'] = await sign(SECRET, '{"zen":');
    malformed.headers['x-github-delivery'] = 'malformed-1';
    expect((await handler(malformed)).statusCode).toBe(400);
    expect(neon.branchByName('preview/feature/forged')).toBeUndefined();
  });

  it('answers 500 when the work fails, and a redelivery (same id) runs it again', async () => {
    neon.setBranchLimit(neon.state.branches.length);
    const d = await signedDelivery({ event: 'push', payload: pushTo('feature/quota'), secret: SECRET });
    const failed = await handler(functionUrlEvent(d));
    expect(failed.statusCode).toBe(500);
    expect(body(failed).error).toMatch(/BRANCHES_LIMIT_EXCEEDED|limit/i);
    neon.setBranchLimit(undefined);
    const retried = await handler(functionUrlEvent(d));
    expect([retried.statusCode, body(retried).status]).toEqual([200, 'done']);
    expect(neon.branchByName('preview/feature/quota')).toBeDefined();
  });

  it('writes JSON lines with the delivery, event, repository, branch, step, outcome and duration', () => {
    const lines = stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.step === 'finish' && line.branch === 'feature/api')).toMatchObject({
      event: 'push',
      repository: 'Codertocat/Hello-World',
      outcome: 'succeeded',
      delivery: expect.any(String),
      duration: expect.any(Number),
    });
  });
});
