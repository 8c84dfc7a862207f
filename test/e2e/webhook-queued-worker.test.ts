import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SQS_FAULTS } from '../fakes/sqs-server.js';
import { pullRequest, pushTo } from '../fixtures/payloads.js';
import type { LambdaEnvironment } from './lambda-environment.js';
import {
  APP_ID,
  MAX_RECEIVE_COUNT,
  type QueuedWorld,
  receive,
  sign,
  startQueuedWorld,
  VISIBILITY_SECONDS,
} from './queued-world.js';
import { expectedDatabaseUrl, type LogLine } from './webhook-process.js';

/**
 * The queued worker (dist/lambda/worker.js) in execution environments of its own, driven by a
 * stand-in for Lambda's SQS event source mapping (test/fakes/sqs-poller.ts) from the FIFO queue the
 * receiver (dist/lambda/receiver.js) fills. The queue runs on a manual clock: a visibility timeout
 * passes only when a test moves it.
 */
let world: QueuedWorld;
let receiver: LambdaEnvironment;

beforeEach(async () => {
  world = await startQueuedWorld();
  receiver = world.receiver();
});
afterEach(async () => {
  const environments = [receiver];
  await world.close();
  for (const environment of environments) {
    for (const secret of world.secrets()) expect(environment.output()).not.toContain(secret);
  }
});

async function deliver(event: string, payload: unknown): Promise<string> {
  const d = await sign(event, payload);
  const answer = await receive(receiver, d);
  expect(answer.status).toBe(202);
  return d.id;
}

/**
 * The creates Neon carried out (201). A push that created its git branch creates first, so a
 * message done again sends the create again and Neon's 409 says the branch exists.
 */
const createsOf = (name: string) =>
  world.neon
    .requestsTo('POST', `/projects/${world.neon.projectId}/branches`)
    .filter((request) => (request.body as { branch?: { name?: string } })?.branch?.name === name)
    .filter((request) => request.status === 201);
const inQueue = () => world.sqs.messages(world.queue.name);
const inDeadLetterQueue = () => world.sqs.messages(world.deadLetterQueue.name);
const finishes = (lines: LogLine[], delivery: string) =>
  lines.filter((line) => line.delivery === delivery && line.step === 'finish');

function expectPreview(branch: string): void {
  const neonBranch = world.neon.branchByName(`preview/${branch}`);
  expect(neonBranch, branch).toBeDefined();
  const expected = expectedDatabaseUrl(world.neon, neonBranch as NonNullable<typeof neonBranch>);
  const url = new URL(world.amplify.branch(APP_ID, branch)?.environmentVariables.DATABASE_URL ?? 'x:');
  expect([url.hostname, decodeURIComponent(url.password)], branch).toEqual([
    expected.host,
    expected.password,
  ]);
}

