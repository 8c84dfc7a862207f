/**
 * The SQS stand-in itself, through the real @aws-sdk/client-sqs: that it is as strict as SQS where a
 * receiver or a worker could go wrong (FIFO order, deduplication, visibility, receipt handles,
 * redrive, errors as the SDK parses them), and that the poller treats a worker's answers as Lambda
 * does. Most tests run on a ManualClock, so "after the visibility timeout" costs no waiting.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  PurgeQueueCommand,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  type ReceiveMessageCommandInput,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SendMessageCommandInput,
  SQSClient,
  SQSServiceException,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  importLambdaHandler,
  type SqsBatchHandler,
  type SqsPoller,
  startSqsPoller,
} from '../fakes/sqs-poller.js';
import {
  ManualClock,
  SQS_FAULTS,
  SQS_TEST_CREDENTIALS,
  type SqsStandIn,
  type SqsStandInOptions,
  sqsClientConfig,
  startSqsStandIn,
} from '../fakes/sqs-server.js';
import { settled, waitFor } from '../wait-for.js';

const running: SqsStandIn[] = [];
const clients: SQSClient[] = [];
const pollers: SqsPoller[] = [];
const temporary: string[] = [];

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(running.splice(0).map((standIn) => standIn.close()));
  await Promise.all(temporary.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

interface World {
  standIn: SqsStandIn;
  clock: ManualClock;
  sqs: SQSClient;
}

async function start(options: SqsStandInOptions = {}): Promise<World> {
  const clock = new ManualClock();
  const standIn = await startSqsStandIn({ clock, ...options });
  running.push(standIn);
  return { standIn, clock, sqs: client(standIn) };
}

/** maxAttempts 1 unless a test is about the SDK's retries: every request the test sees is one it sent. */
function client(standIn: SqsStandIn, overrides: ConstructorParameters<typeof SQSClient>[0] = {}): SQSClient {
  const sqs = new SQSClient(sqsClientConfig(standIn, { maxAttempts: 1, ...overrides }));
  clients.push(sqs);
  return sqs;
}

async function rejection(promise: Promise<unknown>): Promise<SQSServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SQSServiceException) return error;
    throw error;
  }
  throw new Error('expected the request to be refused');
}

const send = (sqs: SQSClient, input: SendMessageCommandInput) => sqs.send(new SendMessageCommand(input));
const receive = async (sqs: SQSClient, input: ReceiveMessageCommandInput): Promise<Message[]> =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        ...input,
      }),
    )
  ).Messages ?? [];
const bodies = (messages: Message[]) => messages.map((message) => message.Body);

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
}

