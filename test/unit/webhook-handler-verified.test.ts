import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redact.js';
import type { Result } from '../../src/core/result.js';
import { loadWebhookConfig } from '../../src/webhook/config/config.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import { createWebhookApp } from '../../src/webhook/run/app.js';
import { deleteOf, payload, ping, pullRequest, pushTo, tagPush } from '../fixtures/payloads.js';
import { signedDelivery } from '../fixtures/webhook-deliveries.js';
import { API_KEY, ENV, harness, OLD_SECRET, push, request, SECRET, send } from './webhook-app-harness.js';

describe('verified deliveries', () => {
  it('answers a ping 200 and runs nothing', async () => {
    const h = harness();
    const d = await signedDelivery({ event: 'ping', payload: ping(), secret: SECRET });
    expect(await send(h.app, request(d))).toEqual({ status: 200, body: { status: 'pong', delivery: d.id } });
    expect(h.runs).toHaveLength(0);
  });

  it('accepts a delivery signed with the old secret during a rotation', async () => {
    const h = harness();
    expect((await send(h.app, request(await push('feature/a', OLD_SECRET)))).status).toBe(202);
  });

  it.each([
    ['issues', payload('issues')],
    ['push', tagPush()],
    ['pull_request', pullRequest('opened', 'feature/a')],
    ['pull_request', pullRequest('closed', 'feature/a', true)],
    ['delete', deleteOf('simple-tag', 'tag')],
    ['push', pushTo('master', true)],
  ])('acknowledges a %s delivery that needs nothing with 200 and a reason', async (event, p) => {
    const h = harness();
    const d = await signedDelivery({ event, payload: p, secret: SECRET });
    const r = await send(h.app, request(d));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ignored', reason: expect.any(String) });
    expect(h.runs).toHaveLength(0);
  });

  it('answers 202 once queued, before the work has finished, with the plan it will run', async () => {
    const h = harness();
    const d = await push('feature/login');
    const r = await send(h.app, request(d));
    expect(r).toEqual({
      status: 202,
      body: {
        status: 'accepted',
        delivery: d.id,
        plan: expect.stringContaining("Deploy 'feature/login'"),
      },
    });
    expect(h.app.lanes.size).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.runs.map((run) => run.plan)).toEqual([
      {
        kind: 'deploy',
        gitBranch: 'feature/login',
        neonBranchName: 'preview/feature/login',
        primary: false,
        // The collection's push created the branch.
        newInGit: true,
      },
    ]);
    h.release();
    await h.app.drain(1000);
    expect(h.app.lanes.size).toBe(0);
  });

  it.each([
    ['pull_request', () => pullRequest('closed', 'feature/login')],
    ['delete', () => deleteOf('feature/login')],
    ['push', () => pushTo('feature/login', true)],
  ])('queues a cleanup for %s', async (event, make) => {
    const h = harness();
    h.release();
    const d = await signedDelivery({ event, payload: make(), secret: SECRET });
    expect((await send(h.app, request(d))).status).toBe(202);
    await h.app.drain(1000);
    expect(h.runs[0]?.plan).toMatchObject({ kind: 'cleanup', gitBranch: 'feature/login' });
  });

  it("hands every delivery's run the one limiter of its Neon account", async () => {
    const h = harness();
    h.release();
    for (const branch of ['feature/a', 'feature/b']) {
      expect((await send(h.app, request(await push(branch)))).status).toBe(202);
    }
    await h.app.drain(1000);
    const [first, second] = h.runs.map((r) => r.options.limiter);
    expect(h.runs).toHaveLength(2);
    expect(first).toBeDefined();
    expect(second).toBe(first);
  });

  it('does the same delivery id once', async () => {
    const h = harness();
    h.release();
    const d = await push('feature/a');
    expect((await send(h.app, request(d))).status).toBe(202);
    expect(await send(h.app, request(d))).toEqual({
      status: 200,
      body: { status: 'duplicate', delivery: d.id },
    });
    await h.app.drain(1000);
    expect(h.runs).toHaveLength(1);
  });

  it('runs a redelivery again (same id) when the first run failed', async () => {
    let fail = true;
    const h = harness({
      run: async () => {
        if (fail) throw new Error(`Creating Neon branch failed: 500 (key ${API_KEY})`);
        return { kind: 'none', reason: 'test' };
      },
    });
    const d = await push('feature/a');
    expect((await send(h.app, request(d))).status).toBe(202);
    await h.app.drain(1000);
    const failed = h.lines.find((line) => line.outcome === 'failed');
    expect(failed).toMatchObject({ level: 'error', delivery: d.id, branch: 'feature/a', step: 'finish' });
    expect(failed?.msg).toBe('Creating Neon branch failed: 500 (key ***)');
    fail = false;
    expect((await send(h.app, request(d))).status).toBe(202);
    await h.app.drain(1000);
    expect(h.runs).toHaveLength(2);
    expect(h.lines.filter((line) => line.outcome === 'succeeded')).toHaveLength(1);
  });

  it('answers 503 when the queue is full, and takes the same delivery later', async () => {
    const h = harness({ env: { MAX_QUEUED: '2' } });
    expect((await send(h.app, request(await push('a')))).status).toBe(202);
    expect((await send(h.app, request(await push('b')))).status).toBe(202);
    const third = await push('c');
    const r = await send(h.app, request(third));
    expect(r.status).toBe(503);
    expect(r.body.error).toMatch(/Queue full/);
    h.release();
    await h.app.drain(1000);
    expect((await send(h.app, request(third))).status).toBe(202);
  });

  it('stops taking deliveries once stopping, and /healthz says so', async () => {
    const h = harness();
    const health = () => send(h.app, { method: 'GET', path: '/healthz', headers: {}, body: Buffer.alloc(0) });
    expect(await health()).toEqual({ status: 200, body: { status: 'ok' } });
    h.app.stop();
    expect(await health()).toEqual({ status: 503, body: { status: 'draining' } });
    const d = await push('feature/a');
    expect((await send(h.app, request(d))).status).toBe(503);
    expect(h.runs).toHaveLength(0);
  });

  it('ignores a repository CONFIG_FILE does not list, with a log line naming it', async () => {
    const file = ['repositories:', '  other-org/other-repo:', '    neon-project-id: calm-sun-123456'].join(
      '\n',
    );
    const config = loadWebhookConfig({ ...ENV, CONFIG_FILE: 'webhook.yaml' }, { readFile: () => file });
    const raw: string[] = [];
    const app = createWebhookApp({
      config,
      mode: 'lanes',
      log: new JsonLogger({ redactor: new Redactor(), write: (line) => raw.push(line) }),
      run: async () => {
        throw new Error('must not run');
      },
    });
    const d = await push('feature/a');
    const r = await send(app, request(d));
    expect(r).toMatchObject({ status: 200, body: { status: 'ignored' } });
    expect(r.body.reason).toContain('Codertocat/Hello-World');
    expect(JSON.parse(raw[0] ?? '{}')).toMatchObject({
      repository: 'Codertocat/Hello-World',
      outcome: 'ignored',
      delivery: d.id,
      msg: "Ignored: repository 'Codertocat/Hello-World' is not in CONFIG_FILE",
    });
  });

  it('masks every secret the core reports in the lines of that job', async () => {
    const url = 'postgresql://neondb_owner:npg_Secret12345@ep-x-pooler.us-east-2.aws.neon.tech/neondb';
    const h = harness({
      run: async (_plan, options) => {
        options.secret(url);
        options.secret('npg_Secret12345');
        options.log.info(`Got ${url}`);
        options.log.warning('password npg_Secret12345 in an error');
        return deployed({ url });
      },
    });
    await send(h.app, request(await push('feature/a')));
    await h.app.drain(1000);
    const text = h.raw.join('');
    expect(text).not.toContain('npg_Secret12345');
    expect(text).toContain('Got ***');
    const finished = h.lines.find((line) => line.outcome === 'succeeded');
    expect(finished).toMatchObject({
      repository: 'Codertocat/Hello-World',
      branch: 'feature/a',
      event: 'push',
      step: 'finish',
      duration: expect.any(Number),
      outputs: { 'neon-branch-name': 'preview/feature/a' },
    });
  });
});