describe('two workers over 16 branches', () => {
  it("end in the exact Neon and Amplify state, each branch's deliveries applied in order, each once", async () => {
    const workers = [world.worker(), world.worker()];
    const pollers = await Promise.all(workers.map((worker) => world.poll(worker, { batchSize: 5 })));
    const branches = Array.from({ length: 16 }, (_, index) => `team/b${index}`);
    const closed = branches.filter((_, index) => index % 2 === 0);
    // Per branch: a push, another push, and for half of them the pull request closing; the
    // branches interleaved, as an organisation's deliveries arrive.
    const rounds: string[][] = [[], [], []];
    for (const branch of branches) rounds[0]?.push(await deliver('push', pushTo(branch)));
    for (const branch of branches) rounds[1]?.push(await deliver('push', pushTo(branch)));
    for (const branch of closed) {
      rounds[2]?.push(await deliver('pull_request', pullRequest('closed', branch)));
    }
    const all = rounds.flat();
    const lines = () => workers.flatMap((worker) => worker.lines);
    await expect
      .poll(() => all.filter((id) => finishes(lines(), id).length > 0).length, { timeout: 60_000 })
      .toBe(all.length);
    await expect.poll(() => inQueue().length, { timeout: 10_000 }).toBe(0);

    expect(pollers.map((poller) => poller.violations)).toEqual([[], []]);
    expect(pollers.every((poller) => poller.invocations.length > 0)).toBe(true);
    expect(inDeadLetterQueue()).toEqual([]);
    for (const id of all) expect(finishes(lines(), id), id).toMatchObject([{ outcome: 'succeeded' }]);
    // In order per branch: each delivery started after the one before it had finished.
    branches.forEach((branch, index) => {
      const ids = [rounds[0]?.[index], rounds[1]?.[index], rounds[2]?.[closed.indexOf(branch)]];
      const own = ids.filter((id): id is string => id !== undefined);
      for (let k = 1; k < own.length; k += 1) {
        const finished = Date.parse(String(finishes(lines(), own[k - 1] ?? '')[0]?.time));
        const started = lines().find((line) => line.delivery === own[k] && line.step === 'start');
        expect(Date.parse(String(started?.time)), branch).toBeGreaterThanOrEqual(finished);
      }
    });
    expect(
      world.neon.state.branches
        .map((branch) => branch.name)
        .filter((name) => name !== 'main')
        .sort(),
    ).toEqual(
      branches
        .filter((branch) => !closed.includes(branch))
        .map((branch) => `preview/${branch}`)
        .sort(),
    );
    for (const branch of branches) {
      expect(createsOf(`preview/${branch}`), branch).toHaveLength(1);
      if (closed.includes(branch)) {
        expect(
          world.amplify.branch(APP_ID, branch)?.environmentVariables.DATABASE_URL,
          branch,
        ).toBeUndefined();
      } else {
        expectPreview(branch);
      }
    }
    for (const worker of workers) {
      for (const secret of world.secrets()) expect(worker.output()).not.toContain(secret);
    }
  }, 120_000);
});