/** A request the SDK would never send, signed by hand, to look at the wire. */
async function raw(
  standIn: SqsStandIn,
  input: { target: string; body: unknown; contentType?: string; unsigned?: boolean },
): Promise<RawResponse> {
  const url = new URL(standIn.url);
  const body = JSON.stringify(input.body);
  let headers: Record<string, string> = {
    host: url.host,
    'content-type': input.contentType ?? 'application/x-amz-json-1.0',
    'x-amz-target': input.target,
  };
  if (input.unsigned !== true) {
    const signer = new SignatureV4({
      credentials: standIn.credentials,
      region: standIn.region,
      service: 'sqs',
      sha256: Hash.bind(null, 'sha256'),
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers,
      body,
    });
    headers = Object.fromEntries(Object.entries(signed.headers).map(([key, value]) => [key, String(value)]));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: 'POST', path: '/', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the wire', () => {
  it('answers a missing queue as the SQS docs show: 400, __type, x-amzn-query-error, a request id', async () => {
    const { standIn } = await start();

    const response = await raw(standIn, {
      target: 'AmazonSQS.SendMessage',
      body: { QueueUrl: `${standIn.url}/${standIn.accountId}/nope`, MessageBody: 'x' },
    });

    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(response.headers['x-amzn-query-error']).toBe('AWS.SimpleQueueService.NonExistentQueue;Sender');
    expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.json).toEqual({
      __type: 'com.amazonaws.sqs#QueueDoesNotExist',
      message: 'The specified queue does not exist.',
    });
  });

  it('refuses what the SDK never sends: an unknown member, a wrong type, the query protocol, an unknown target', async () => {
    const { standIn } = await start();
    const queue = standIn.createQueue('plain');

    const misspelt = await raw(standIn, {
      target: 'AmazonSQS.SendMessage',
      body: { QueueUrl: queue.url, MessageBody: 'x', MessageGroupID: 'g' },
    });
    const wrongType = await raw(standIn, {
      target: 'AmazonSQS.ReceiveMessage',
      body: { QueueUrl: queue.url, MaxNumberOfMessages: '10' },
    });
    const form = await raw(standIn, {
      target: 'AmazonSQS.SendMessage',
      body: { QueueUrl: queue.url, MessageBody: 'x' },
      contentType: 'application/x-www-form-urlencoded',
    });
    const unknown = await raw(standIn, { target: 'AmazonSQS.SendMessages', body: {} });

    expect(misspelt.json.__type).toBe('com.amazon.coral.service#SerializationException');
    expect(String(misspelt.json.message)).toContain("'MessageGroupID'");
    expect(wrongType.json.__type).toBe('com.amazon.coral.service#SerializationException');
    expect(form.status).toBe(400);
    expect(unknown.headers['x-amzn-query-error']).toBe('InvalidAction;Sender');
    expect(standIn.messages('plain')).toEqual([]);
  });

  it('gives the SDK errors it names as SQS does: modelled ones as their classes, the rest by code', async () => {
    const { standIn, sqs } = await start();
    const { queue } = standIn.createFifoQueueWithDlq({ name: 'jobs.fifo', maxReceiveCount: 3 });

    const noGroup = await rejection(
      send(sqs, { QueueUrl: queue.url, MessageBody: 'x', MessageDeduplicationId: 'd' }),
    );
    const noDeduplication = await rejection(
      send(sqs, { QueueUrl: queue.url, MessageBody: 'x', MessageGroupId: 'g' }),
    );
    const noQueue = await rejection(
      send(sqs, { QueueUrl: `${standIn.url}/${standIn.accountId}/gone.fifo`, MessageBody: 'x' }),
    );
    const tooMany = await rejection(receive(sqs, { QueueUrl: queue.url, MaxNumberOfMessages: 11 }));
    const tooLong = await rejection(receive(sqs, { QueueUrl: queue.url, WaitTimeSeconds: 21 }));

    expect([noGroup.name, noGroup.message, noGroup.$metadata.httpStatusCode, noGroup.$fault]).toEqual([
      'MissingParameter',
      'The request must contain the parameter MessageGroupId.',
      400,
      'client',
    ]);
    expect(noDeduplication.name).toBe('InvalidParameterValue');
    expect(noDeduplication.message).toBe(
      'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );
    expect(noQueue).toBeInstanceOf(QueueDoesNotExist);
    expect(tooMany.name).toBe('InvalidParameterValue');
    expect(tooMany.message).toContain('MaxNumberOfMessages');
    expect(tooLong.message).toBe(
      'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
    );
    expect(standIn.messages('jobs.fifo')).toEqual([]);
  });

  it('holds group and deduplication ids to 1-128 alphanumeric and punctuation characters', async () => {
    const { standIn, sqs } = await start();
    const { queue } = standIn.createFifoQueueWithDlq({ name: 'jobs.fifo', maxReceiveCount: 3 });

    // A git branch may hold what a group id may not: spaces, non-ASCII letters, more than 128 characters.
    const unicode = await rejection(
      send(sqs, {
        QueueUrl: queue.url,
        MessageBody: 'x',
        MessageGroupId: 'o/r:feat/çava',
        MessageDeduplicationId: 'd',
      }),
    );
    const long = await rejection(
      send(sqs, {
        QueueUrl: queue.url,
        MessageBody: 'x',
        MessageGroupId: 'g'.repeat(129),
        MessageDeduplicationId: 'd',
      }),
    );
    const fine = await send(sqs, {
      QueueUrl: queue.url,
      MessageBody: 'x',
      MessageGroupId: 'octo-org/shop:feat/a.b_c',
      MessageDeduplicationId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    });

    expect([unicode.name, long.name]).toEqual(['InvalidParameterValue', 'InvalidParameterValue']);
    expect(fine.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(standIn.messages('jobs.fifo').map((message) => message.groupId)).toEqual([
      'octo-org/shop:feat/a.b_c',
    ]);
  });
});

describe('authentication', () => {
  it('refuses a wrong secret with SignatureDoesNotMatch and enqueues nothing', async () => {
    const { standIn } = await start();
    const queue = standIn.createQueue('plain');
    const forger = client(standIn, {
      credentials: { accessKeyId: SQS_TEST_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' },
    });

    const error = await rejection(send(forger, { QueueUrl: queue.url, MessageBody: 'x' }));

    expect([error.name, error.$metadata.httpStatusCode]).toEqual(['SignatureDoesNotMatch', 403]);
    expect(standIn.messages('plain')).toEqual([]);
  });

  it('refuses an unknown key and an unsigned request', async () => {
    const { standIn } = await start();
    const queue = standIn.createQueue('plain');
    const stranger = client(standIn, {
      credentials: { accessKeyId: 'AKIANOTKNOWN00000000', secretAccessKey: 'x' },
    });

    const unknownKey = await rejection(send(stranger, { QueueUrl: queue.url, MessageBody: 'x' }));
    const unsigned = await raw(standIn, {
      target: 'AmazonSQS.SendMessage',
      body: { QueueUrl: queue.url, MessageBody: 'x' },
      unsigned: true,
    });

    expect([unknownKey.name, unknownKey.$metadata.httpStatusCode]).toEqual(['InvalidClientTokenId', 403]);
    expect([unsigned.status, unsigned.headers['x-amzn-query-error']]).toEqual([403, 'AccessDenied;Sender']);
    expect(standIn.messages('plain')).toEqual([]);
  });
});

describe('queues', () => {
  it('creates queues idempotently and refuses the same name with other attributes', async () => {
    const { sqs } = await start();
    const create = (attributes: Record<string, string>) =>
      sqs.send(
        new CreateQueueCommand({ QueueName: 'jobs.fifo', Attributes: { FifoQueue: 'true', ...attributes } }),
      );

    const first = await create({ VisibilityTimeout: '60' });
    const again = await create({ VisibilityTimeout: '60' });
    const conflict = await rejection(create({ VisibilityTimeout: '90' }));
    const byName = await sqs.send(new GetQueueUrlCommand({ QueueName: 'jobs.fifo' }));
    const fifoWithoutSuffix = await rejection(
      sqs.send(new CreateQueueCommand({ QueueName: 'jobs', Attributes: { FifoQueue: 'true' } })),
    );
    const outOfRange = await rejection(
      sqs.send(new CreateQueueCommand({ QueueName: 'other', Attributes: { VisibilityTimeout: '43201' } })),
    );

    expect(again.QueueUrl).toBe(first.QueueUrl);
    expect(byName.QueueUrl).toBe(first.QueueUrl);
    expect(conflict).toBeInstanceOf(QueueNameExists);
    expect(fifoWithoutSuffix.name).toBe('InvalidParameterValue');
    expect(outOfRange.name).toBe('InvalidAttributeValue');
  });

  it('takes a RedrivePolicy only towards an existing queue of the same type', async () => {
    const { standIn, sqs } = await start();
    const standardDlq = standIn.createQueue('plain-dlq');
    const redrive = (arn: string, maxReceiveCount: number | string = 3) =>
      sqs.send(
        new CreateQueueCommand({
          QueueName: 'jobs.fifo',
          Attributes: {
            FifoQueue: 'true',
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount }),
          },
        }),
      );

    const otherType = await rejection(redrive(standardDlq.arn));
    const missingTarget = await rejection(redrive(`arn:aws:sqs:us-east-1:${standIn.accountId}:nowhere.fifo`));
    const fifoDlq = standIn.createQueue('jobs-dlq.fifo', { FifoQueue: 'true' });
    const badCount = await rejection(redrive(fifoDlq.arn, 0));
    await redrive(fifoDlq.arn, '5');
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: `${standIn.url}/${standIn.accountId}/jobs.fifo`,
        AttributeNames: ['RedrivePolicy', 'FifoQueue', 'QueueArn'],
      }),
    );

    expect(otherType.message).toContain('Dead-letter queue must be same type of queue as the source.');
    expect(missingTarget.message).toContain('Dead letter target does not exist.');
    expect(badCount.name).toBe('InvalidParameterValue');
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: fifoDlq.arn,
      maxReceiveCount: 5,
    });
    expect(Attributes?.FifoQueue).toBe('true');
    expect(Attributes?.QueueArn).toBe(`arn:aws:sqs:us-east-1:${standIn.accountId}:jobs.fifo`);
  });
});

