import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redact.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import { createReceiver, loadReceiverConfig } from '../../src/webhook/sqs/receiver.js';
import { createQueueClient } from '../../src/webhook/sqs/send.js';
import { messageSigner } from '../../src/webhook/sqs/signature.js';
import { type SqsStandIn, sqsClientEnv, startSqsStandIn } from '../fakes/sqs-server.js';
import { bitbucketDelivery, bitbucketPush } from '../fixtures/bitbucket-deliveries.js';
import { pushTo } from '../fixtures/payloads.js';
import { signedDelivery } from '../fixtures/webhook-deliveries.js';

/** The receiver's SendMessage through the real @aws-sdk/client-sqs, against the strict stand-in. */
let sqs: SqsStandIn;
let queueUrl: string;

beforeAll(async () => {
  sqs = await startSqsStandIn();
  queueUrl = sqs.createFifoQueueWithDlq({ name: 'contract.fifo', maxReceiveCount: 2 }).queue.url;
  // The receiver's own client (createQueueClient), pointed at the stand-in the standard way.
  Object.assign(process.env, sqsClientEnv(sqs));
});
afterAll(async () => {
  await sqs.close();
});

function receiver() {
  const config = loadReceiverConfig({
    GITHUB_WEBHOOK_SECRET: 'contract-secret',
    BITBUCKET_WEBHOOK_SECRET: 'bitbucket-secret',
    QUEUE_URL: queueUrl,
    NEON_PROJECT_ID: 'calm-sun-123456',
    AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
    AWS_REGION: 'us-east-1',
  });
  const log = new JsonLogger({ redactor: new Redactor(), write: () => {} });
  return createReceiver({ config, log });
}

async function send(branch: string) {
  const d = await signedDelivery({ event: 'push', payload: pushTo(branch), secret: 'contract-secret' });
  const started = performance.now();
  const response = await receiver().handle({
    method: 'POST',
    path: '/webhook',
    headers: d.headers,
    body: d.body,
  });
  return { id: d.id, status: response.status, ms: performance.now() - started };
}

describe('the receiver through the SQS client', () => {
  it('sends a message SQS takes as it is: group, deduplication id, body', async () => {
    const { id, status } = await send('feature/contract');
    expect(status).toBe(202);
    const [message] = sqs.messages('contract.fifo').filter((m) => m.deduplicationId === id);
    expect(message?.groupId).toBe('Codertocat/Hello-World:feature/contract');
    expect(sqs.requestsFor('SendMessage').at(-1)?.status).toBe(200);
  });

  it('signs the body for the worker: a String attribute that verifies under the webhook secret', async () => {
    const { id } = await send('feature/signed');
    const [message] = sqs.messages('contract.fifo').filter((m) => m.deduplicationId === id);
    const signature = message?.messageAttributes.signature;
    expect(signature?.DataType).toBe('String');
    const worker = messageSigner(['new-secret', 'contract-secret']);
    expect(worker.verify(message?.body ?? '', signature?.StringValue)).toBe(true);
    expect(messageSigner(['another-secret']).verify(message?.body ?? '', signature?.StringValue)).toBe(false);
  });

  it("answers 503 inside GitHub's 10 seconds when SQS stops answering (6 s at most)", async () => {
    sqs.injectFault({ operation: 'SendMessage', times: 3, action: { kind: 'latency', ms: 20_000 } });
    const before = sqs.requestsFor('SendMessage').length;
    const { status, ms } = await send('feature/slow');
    expect(status).toBe(503);
    // Three attempts of 1.5 s each, and the SDK's backoff between them.
    expect(sqs.requestsFor('SendMessage').length - before).toBe(3);
    expect(ms).toBeLessThan(6_500);
    sqs.clearFaults();
  }, 20_000);

  it('sends a Bitbucket push of several branches as one message per branch, each its own group and deduplication id', async () => {
    // A branch whose group and deduplication ids do not fit SQS verbatim (the stand-in enforces the rule).
    const long = `feature/café-${'x'.repeat(130)}`;
    const more = [long, { name: 'feature/gone', deleted: true }];
    const d = bitbucketDelivery({
      event: 'repo:push',
      payload: bitbucketPush('feature/one', { more }),
      secret: 'bitbucket-secret',
    });
    const request = { method: 'POST', path: '/webhook/bitbucket', headers: d.headers, body: d.body };
    const before = sqs.messages('contract.fifo').length;
    expect((await receiver().handle(request)).status).toBe(202);
    const sent = sqs.messages('contract.fifo').slice(before);
    const plans = sent.map(
      (m) =>
        JSON.parse(m.body) as {
          delivery: string;
          workId?: string;
          plan: { kind: string; gitBranch: string };
        },
    );
    expect(plans.map((p) => [p.plan.kind, p.plan.gitBranch]).sort()).toEqual(
      [
        ['cleanup', 'feature/gone'],
        ['deploy', 'feature/one'],
        ['deploy', long],
      ].sort(),
    );
    expect(plans.every((p) => p.delivery === d.id)).toBe(true);
    expect(new Set(sent.map((m) => m.groupId)).size).toBe(3);
    expect(new Set(sent.map((m) => m.deduplicationId)).size).toBe(3);
    expect(sent.map((m) => m.deduplicationId)).not.toContain(d.id);
    expect(sent.map((m) => m.deduplicationId)).toEqual(plans.map((p) => p.workId));
    // A redelivery reaching a receiver that forgot it (another instance) adds nothing: SQS drops each piece.
    expect((await receiver().handle(request)).status).toBe(202);
    expect(sqs.messages('contract.fifo')).toHaveLength(before + 3);
  });

  it('takes the region from the queue URL, else from the environment, else refuses to start', async () => {
    const regional = await createQueueClient('https://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo', {})();
    expect(await regional.config.region()).toBe('eu-west-1');
    regional.destroy();
    const get = createQueueClient(queueUrl, { AWS_DEFAULT_REGION: 'ap-south-1' });
    const local = await get();
    expect(await local.config.region()).toBe('ap-south-1');
    // One client for every send, made with the first.
    expect(await get()).toBe(local);
    local.destroy();
    expect(() => createQueueClient(queueUrl, {})).toThrowError(/No AWS region for QUEUE_URL/);
  });
});