describe('a worker killed in the middle of a deploy', () => {
  it('leaves its message in flight; it comes back after the visibility timeout and finishes', async () => {
    const worker = world.worker();
    const poller = await world.poll(worker, { batchSize: 1 });
    // The branch is created, then Neon's answer is held: the worker dies before it hears it.
    world.neon.injectFault({
      method: 'POST',
      path: `/projects/${world.neon.projectId}/branches`,
      fault: { kind: 'delay', ms: 3_000, phase: 'after' },
    });
    const id = await deliver('push', pushTo('feature/killed'));
    await expect.poll(() => createsOf('preview/feature/killed').length, { timeout: 10_000 }).toBe(1);
    worker.kill();
    await poller.waitFor((p) => p.invocations.length === 1);
    expect(poller.invocations[0]).toMatchObject({ outcome: 'failed', reason: 'threw' });
    expect(inQueue().map((message) => [message.deduplicationId, message.inFlight])).toEqual([[id, true]]);
    expect(world.neon.branchByName('preview/feature/killed')).toBeDefined();
    expect(world.amplify.branch(APP_ID, 'feature/killed')).toBeUndefined();

    world.clock.advance(VISIBILITY_SECONDS * 1000);
    await poller.waitFor((p) => p.invocations.length === 2, { timeoutMs: 20_000 });

    expect(poller.invocations[1]).toMatchObject({ outcome: 'succeeded' });
    expect(poller.invocations[1]?.records[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect(worker.coldStarts()).toBe(2);
    expect(inQueue()).toEqual([]);
    expect(createsOf('preview/feature/killed')).toHaveLength(1);
    expect(finishes(worker.lines, id)).toMatchObject([
      { outcome: 'succeeded', outputs: { created: 'false' } },
    ]);
    expectPreview('feature/killed');
    expect(poller.violations).toEqual([]);
  }, 60_000);
});

describe('a poison message', () => {
  it('lands in the dead-letter queue after maxReceiveCount with what queued behind it, and holds up no other branch', async () => {
    const worker = world.worker();
    world.amplify.injectFault({
      operation: 'GetBranch',
      path: /poison/,
      times: Number.POSITIVE_INFINITY,
      action: { kind: 'error', status: 403, errorType: 'AccessDeniedException', message: 'denied' },
    });
    const poison = await deliver('push', pushTo('poison/x'));
    const healthy = await deliver('push', pushTo('healthy/y'));
    // Behind the poison in its group: in the same batch it must not run (it would overtake the
    // push), so it is listed as failed too, and shares the push's receive count.
    const behind = await deliver('pull_request', pullRequest('closed', 'poison/x'));
    const poller = await world.poll(worker, { batchSize: 10 });

    for (let attempt = 1; attempt <= MAX_RECEIVE_COUNT; attempt += 1) {
      await expect.poll(() => finishes(worker.lines, poison).length, { timeout: 20_000 }).toBe(attempt);
      await poller.waitFor((p) => p.running() === 0);
      world.clock.advance(VISIBILITY_SECONDS * 1000);
    }
    await expect.poll(() => inDeadLetterQueue().length, { timeout: 10_000 }).toBe(2);

    expect(
      inDeadLetterQueue().map((m) => [m.deduplicationId, m.receiveCount, m.deadLetterSourceArn]),
    ).toEqual([
      [poison, MAX_RECEIVE_COUNT, world.queue.arn],
      [behind, MAX_RECEIVE_COUNT, world.queue.arn],
    ]);
    for (const message of inDeadLetterQueue()) {
      for (const secret of world.secrets()) expect(message.body).not.toContain(secret);
    }
    expect(finishes(worker.lines, behind)).toEqual([]);
    expect(finishes(worker.lines, poison).map((line) => line.outcome)).toEqual([
      'failed',
      'failed',
      'failed',
    ]);
    expect(finishes(worker.lines, healthy)).toMatchObject([{ outcome: 'succeeded' }]);
    expectPreview('healthy/y');
    expect(inQueue()).toEqual([]);
    expect(poller.violations).toEqual([]);
  }, 60_000);
});

describe('a message seen twice', () => {
  it('is done once by the worker that did it, and ends in the same state when another does it again', async () => {
    const first = world.worker();
    const second = world.worker();
    // Lambda's delete after a success fails (the SDK's three attempts): the message comes back.
    world.sqs.injectFault({ operation: 'DeleteMessageBatch', times: 3, action: SQS_FAULTS.internalError });
    const poller = await world.poll(first, { batchSize: 1 });
    const a = await deliver('push', pushTo('feature/again'));
    await poller.waitFor((p) => p.invocations.length === 1, { timeoutMs: 20_000 });
    expect(poller.invocations[0]?.deleteFailures).toHaveLength(1);
    world.clock.advance(VISIBILITY_SECONDS * 1000);
    await poller.waitFor((p) => p.invocations.length === 2, { timeoutMs: 20_000 });
    // The same environment remembers it: not done again.
    expect(first.lines.filter((line) => line.delivery === a && line.outcome === 'duplicate')).toHaveLength(1);
    expect(world.amplify.requestsFor('StartJob')).toHaveLength(1);

    world.sqs.injectFault({ operation: 'DeleteMessageBatch', times: 3, action: SQS_FAULTS.internalError });
    const b = await deliver('push', pushTo('feature/twice'));
    await poller.waitFor((p) => p.invocations.length === 3, { timeoutMs: 20_000 });
    await poller.stop();
    const other = await world.poll(second, { batchSize: 1 });
    world.clock.advance(VISIBILITY_SECONDS * 1000);
    await other.waitFor((p) => p.invocations.length === 1, { timeoutMs: 20_000 });

    // Another environment knows nothing of it and does it again: no second branch, no second write.
    expect(finishes(second.lines, b)).toMatchObject([
      { outcome: 'succeeded', outputs: { created: 'false' } },
    ]);
    // The one thing done again that shows: a second Amplify build of the same commit, which
    // replaces the first (on-running-job: replace); see docs/webhook.md.
    const started = world.amplify
      .requestsFor('StartJob')
      .filter((r) => r.params.branchName === 'feature/twice' && r.status === 200);
    expect(started).toHaveLength(2);
    expect(createsOf('preview/feature/twice')).toHaveLength(1);
    const writes = world.amplify.requests.filter(
      (r) =>
        ['CreateBranch', 'UpdateBranch'].includes(String(r.operation)) &&
        (r.params.branchName ?? (r.body as { branchName?: string }).branchName) === 'feature/twice',
    );
    expect(writes.map((r) => r.operation)).toEqual(['CreateBranch']);
    expectPreview('feature/twice');
    expect(inQueue()).toEqual([]);
  }, 60_000);
});