describe('send, receive, delete', () => {
  it('round-trips a FIFO message with its system attributes, MD5s and a fresh receipt handle', async () => {
    const { standIn, clock, sqs } = await start();
    const { queue } = standIn.createFifoQueueWithDlq({ name: 'jobs.fifo', maxReceiveCount: 3 });
    const sentAt = clock.now();

    const sent = await send(sqs, {
      QueueUrl: queue.url,
      MessageBody: '{"event":"push"}',
      MessageGroupId: 'octo/shop:main',
      MessageDeduplicationId: 'delivery-1',
      MessageAttributes: { event: { DataType: 'String', StringValue: 'push' } },
    });
    clock.advance(1500);
    const [message] = await receive(sqs, { QueueUrl: queue.url, MaxNumberOfMessages: 10 });

    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('{"event":"push"}').digest('hex'));
    expect(sent.SequenceNumber).toMatch(/^\d{20}$/);
    expect(message?.MessageId).toBe(sent.MessageId);
    expect(message?.Attributes).toEqual({
      SenderId: expect.stringMatching(/^AIDA[0-9A-Z]{17}$/),
      SentTimestamp: String(sentAt),
      ApproximateReceiveCount: '1',
      ApproximateFirstReceiveTimestamp: String(sentAt + 1500),
      SequenceNumber: sent.SequenceNumber,
      MessageDeduplicationId: 'delivery-1',
      MessageGroupId: 'octo/shop:main',
    });
    expect(message?.MessageAttributes).toEqual({ event: { DataType: 'String', StringValue: 'push' } });
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);

    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message?.ReceiptHandle }));
    expect(standIn.messages('jobs.fifo')).toEqual([]);
  });

  it('computes MD5OfMessageAttributes as the developer guide defines it (vectors from other SQS implementations)', async () => {
    const { standIn, sqs } = await start();
    const queue = standIn.createQueue('plain');

    const one = await send(sqs, {
      QueueUrl: queue.url,
      MessageBody: 'x',
      MessageAttributes: { timestamp: { DataType: 'Number', StringValue: '1493147359900' } },
    });
    const two = await send(sqs, {
      QueueUrl: queue.url,
      MessageBody: 'x',
      MessageAttributes: {
        ordinal: { DataType: 'Number', StringValue: '1' },
        category: { DataType: 'String', StringValue: 'test' },
      },
    });

    expect(one.MD5OfMessageAttributes).toBe('235c5c510d26fb653d073faed50ae77c');
    expect(two.MD5OfMessageAttributes).toBe('d21ae90c49061e927f57df5f5d72be1f');
  });

  it('sends and deletes in batches, failing bad entries alone and a bad batch as a whole', async () => {
    const { standIn, sqs } = await start();
    const { queue } = standIn.createFifoQueueWithDlq({ name: 'jobs.fifo', maxReceiveCount: 3 });

    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: [
          { Id: 'a', MessageBody: '1', MessageGroupId: 'g', MessageDeduplicationId: 'd1' },
          { Id: 'b', MessageBody: '2', MessageDeduplicationId: 'd2' },
          { Id: 'c', MessageBody: '3', MessageGroupId: 'g', MessageDeduplicationId: 'd3' },
        ],
      }),
    );
    const eleven = await rejection(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: Array.from({ length: 11 }, (_, index) => ({
            Id: `e${index}`,
            MessageBody: 'x',
            MessageGroupId: 'g',
            MessageDeduplicationId: `x${index}`,
          })),
        }),
      ),
    );
    const received = await receive(sqs, { QueueUrl: queue.url, MaxNumberOfMessages: 10 });
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: [
          ...received.map((message, index) => ({ Id: `m${index}`, ReceiptHandle: message.ReceiptHandle })),
          { Id: 'forged', ReceiptHandle: 'AQEBforged' },
        ],
      }),
    );

    expect(sent.Successful?.map((entry) => entry.Id)).toEqual(['a', 'c']);
    expect(sent.Failed).toEqual([
      {
        Id: 'b',
        SenderFault: true,
        Code: 'MissingParameter',
        Message: 'The request must contain the parameter MessageGroupId.',
      },
    ]);
    expect(eleven).toBeInstanceOf(TooManyEntriesInBatchRequest);
    expect(bodies(received)).toEqual(['1', '3']);
    expect(deleted.Successful?.map((entry) => entry.Id)).toEqual(['m0', 'm1']);
    expect(deleted.Failed?.map((entry) => [entry.Id, entry.Code])).toEqual([
      ['forged', 'ReceiptHandleIsInvalid'],
    ]);
    expect(standIn.messages('jobs.fifo')).toEqual([]);
  });

  it('purges a queue at most once a minute', async () => {
    const { standIn, clock, sqs } = await start();
    const queue = standIn.createQueue('plain');
    await send(sqs, { QueueUrl: queue.url, MessageBody: 'x' });

    await sqs.send(new PurgeQueueCommand({ QueueUrl: queue.url }));
    const tooSoon = await rejection(sqs.send(new PurgeQueueCommand({ QueueUrl: queue.url })));
    clock.advance(60_000);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queue.url }));

    expect([tooSoon.name, tooSoon.$metadata.httpStatusCode]).toEqual(['PurgeQueueInProgress', 403]);
    expect(standIn.messages('plain')).toEqual([]);
  });
});

