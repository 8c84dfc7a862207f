import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmplifyStandIn, startAmplifyStandIn } from '../fakes/amplify-server.js';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { deleteOf, type Payload, payload, ping, pullRequest, pushTo, tagPush } from '../fixtures/payloads.js';
import { type Answer, post, signedDelivery } from '../fixtures/webhook-deliveries.js';
import {
  expectedDatabaseUrl,
  partialPost,
  requireBuilt,
  standInEnv,
  startWebhookProcess,
  WEBHOOK_ENTRY,
  type WebhookProcess,
} from './webhook-process.js';

const SECRET = 'e2e-webhook-secret-new';
const OLD_SECRET = 'e2e-webhook-secret-old';
const RETIRED_SECRET = 'e2e-webhook-secret-retired';
const APP_ID = 'd1e2e3webhook';

let neon: NeonStandIn;
let amplify: AmplifyStandIn;
let server: WebhookProcess;

beforeAll(async () => {
  requireBuilt(WEBHOOK_ENTRY);
  // Operations end on their second read: branch creation waits one poll, not a second.
  neon = await startNeonStandIn({ operationSteps: 1, operationDurationMs: null });
  // An account whose Concurrent jobs quota AWS raised: the deliveries here start more builds at
  // once than the default 5, and the stand-in's builds never end by themselves.
  amplify = await startAmplifyStandIn({ concurrentJobsQuota: 100 });
  amplify.addApp({ appId: APP_ID });
  server = await startWebhookProcess({
    ...standInEnv(neon, amplify, APP_ID),
    GITHUB_WEBHOOK_SECRET: `${SECRET},${OLD_SECRET}`,
    // Above the burst's delivery count: no delivery waits for a free slot, so only the per-branch
    // ordering keeps a branch's later delivery from overtaking an earlier one. (The cap itself is
    // covered by test/unit/webhook-queue.test.ts.)
    MAX_CONCURRENCY: '64',
  });
});

afterAll(async () => {
  const code = await server?.stop();
  expect(code).toBe(0);
  // Not one secret in any line the server wrote: keys, webhook secrets, every password and URL.
  const output = server.output();
  const secrets = [
    neon.apiKey,
    SECRET,
    OLD_SECRET,
    amplify.credentials.secretAccessKey,
    ...neon.state.roles.map((role) => role.password ?? ''),
    ...[...(amplify.app(APP_ID)?.branches.values() ?? [])].flatMap((b) =>
      Object.values(b.environmentVariables),
    ),
  ].filter((value) => value.length >= 8);
  expect(secrets.length).toBeGreaterThan(3);
  for (const secret of secrets) expect(output).not.toContain(secret);
  expect(neon.violations).toEqual([]);
  await Promise.all([neon?.close(), amplify?.close()]);
});

const webhook = () => `${server.url}/webhook`;

async function deliver(
  event: string,
  p: Payload,
  options: { secret?: string | undefined; id?: string } = {},
) {
  const secret = 'secret' in options ? options.secret : SECRET;
  const delivery = await signedDelivery({
    event,
    payload: p,
    secret,
    ...(options.id ? { id: options.id } : {}),
  });
  return { delivery, answer: await post(webhook(), delivery) };
}

/** Waits for the line that ends the work of a delivery. */
const finished = (id: string, timeoutMs = 15_000) =>
  server.waitForLine((line) => line.delivery === id && line.step === 'finish', timeoutMs);

function neonBranch(gitBranch: string) {
  return neon.branchByName(`preview/${gitBranch}`);
}