describe("one job's failure stays that job's", () => {
  it('a job that throws where work does not expect it fails alone: no unhandled rejection, its lane goes on, it can be redelivered', async () => {
    const first = await push('feature/a');
    // Every line of the first delivery's job fails to be written, its failure line included.
    const h = harness({ failWrite: (line) => line.includes(first.id) && !line.includes('"step":"receive"') });
    h.release();
    expect((await send(h.app, request(first))).status).toBe(202);
    const second = await push('feature/a');
    expect((await send(h.app, request(second))).status).toBe(202);
    expect(await h.app.drain(1000)).toBe(true);
    expect(h.runs).toHaveLength(1);
    expect(h.lines.find((line) => line.delivery === second.id && line.step === 'finish')).toMatchObject({
      outcome: 'succeeded',
    });
    expect(h.app.unfinished()).toEqual([]);
    // Forgotten, so GitHub's "Redeliver" runs it again.
    expect((await send(h.app, request(first))).status).toBe(202);
  });
});

describe('inline mode (Lambda)', () => {
  it('works before answering: 200 with the outputs, or 500 with the error', async () => {
    let fail = false;
    const h = harness({
      mode: 'inline',
      run: async () => {
        if (fail) throw new Error('Neon answered 503');
        return deployed({ created: true });
      },
    });
    const d = await push('feature/a');
    expect(await send(h.app, request(d))).toEqual({
      status: 200,
      body: {
        status: 'done',
        delivery: d.id,
        plan: expect.any(String),
        outputs: {
          'neon-branch-name': 'preview/feature/a',
          created: 'true',
          deleted: 'false',
          anonymized: 'false',
        },
      },
    });
    fail = true;
    const e = await push('feature/b');
    expect(await send(h.app, request(e))).toEqual({
      status: 500,
      body: { error: 'Neon answered 503', delivery: e.id },
    });
  });
});

/** A deploy's result as a run would give it: only what the assertions look at is filled in. */
function deployed({ url, created = false }: { url?: string; created?: boolean }): Result {
  return {
    kind: 'deploy',
    gitBranch: '',
    dryRun: false,
    neonBranch: { id: '', name: 'preview/feature/a' },
    created,
    ...(url === undefined ? {} : { connection: { url, host: '' } }),
  };
}