describe('deduplication', () => {
  it('accepts a repeat within five minutes with the same MessageId and does not enqueue it, even after a delete', async () => {
    const { standIn, clock, sqs } = await start();
    const { queue } = standIn.createFifoQueueWithDlq({ name: 'jobs.fifo', maxReceiveCount: 3 });
    const delivery = {
      QueueUrl: queue.url,
      MessageGroupId: 'o/r:main',
      MessageDeduplicationId: 'delivery-7',
    };

    const first = await send(sqs, { ...delivery, MessageBody: 'push' });
    const [message] = await receive(sqs, { QueueUrl: queue.url });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message?.ReceiptHandle }));
    clock.advance(5 * 60_000 - 1);
    const repeat = await send(sqs, { ...delivery, MessageBody: 'push' });

    expect(repeat.MessageId).toBe(first.MessageId);
    expect(repeat.SequenceNumber).toBe(first.SequenceNumber);
    expect(await receive(sqs, { QueueUrl: queue.url })).toEqual([]);

    clock.advance(1);
    const later = await send(sqs, { ...delivery, MessageBody: 'push' });
    expect(later.MessageId).not.toBe(first.MessageId);
    expect(bodies(await receive(sqs, { QueueUrl: queue.url }))).toEqual(['push']);
  });

  it('deduplicates on a hash of the body with ContentBasedDeduplication', async () => {
    const { standIn, sqs } = await start();
    const { queue } = standIn.createFifoQueueWithDlq({
      name: 'jobs.fifo',
      maxReceiveCount: 3,
      contentBasedDeduplication: true,
    });

    const a = await send(sqs, { QueueUrl: queue.url, MessageGroupId: 'g', MessageBody: 'same' });
    const b = await send(sqs, { QueueUrl: queue.url, MessageGroupId: 'g', MessageBody: 'same' });
    await send(sqs, { QueueUrl: queue.url, MessageGroupId: 'g', MessageBody: 'other' });

    expect(b.MessageId).toBe(a.MessageId);
    expect(standIn.messages('jobs.fifo').map((message) => message.body)).toEqual(['same', 'other']);
  });
});

