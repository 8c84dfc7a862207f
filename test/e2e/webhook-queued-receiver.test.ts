import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQS_FAULTS } from '../fakes/sqs-server.js';
import { ping, pullRequest, pushTo, tagPush } from '../fixtures/payloads.js';
import { post } from '../fixtures/webhook-deliveries.js';
import { APP_ID, type QueuedWorld, receive, SECRET, sign, startQueuedWorld } from './queued-world.js';
import { requireBuilt, startWebhookProcess, WEBHOOK_ENTRY } from './webhook-process.js';

/**
 * The queued receiver (dist/lambda/receiver.js, and the server with QUEUE_URL) against the SQS
 * stand-in: verified and classified as before, sent to the FIFO queue, answered once SQS has it.
 */
let world: QueuedWorld;

beforeAll(async () => {
  // Every Neon operation takes 1.5 s of real time: a deploy takes seconds, as on Neon.
  world = await startQueuedWorld({ operationMs: 1_500 });
});
afterAll(async () => {
  await world.close();
});

const queued = () => world.sqs.messages(world.queue.name);

describe('the receiver', () => {
  it('answers 202 in milliseconds once SQS holds the delivery, while the deploy behind it takes seconds', async () => {
    const receiver = world.receiver();
    const worker = world.worker();
    // Cold start and the first connection to SQS, not measured.
    expect((await receive(receiver, await sign('push', pushTo('warm/up')))).status).toBe(202);
    const warm = await world.poll(worker);
    await warm.waitFor((p) => p.invocations.length === 1, { timeoutMs: 20_000 });
    // No worker polls while the delivery is answered: whatever Neon holds then, the receiver made.
    await warm.stop();

    const d = await sign('push', pushTo('feature/fast'));
    const answer = await receive(receiver, d);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'accepted', delivery: d.id });
    expect(world.neon.branchByName('preview/feature/fast')).toBeUndefined();
    const poller = await world.poll(worker);
    await poller.waitFor((p) => p.invocations.length === 1, { timeoutMs: 20_000 });

    const accepted = receiver.lines.find((line) => line.delivery === d.id && line.outcome === 'accepted');
    const finished = worker.lines.find((line) => line.delivery === d.id && line.step === 'finish');
    expect(finished).toMatchObject({ outcome: 'succeeded' });
    // Measured here (IPC to the runtime included) and by the receiver itself.
    expect(answer.ms).toBeLessThan(500);
    expect(accepted?.duration).toBeLessThan(250);
    // A Neon operation alone lasts a second here (operations are first read when a create typically ends).
    expect(finished?.duration).toBeGreaterThan(1_000);
    expect(world.neon.branchByName('preview/feature/fast')).toBeDefined();
    expect(world.amplify.branch(APP_ID, 'feature/fast')?.environmentVariables.DATABASE_URL).toMatch(
      /^postgresql:\/\//,
    );
    console.info(
      `receiver: ${answer.ms.toFixed(1)} ms to 202 (its own count ${accepted?.duration} ms); deploy: ${finished?.duration} ms`,
    );
    // The other tests look at the queue itself: nothing takes from it from here on.
    await poller.stop();
  }, 60_000);

  it('sends {owner}/{repo}:{branch} as the group, the delivery id for deduplication, and no secret', async () => {
    const receiver = world.receiver();
    const d = await sign('pull_request', pullRequest('closed', 'feature/msg'));
    expect((await receive(receiver, d)).status).toBe(202);

    const [message] = queued().filter((m) => m.deduplicationId === d.id);
    expect(message?.groupId).toBe('Codertocat/Hello-World:feature/msg');
    expect(JSON.parse(message?.body ?? '{}')).toMatchObject({
      version: 1,
      delivery: d.id,
      event: 'pull_request',
      repository: 'Codertocat/Hello-World',
      plan: { kind: 'cleanup', gitBranch: 'feature/msg' },
      claim: { kind: 'pull-request-closed' },
    });
    for (const secret of world.secrets()) expect(message?.body).not.toContain(secret);
  });

  it('sends the same delivery id once: one receiver answers duplicate, two let SQS drop the second', async () => {
    const first = world.receiver();
    const second = world.receiver();
    const d = await sign('push', pushTo('feature/twice'));
    const sendsBefore = world.sqs.requestsFor('SendMessage').length;

    const answers = [await receive(first, d), await receive(first, d), await receive(second, d)];

    expect(answers.map((a) => [a.status, a.body.status])).toEqual([
      [202, 'accepted'],
      [200, 'duplicate'],
      [202, 'accepted'],
    ]);
    expect(world.sqs.requestsFor('SendMessage').length - sendsBefore).toBe(2);
    expect(queued().filter((m) => m.deduplicationId === d.id)).toHaveLength(1);
  });

  it('answers 503 when SQS refuses or cannot be reached; nothing is queued, and a redelivery goes through', async () => {
    const receiver = world.receiver();
    await receive(receiver, await sign('ping', ping()));
    const refused = await sign('push', pushTo('feature/refused'));
    const unreachable = await sign('push', pushTo('feature/unreachable'));

    world.sqs.injectFault({ operation: 'SendMessage', times: 3, action: SQS_FAULTS.serviceUnavailable });
    const a = await receive(receiver, refused);
    world.sqs.setUnreachable(true);
    const b = await receive(receiver, unreachable);
    world.sqs.setUnreachable(false);

    expect([a.status, b.status]).toEqual([503, 503]);
    expect(a.body.error).toMatch(
      /^The queue did not take the delivery \(SendMessage failed: ServiceUnavailable/,
    );
    expect(b.body.error).toMatch(/nothing was done, redeliver it later$/);
    expect(a.ms + b.ms).toBeLessThan(10_000);
    expect(queued().filter((m) => [refused.id, unreachable.id].includes(m.deduplicationId ?? ''))).toEqual(
      [],
    );
    // GitHub's Redeliver sends the same delivery id again: it was never accepted, so it is taken now.
    expect((await receive(receiver, refused)).status).toBe(202);
    expect((await receive(receiver, unreachable)).status).toBe(202);
    expect(receiver.lines.filter((line) => line.status === 503)).toHaveLength(2);
  });

  it('answers what needs no work with 200 without touching the queue', async () => {
    const receiver = world.receiver();
    const sendsBefore = world.sqs.requests.length;
    const answers = [
      await receive(receiver, await sign('ping', ping())),
      await receive(receiver, await sign('push', tagPush())),
      await receive(receiver, await sign('pull_request', pullRequest('opened', 'feature/o'))),
      await receive(receiver, await sign('pull_request', pullRequest('closed', 'feature/f', true))),
      await receive(receiver, await sign('push', pushTo('master', true))),
    ];
    expect(answers.map((a) => [a.status, a.body.status])).toEqual([
      [200, 'pong'],
      [200, 'ignored'],
      [200, 'ignored'],
      [200, 'ignored'],
      [200, 'ignored'],
    ]);
    expect(world.sqs.requests.length).toBe(sendsBefore);
    const forged = await sign('push', pushTo('feature/forged'));
    forged.headers['x-hub-signature-256'] = `sha256=${'0'.repeat(64)}`;
    expect((await receive(receiver, forged)).status).toBe(401);
    expect(world.sqs.requests.length).toBe(sendsBefore);
  });

  it('makes a receiver of the Node server with QUEUE_URL: no Neon key, no work of its own', async () => {
    requireBuilt(WEBHOOK_ENTRY);
    const server = await startWebhookProcess(world.receiverEnv);
    try {
      const neonBefore = world.neon.requests.length;
      const amplifyBefore = world.amplify.requests.length;
      const d = await sign('push', pushTo('feature/server'));
      const answer = await post(`${server.url}/webhook`, d);

      expect(answer.status).toBe(202);
      expect(queued().filter((m) => m.deduplicationId === d.id)).toHaveLength(1);
      expect(server.lines.find((line) => line.step === 'start')).toMatchObject({
        queueUrl: world.queue.url,
      });
      expect(world.neon.requests.length).toBe(neonBefore);
      expect(world.amplify.requests.length).toBe(amplifyBefore);
      expect(server.output()).not.toContain(SECRET);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