describe('health and rejections', () => {
  it('answers GET /healthz with 200', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('refuses bad requests with the right codes and JSON errors, and stays up', async () => {
    const before = neon.requests.length + amplify.requests.length;
    const d = await signedDelivery({ event: 'push', payload: pushTo('feature/rejected'), secret: SECRET });
    const expectError = (answer: Answer, status: number) => {
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body).toEqual({ error: expect.any(String) });
    };

    expectError(await post(`${server.url}/hooks`, d), 404);
    const get = await fetch(webhook());
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');

    const noEvent = { ...d.headers };
    delete noEvent['x-github-event'];
    expectError(await post(webhook(), { body: d.body, headers: noEvent }), 400);
    const noDelivery = { ...d.headers };
    delete noDelivery['x-github-delivery'];
    expectError(await post(webhook(), { body: d.body, headers: noDelivery }), 400);

    const unsigned = { ...d.headers };
    delete unsigned['x-hub-signature-256'];
    expectError(await post(webhook(), { body: d.body, headers: unsigned }), 401);
    const forged = await signedDelivery({
      event: 'push',
      payload: pushTo('feature/rejected'),
      secret: 'forged',
    });
    expectError(await post(webhook(), forged), 401);
    const stale = await signedDelivery({
      event: 'push',
      payload: pushTo('feature/rejected'),
      secret: RETIRED_SECRET,
    });
    expectError(await post(webhook(), stale), 401);
    // Signed right, then one byte of the body changed on the way.
    const tampered = Buffer.from(d.body.toString('utf8').replace('feature/rejected', 'feature/rejectee'));
    expectError(await post(webhook(), { body: tampered, headers: d.headers }), 401);

    const text = '{"ref":"refs/heads/x",,}';
    const malformed = { ...d.headers, 'x-hub-signature-256': await sign(SECRET, text) };
    expectError(await post(webhook(), { body: text, headers: malformed }), 400);

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(neon.requests.length + amplify.requests.length).toBe(before);
    expect(neonBranch('feature/rejected')).toBeUndefined();
    const rejected = server.lines.filter((line) => line.outcome === 'rejected');
    expect(rejected.map((line) => line.status)).toEqual(
      expect.arrayContaining([404, 405, 400, 400, 401, 401, 401, 401, 400]),
    );
  });

  it('answers 413 to a body announced over 1 MiB without waiting for it', async () => {
    const d = await signedDelivery({ event: 'push', payload: pushTo('feature/big'), secret: SECRET });
    const started = performance.now();
    const answer = await partialPost(server.url, {
      headers: { ...d.headers, 'content-length': String(5 * 1024 * 1024) },
      chunk: Buffer.alloc(1024, 0x20),
      chunks: 1,
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/^Body over 1048576 bytes/) });
    // The rest of the body never came, and the server did not wait for it: it cut the connection.
    expect(answer.cut).toBe(true);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('stops reading a chunked body as soon as it passes 1 MiB', async () => {
    const d = await signedDelivery({ event: 'push', payload: pushTo('feature/big'), secret: SECRET });
    const answer = await partialPost(server.url, {
      headers: { ...d.headers, 'transfer-encoding': 'chunked' },
      chunk: Buffer.alloc(64 * 1024, 0x20),
      // 32 MiB offered; the request never ends, so only an answer mid-body can resolve this. Loopback
      // socket buffers absorb a few MiB even when the server reads nothing, so the offer is far larger.
      chunks: 512,
    });
    expect(answer.status).toBe(413);
    expect(answer.cut).toBe(true);
    expect(answer.sentBytes).toBeLessThan(32 * 1024 * 1024);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('deliveries from real payloads', () => {
  it('answers a ping, other events, tags, other pull request actions and forks 200, and changes nothing', async () => {
    const before = neon.requests.length + amplify.requests.length;
    const cases: [string, Payload][] = [
      ['ping', ping()],
      ['issues', payload('issues')],
      ['push', tagPush()],
      ['delete', deleteOf('simple-tag', 'tag')],
      ['pull_request', pullRequest('opened', 'feature/x')],
      ['pull_request', pullRequest('closed', 'feature/x', true)],
    ];
    for (const [event, p] of cases) {
      const { answer } = await deliver(event, p);
      expect([event, answer.status]).toEqual([event, 200]);
    }
    expect(neon.requests.length + amplify.requests.length).toBe(before);
  });

  it('deploys a push: 202 at once, then a Neon branch, the variable in Amplify and a job', async () => {
    amplify.addBranch(APP_ID, 'feature/login', {
      environmentVariables: { API_URL: 'https://api.example.com' },
    });
    const { delivery, answer } = await deliver('push', pushTo('feature/login'));
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'accepted', delivery: delivery.id });

    const done = await finished(delivery.id);
    expect(done).toMatchObject({
      outcome: 'succeeded',
      event: 'push',
      repository: 'Codertocat/Hello-World',
      branch: 'feature/login',
      duration: expect.any(Number),
    });
    const branch = neonBranch('feature/login');
    expect(branch).toBeDefined();
    const variables = amplify.branch(APP_ID, 'feature/login')?.environmentVariables ?? {};
    expect(variables.API_URL).toBe('https://api.example.com');
    const url = new URL(variables.DATABASE_URL ?? 'missing:');
    const expected = expectedDatabaseUrl(neon, branch as NonNullable<typeof branch>);
    expect(url.hostname).toBe(expected.host);
    expect(decodeURIComponent(url.password)).toBe(expected.password);
    expect(amplify.branch(APP_ID, 'feature/login')?.jobs).toHaveLength(1);
  });

  it('cleans up when the pull request closes, and leaves Amplify alone', async () => {
    const first = await deliver('push', pushTo('feature/pr'));
    await finished(first.delivery.id);
    expect(neonBranch('feature/pr')).toBeDefined();
    const { delivery, answer } = await deliver('pull_request', pullRequest('closed', 'feature/pr'));
    expect(answer.status).toBe(202);
    expect(await finished(delivery.id)).toMatchObject({ outcome: 'succeeded' });
    expect(neonBranch('feature/pr')).toBeUndefined();
    expect(amplify.branch(APP_ID, 'feature/pr')).toBeDefined();
  });

  it('cleans up on the delete event of a branch', async () => {
    const first = await deliver('push', pushTo('feature/del'));
    await finished(first.delivery.id);
    const { delivery, answer } = await deliver('delete', deleteOf('feature/del'));
    expect(answer.status).toBe(202);
    await finished(delivery.id);
    expect(neonBranch('feature/del')).toBeUndefined();
  });

  it('does a delivery sent twice once', async () => {
    const { delivery, answer } = await deliver('push', pushTo('feature/twice'));
    expect(answer.status).toBe(202);
    const again = await post(webhook(), delivery);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'duplicate', delivery: delivery.id });
    await finished(delivery.id);
    // One branch's deliveries run one at a time, in the order they came. A second run of the
    // duplicate would have been queued before this later delivery for the same branch (its
    // deletion), so once that one has finished, such a run would have started and said so.
    const later = await deliver('delete', deleteOf('feature/twice'));
    expect(later.answer.status).toBe(202);
    await finished(later.delivery.id);
    const creates = neon
      .requestsTo('POST', `/projects/${neon.projectId}/branches`)
      .filter((r) => (r.body as { branch?: { name?: string } }).branch?.name === 'preview/feature/twice');
    expect(creates).toHaveLength(1);
    expect(
      server.lines.filter((line) => line.delivery === delivery.id && line.step === 'start'),
    ).toHaveLength(1);
  });

  it('accepts a delivery signed with the previous secret during a rotation', async () => {
    const { delivery, answer } = await deliver('push', pushTo('feature/rotated'), { secret: OLD_SECRET });
    expect(answer.status).toBe(202);
    await finished(delivery.id);
    expect(neonBranch('feature/rotated')).toBeDefined();
  });
});

describe('a burst across many branches', () => {
  it('ends in exactly the right Neon and Amplify state', async () => {
    // Per branch, deliveries go out in order (each after the previous one's 202), as GitHub sends
    // them; across branches they go out at once, so the server sees them interleaved.
    const scripts: Record<string, { steps: [string, () => Payload][]; kept: boolean; deploys: number }> = {};
    for (let i = 0; i < 16; i++) {
      const branch = `burst/b-${i}`;
      const push = (): [string, () => Payload] => ['push', () => pushTo(branch)];
      switch (i % 4) {
        case 0:
          scripts[branch] = {
            steps: [push(), ['pull_request', () => pullRequest('closed', branch)]],
            kept: false,
            deploys: 1,
          };
          break;
        case 1:
          scripts[branch] = { steps: [push(), push()], kept: true, deploys: 2 };
          break;
        case 2:
          scripts[branch] = {
            steps: [push(), ['delete', () => deleteOf(branch)], push()],
            kept: true,
            deploys: 2,
          };
          break;
        default:
          scripts[branch] = {
            steps: [push(), ['push', () => pushTo(branch, true)]],
            kept: false,
            deploys: 1,
          };
      }
    }

    // Each branch creation is slowed down, so that a later delivery for the same branch would
    // overtake it if the server did not keep a branch's deliveries in order.
    neon.injectFault({
      method: 'POST',
      path: `/projects/${neon.projectId}/branches`,
      times: 1000,
      fault: { kind: 'delay', ms: 250 },
    });
    const ids: string[] = [];
    await Promise.all(
      Object.values(scripts).map(async ({ steps }) => {
        for (const [event, make] of steps) {
          const { delivery, answer } = await deliver(event, make());
          expect(answer.status).toBe(202);
          ids.push(delivery.id);
        }
      }),
    );
    const outcomes = await Promise.all(ids.map((id) => finished(id, 60_000)));
    neon.clearFaults();
    expect(outcomes.filter((line) => line.outcome !== 'succeeded')).toEqual([]);

    const neonNames = neon.state.branches
      .map((b) => b.name)
      .filter((name) => name.startsWith('preview/burst/'))
      .sort();
    const kept = Object.entries(scripts)
      .filter(([, s]) => s.kept)
      .map(([branch]) => `preview/${branch}`)
      .sort();
    expect(neonNames).toEqual(kept);

    for (const [branch, script] of Object.entries(scripts)) {
      const amplifyBranch = amplify.branch(APP_ID, branch);
      expect(amplifyBranch, branch).toBeDefined();
      expect(amplifyBranch?.jobs, branch).toHaveLength(script.deploys);
      if (!script.kept) continue;
      const neonBranchNow = neonBranch(branch);
      const url = new URL(amplifyBranch?.environmentVariables.DATABASE_URL ?? 'missing:');
      const expected = expectedDatabaseUrl(neon, neonBranchNow as NonNullable<typeof neonBranchNow>);
      expect([branch, url.hostname]).toEqual([branch, expected.host]);
    }
  }, 90_000);
});

describe('SIGTERM while a delivery is running', () => {
  it('keeps answering during the drain: /healthz 503 draining, new deliveries 503; exits 0 once the work is done', async () => {
    const appId = 'd1e2e3drain';
    amplify.addApp({ appId });
    const draining = await startWebhookProcess({
      ...standInEnv(neon, amplify, appId),
      GITHUB_WEBHOOK_SECRET: SECRET,
    });
    try {
      // The branch creation takes 1.5 s, so the delivery is still running while the drain is looked at.
      neon.injectFault({
        method: 'POST',
        path: `/projects/${neon.projectId}/branches`,
        times: 1,
        fault: { kind: 'delay', ms: 1_500 },
      });
      const slow = await signedDelivery({ event: 'push', payload: pushTo('drain/slow'), secret: SECRET });
      expect((await post(`${draining.url}/webhook`, slow)).status).toBe(202);
      await draining.waitForLine((line) => line.delivery === slow.id && line.step === 'start');
      draining.child.kill('SIGTERM');
      await draining.waitForLine((line) => line.step === 'stop');

      // A load balancer needs these answers to stop sending; a refused connection tells it nothing.
      const health = await fetch(`${draining.url}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'draining' });
      const late = await signedDelivery({ event: 'push', payload: pushTo('drain/late'), secret: SECRET });
      const refused = await post(`${draining.url}/webhook`, late);
      expect(refused.status).toBe(503);
      expect(refused.body.error).toMatch(/Shutting down/);
      expect(draining.lines.some((line) => line.delivery === slow.id && line.step === 'finish')).toBe(false);

      expect(await draining.exited).toBe(0);
      const finishedAt = draining.lines.findIndex((l) => l.delivery === slow.id && l.step === 'finish');
      expect(draining.lines[finishedAt]).toMatchObject({ outcome: 'succeeded' });
      expect(draining.lines.at(-1)).toMatchObject({ step: 'stop', outcome: 'drained' });
      expect(neonBranch('drain/slow')).toBeDefined();
      expect(neonBranch('drain/late')).toBeUndefined();
      expect(amplify.branch(appId, 'drain/slow')?.environmentVariables.DATABASE_URL).toMatch(/^postgresql:/);
      // Closed only after the drain.
      await expect(fetch(`${draining.url}/healthz`)).rejects.toThrow();
    } finally {
      await draining.stop('SIGKILL');
      neon.clearFaults();
    }
  }, 30_000);
});