describe('FIFO order', () => {
  it('returns as many messages of one group as fit, in order', async () => {
    const { standIn, sqs } = await start();
    const { queue } = standIn.createFifoQueueWithDlq({ name: 'jobs.fifo', maxReceiveCount: 3 });
    for (const [group, body] of [
      ['a', 'a1'],
      ['b', 'b1'],
      ['a', 'a2'],
      ['a', 'a3'],
    ]) {
      await send(sqs, {
        QueueUrl: queue.url,
        MessageGroupId: group,
        MessageDeduplicationId: body,
        MessageBody: body,
      });
    }

    expect(bodies(await receive(sqs, { QueueUrl: queue.url, MaxNumberOfMessages: 3 }))).toEqual([
      'a1',
      'a2',
      'a3',
    ]);
    expect(bodies(await receive(sqs, { QueueUrl: queue.url, MaxNumberOfMessages: 3 }))).toEqual(['b1']);
  });

  it('gives no later message of a group to anyone while an earlier one is in flight', async () => {
    const { standIn, clock } = await start();
    const { queue } = standIn.createFifoQueueWithDlq({ name: 'jobs.fifo', maxReceiveCount: 5 });
    const one = client(standIn);
    const two = client(standIn);
    for (const [group, body] of [
      ['o/r:main', 'push-1'],
      ['o/r:main', 'push-2'],
      ['o/r:feat', 'push-3'],
    ]) {
      await send(one, {
        QueueUrl: queue.url,
        MessageGroupId: group,
        MessageDeduplicationId: body,
        MessageBody: body,
      });
    }

    const [first] = await receive(one, { QueueUrl: queue.url, MaxNumberOfMessages: 1 });
    const other = await receive(two, { QueueUrl: queue.url, MaxNumberOfMessages: 10 });
    const blocked = await receive(two, { QueueUrl: queue.url, MaxNumberOfMessages: 10 });
    clock.advance(29_999);
    const stillBlocked = await receive(two, { QueueUrl: queue.url, MaxNumberOfMessages: 10 });
    clock.advance(1);
    const [again] = await receive(two, { QueueUrl: queue.url, MaxNumberOfMessages: 1 });

    expect(first?.Body).toBe('push-1');
    expect(bodies(other)).toEqual(['push-3']);
    expect(blocked).toEqual([]);
    expect(stillBlocked).toEqual([]);
    // The visibility timeout ran out: the first message comes back first, with a new receipt handle.
    expect(again?.Body).toBe('push-1');
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(again?.ReceiptHandle).not.toBe(first?.ReceiptHandle);

    await one.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: again?.ReceiptHandle }));
    expect(bodies(await receive(one, { QueueUrl: queue.url, MaxNumberOfMessages: 10 }))).toEqual([
      'push-2',
      'push-3',
    ]);
  });
});

describe('visibility and receipt handles', () => {
  it('refuses a FIFO delete with an expired or replaced handle, and a handle it never issued', async () => {
    const { standIn, clock, sqs } = await start();
    const { queue } = standIn.createFifoQueueWithDlq({ name: 'jobs.fifo', maxReceiveCount: 5 });
    await send(sqs, {
      QueueUrl: queue.url,
      MessageGroupId: 'g',
      MessageDeduplicationId: 'd',
      MessageBody: 'x',
    });

    const [first] = await receive(sqs, { QueueUrl: queue.url, VisibilityTimeout: 10 });
    clock.advance(10_000);
    const expired = await rejection(
      sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: first?.ReceiptHandle })),
    );
    const [second] = await receive(sqs, { QueueUrl: queue.url });
    const replaced = await rejection(
      sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: first?.ReceiptHandle })),
    );
    const forged = await rejection(
      sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: 'AQEBnot-issued' })),
    );

    expect([expired.name, expired.message]).toEqual([
      'InvalidParameterValue',
      `Value ${first?.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`,
    ]);
    expect(replaced.name).toBe('InvalidParameterValue');
    expect(forged).toBeInstanceOf(ReceiptHandleIsInvalid);
    expect(forged.$metadata.httpStatusCode).toBe(404);
    expect(standIn.messages('jobs.fifo')).toHaveLength(1);

    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: second?.ReceiptHandle }));
    expect(standIn.messages('jobs.fifo')).toEqual([]);
  });

  it('accepts a stale handle on a standard queue and deletes nothing', async () => {
    const { standIn, clock, sqs } = await start();
    const queue = standIn.createQueue('plain', { VisibilityTimeout: '5' });
    await send(sqs, { QueueUrl: queue.url, MessageBody: 'x' });

    const [first] = await receive(sqs, { QueueUrl: queue.url });
    clock.advance(5_000);
    await receive(sqs, { QueueUrl: queue.url });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: first?.ReceiptHandle }));

    expect(standIn.messages('plain').map((message) => message.receiveCount)).toEqual([2]);
  });

  it('moves a message back into view only when its extended visibility runs out', async () => {
    const { standIn, clock, sqs } = await start();
    const { queue } = standIn.createFifoQueueWithDlq({ name: 'jobs.fifo', maxReceiveCount: 5 });
    await send(sqs, {
      QueueUrl: queue.url,
      MessageGroupId: 'g',
      MessageDeduplicationId: 'd',
      MessageBody: 'x',
    });

    const [message] = await receive(sqs, { QueueUrl: queue.url });
    clock.advance(20_000);
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queue.url,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 60,
      }),
    );
    clock.advance(59_999);
    const hidden = await receive(sqs, { QueueUrl: queue.url });
    clock.advance(1);
    const back = await receive(sqs, { QueueUrl: queue.url });

    expect(hidden).toEqual([]);
    expect(bodies(back)).toEqual(['x']);
  });
});

describe('redrive', () => {
  it('moves a message to the dead-letter queue on the receive after maxReceiveCount, and frees its group', async () => {
    const { standIn, clock, sqs } = await start();
    const { queue, deadLetterQueue } = standIn.createFifoQueueWithDlq({
      name: 'jobs.fifo',
      maxReceiveCount: 2,
    });
    const sent = await send(sqs, {
      QueueUrl: queue.url,
      MessageGroupId: 'g',
      MessageDeduplicationId: 'poison',
      MessageBody: 'poison',
    });
    await send(sqs, {
      QueueUrl: queue.url,
      MessageGroupId: 'g',
      MessageDeduplicationId: 'next',
      MessageBody: 'next',
    });

    const counts: string[] = [];
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const [message] = await receive(sqs, { QueueUrl: queue.url, MaxNumberOfMessages: 1 });
      counts.push(message?.Attributes?.ApproximateReceiveCount ?? '');
      clock.advance(30_000);
    }
    expect(standIn.messages('jobs.fifo').map((message) => message.body)).toEqual(['poison', 'next']);
    const third = await receive(sqs, { QueueUrl: queue.url, MaxNumberOfMessages: 1 });
    const [dead] = await receive(sqs, { QueueUrl: deadLetterQueue.url });

    expect(counts).toEqual(['1', '2']);
    expect(bodies(third)).toEqual(['next']);
    expect(dead?.MessageId).toBe(sent.MessageId);
    expect(dead?.Attributes?.MessageGroupId).toBe('g');
    expect(dead?.Attributes?.DeadLetterQueueSourceArn).toBe(queue.arn);
  });
});

describe('long polling', () => {
  it('answers a waiting receive as soon as a message arrives, and empty when the wait ends', async () => {
    const { standIn, clock, sqs } = await start();
    const queue = standIn.createQueue('plain');

    const waiting = receive(sqs, { QueueUrl: queue.url, WaitTimeSeconds: 20 });
    await expect.poll(() => standIn.waitingReceives()).toBe(1);
    await send(client(standIn), { QueueUrl: queue.url, MessageBody: 'now' });
    expect(bodies(await waiting)).toEqual(['now']);

    const empty = receive(sqs, { QueueUrl: queue.url, WaitTimeSeconds: 5 });
    await expect.poll(() => standIn.waitingReceives()).toBe(1);
    clock.advance(4_999);
    expect(standIn.waitingReceives()).toBe(1);
    clock.advance(1);
    expect(await empty).toEqual([]);
  });

  it('runs on the real clock too: a message comes back from flight while a receive waits', async () => {
    const standIn = await startSqsStandIn();
    running.push(standIn);
    const sqs = client(standIn);
    const queue = standIn.createQueue('plain', { VisibilityTimeout: '1' });
    await send(sqs, { QueueUrl: queue.url, MessageBody: 'x' });
    await receive(sqs, { QueueUrl: queue.url });
    const inFlight = await receive(sqs, { QueueUrl: queue.url });

    // Answered at the end of its 20 s wait, the receive would still bring the message: only a wait
    // far shorter than that shows the stand-in's own timer woke it when the message came back.
    const back = await waitFor(
      'the long poll to be answered when its message came back from flight (1 s), long before its 20 s wait ends',
      settled(receive(sqs, { QueueUrl: queue.url, WaitTimeSeconds: 20 })),
    );

    expect(inFlight).toEqual([]);
    expect(bodies(back.value)).toEqual(['x']);
  });
});

describe('faults', () => {
  it('answers 503 as long as asked: the SDK retries, then gives up with the code', async () => {
    const { standIn } = await start();
    const queue = standIn.createQueue('plain');
    const retrying = client(standIn, { maxAttempts: 3 });
    standIn.injectFault({ operation: 'SendMessage', times: 3, action: SQS_FAULTS.serviceUnavailable });

    const error = await rejection(send(retrying, { QueueUrl: queue.url, MessageBody: 'x' }));
    const after = await send(retrying, { QueueUrl: queue.url, MessageBody: 'x' });

    expect([error.name, error.$metadata.httpStatusCode, error.$metadata.attempts]).toEqual([
      'ServiceUnavailable',
      503,
      3,
    ]);
    expect(standIn.requestsFor('SendMessage').map((request) => request.status)).toEqual([503, 503, 503, 200]);
    expect(after.MessageId).toBeDefined();
    expect(standIn.messages('plain')).toHaveLength(1);
  });

  it('drops connections, or is unreachable altogether, until told otherwise', async () => {
    const { standIn, sqs } = await start();
    const queue = standIn.createQueue('plain');

    standIn.injectFault({ operation: 'SendMessage', action: SQS_FAULTS.drop });
    const dropped = send(sqs, { QueueUrl: queue.url, MessageBody: 'x' });
    await expect(dropped).rejects.toThrow(/socket hang up|ECONNRESET/);
    standIn.setUnreachable(true);
    const unreachable = send(sqs, { QueueUrl: queue.url, MessageBody: 'x' });
    await expect(unreachable).rejects.toThrow(/socket hang up|ECONNRESET|EPIPE/);
    standIn.setUnreachable(false);
    await send(sqs, { QueueUrl: queue.url, MessageBody: 'x' });

    expect(standIn.messages('plain')).toHaveLength(1);
  });
});

describe('the Lambda poller', () => {
  async function fifoWorld(maxReceiveCount = 5) {
    const world = await start();
    const { queue, deadLetterQueue } = world.standIn.createFifoQueueWithDlq({
      name: 'jobs.fifo',
      maxReceiveCount,
    });
    const enqueue = async (group: string, ...names: string[]) => {
      for (const name of names) {
        await send(world.sqs, {
          QueueUrl: queue.url,
          MessageGroupId: group,
          MessageDeduplicationId: name,
          MessageBody: name,
        });
      }
    };
    return { ...world, queue, deadLetterQueue, enqueue };
  }

  async function poll(world: World, queueUrl: string, handler: SqsBatchHandler, batchSize = 10) {
    const poller = await startSqsPoller({
      client: world.sqs,
      queueUrl,
      handler,
      batchSize,
      maximumConcurrency: 2,
    });
    pollers.push(poller);
    return poller;
  }

  it('invokes with the SQSEvent Lambda builds', async () => {
    const world = await fifoWorld();
    const events: SQSEvent[] = [];
    await send(world.sqs, {
      QueueUrl: world.queue.url,
      MessageGroupId: 'o/r:main',
      MessageDeduplicationId: 'delivery-1',
      MessageBody: '{"ref":"refs/heads/main"}',
      MessageAttributes: { event: { DataType: 'String', StringValue: 'push' } },
    });

    const poller = await poll(world, world.queue.url, (event) => {
      events.push(event);
      return { batchItemFailures: [] };
    });
    await poller.waitFor((p) => p.invocations.length === 1);

    const [record] = events[0]?.Records ?? [];
    expect(Object.keys(record ?? {})).toEqual([
      'messageId',
      'receiptHandle',
      'body',
      'attributes',
      'messageAttributes',
      'md5OfBody',
      'md5OfMessageAttributes',
      'eventSource',
      'eventSourceARN',
      'awsRegion',
    ]);
    expect(record).toMatchObject({
      body: '{"ref":"refs/heads/main"}',
      md5OfBody: createHash('md5').update('{"ref":"refs/heads/main"}').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: world.queue.arn,
      awsRegion: 'us-east-1',
      messageAttributes: {
        event: { stringValue: 'push', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
    });
    expect(Object.keys(record?.attributes ?? {})).toEqual([
      'ApproximateReceiveCount',
      'SentTimestamp',
      'SequenceNumber',
      'MessageGroupId',
      'SenderId',
      'MessageDeduplicationId',
      'ApproximateFirstReceiveTimestamp',
    ]);
    expect(record?.attributes.MessageGroupId).toBe('o/r:main');
    expect(world.standIn.messages('jobs.fifo')).toEqual([]);
  });

  it('deletes what succeeded and lets the listed failures come back after the visibility timeout', async () => {
    const world = await fifoWorld();
    await world.enqueue('o/r:main', 'm1', 'm2', 'm3');
    const seen: string[][] = [];

    // Fails m2 the first time and, as a FIFO worker must, everything after it.
    const poller = await poll(world, world.queue.url, (event) => {
      seen.push(event.Records.map((record) => `${record.body}#${record.attributes.ApproximateReceiveCount}`));
      const failing = seen.length === 1 ? event.Records.slice(1) : [];
      return { batchItemFailures: failing.map((record) => ({ itemIdentifier: record.messageId })) };
    });
    await poller.waitFor((p) => p.invocations.length === 1);
    expect(world.standIn.messages('jobs.fifo').map((message) => [message.body, message.inFlight])).toEqual([
      ['m2', true],
      ['m3', true],
    ]);
    world.clock.advance(30_000);
    await poller.waitFor((p) => p.invocations.length === 2);

    expect(seen).toEqual([
      ['m1#1', 'm2#1', 'm3#1'],
      ['m2#2', 'm3#2'],
    ]);
    expect(poller.invocations.map((invocation) => invocation.outcome)).toEqual(['partial', 'succeeded']);
    expect(poller.violations).toEqual([]);
    expect(world.standIn.messages('jobs.fifo')).toEqual([]);
  });

  it('records a FIFO worker that fails a message but lets a later one of its group be deleted', async () => {
    const world = await fifoWorld();
    await world.enqueue('o/r:main', 'push', 'close');

    const poller = await poll(world, world.queue.url, (event) => ({
      batchItemFailures: [{ itemIdentifier: event.Records[0]?.messageId ?? '' }],
    }));
    await poller.waitFor((p) => p.invocations.length === 1);

    // Lambda deletes what is not listed: the pull request's close is gone, the push will run again.
    expect(world.standIn.messages('jobs.fifo').map((message) => message.body)).toEqual(['push']);
    expect(poller.violations).toEqual([
      {
        groupId: 'o/r:main',
        failedMessageId: poller.invocations[0]?.records[0]?.messageId,
        deletedMessageId: poller.invocations[0]?.records[1]?.messageId,
      },
    ]);
  });

  it('fails the whole batch on a throw or an answer naming no record of it, until the dead-letter queue', async () => {
    const world = await fifoWorld(2);
    await world.enqueue('o/r:main', 'a');
    await world.enqueue('o/r:feat', 'b');
    let calls = 0;

    const poller = await poll(world, world.queue.url, () => {
      calls += 1;
      if (calls === 1) throw new Error('Neon is down');
      return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
    });
    await poller.waitFor((p) => p.invocations.length === 1);
    world.clock.advance(30_000);
    await poller.waitFor((p) => p.invocations.length === 2);
    world.clock.advance(30_000);
    await expect.poll(() => world.standIn.messages('jobs-dlq.fifo').length).toBe(2);

    expect(poller.invocations.map((invocation) => [invocation.outcome, invocation.reason])).toEqual([
      ['failed', 'threw'],
      ['failed', 'invalid-response'],
    ]);
    expect(poller.invocations.flatMap((invocation) => invocation.deletedMessageIds)).toEqual([]);
    expect(world.standIn.messages('jobs.fifo')).toEqual([]);
  });

  it('runs different groups side by side and one group strictly one batch after the other', async () => {
    const world = await fifoWorld();
    await world.enqueue('o/r:main', 'main-1', 'main-2');
    await world.enqueue('o/r:feat', 'feat-1');
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });

    const poller = await poll(
      world,
      world.queue.url,
      async (event) => {
        const body = event.Records.map((record) => record.body).join();
        log.push(`start ${body}`);
        if (body !== 'main-2') await gate;
        log.push(`end ${body}`);
        return { batchItemFailures: [] };
      },
      1,
    );
    await expect.poll(() => log.length).toBe(2);
    const whileBothRun = [...log];
    expect(poller.running()).toBe(2);
    release();
    await poller.waitFor((p) => p.invocations.length === 3);

    expect(whileBothRun.sort()).toEqual(['start feat-1', 'start main-1']);
    expect(log.indexOf('start main-2')).toBeGreaterThan(log.indexOf('end main-1'));
    expect(world.standIn.messages('jobs.fifo')).toEqual([]);
  });

  it('fails a batch whose invocation outlives the function timeout', async () => {
    const world = await fifoWorld();
    await world.enqueue('o/r:main', 'slow');

    const poller = await startSqsPoller({
      client: world.sqs,
      queueUrl: world.queue.url,
      handler: (_event, context) =>
        new Promise((resolve) => setTimeout(resolve, context.getRemainingTimeInMillis() + 200)),
      functionTimeoutSeconds: 1,
    });
    pollers.push(poller);
    await poller.waitFor((p) => p.invocations.length === 1, { timeoutMs: 5_000 });

    expect([poller.invocations[0]?.outcome, poller.invocations[0]?.reason]).toEqual(['failed', 'timeout']);
    expect(world.standIn.messages('jobs.fifo').map((message) => [message.body, message.inFlight])).toEqual([
      ['slow', true],
    ]);
  });

  it('refuses a function timeout longer than the queue visibility timeout, as CreateEventSourceMapping does', async () => {
    const world = await fifoWorld();

    await expect(
      startSqsPoller({
        client: world.sqs,
        queueUrl: world.queue.url,
        handler: () => undefined,
        functionTimeoutSeconds: 60,
      }),
    ).rejects.toThrow('Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds');
  });

  it('stops while its long polls wait, and runs a built bundle exported handler', async () => {
    const world = await fifoWorld();
    const dir = await mkdtemp(join(tmpdir(), 'sqs-poller-'));
    temporary.push(dir);
    const bundle = join(dir, 'worker.mjs');
    await writeFile(
      bundle,
      'export const handler = async (event) => ({ batchItemFailures: event.Records.filter((r) => r.body === "bad").map((r) => ({ itemIdentifier: r.messageId })) });\n',
    );
    const callback = join(dir, 'callback.mjs');
    await writeFile(callback, 'export const handler = (event, context, callback) => callback(null);\n');

    await expect(importLambdaHandler(callback)).rejects.toThrow(/callback/);
    const handler = await importLambdaHandler(bundle);
    await world.enqueue('g1', 'good');
    await world.enqueue('g2', 'bad');
    const poller = await poll(world, world.queue.url, handler);
    await poller.waitFor((p) => p.invocations.some((invocation) => invocation.deletedMessageIds.length > 0));
    await expect.poll(() => world.standIn.waitingReceives()).toBe(2);

    await poller.stop();

    // The aborted long polls close their connections; the stand-in lets go of them.
    await expect.poll(() => world.standIn.waitingReceives()).toBe(0);
    expect(world.standIn.messages('jobs.fifo').map((message) => message.body)).toEqual(['bad']);
  });
});
