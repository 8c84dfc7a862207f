/**
 * A small stand-in for Lambda's SQS event source mapping, to drive a worker handler (in-process, or
 * a built bundle's exported `handler`) from the SQS stand-in the way Lambda would:
 *
 * - it checks what CreateEventSourceMapping checks: the queue exists, batch size 1–10, and the
 *   queue's visibility timeout is not shorter than the function timeout;
 * - up to `maximumConcurrency` pollers each long-poll a batch (all system and message attributes)
 *   and invoke the handler with an `SQSEvent` built as Lambda builds it;
 * - with ReportBatchItemFailures (the default here) it deletes every record the response does not
 *   list and leaves the listed ones to come back after their visibility timeout; a thrown error, a
 *   timeout or an invalid response fails the whole batch (nothing is deleted); an empty or missing
 *   `batchItemFailures` is a complete success (Lambda developer guide, partial batch responses);
 * - for a FIFO queue Lambda does no more than that: it is the function's job to stop at the first
 *   failure and list every later record too, or a later message of the same group is deleted while
 *   an earlier one is retried. Lambda does not stop that; the poller records it in `violations`.
 *
 * Differences from Lambda: one module instance serves every concurrent invocation (Lambda gives each
 * concurrent execution its own), and there is no backoff of concurrency after errors.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';

/**
 * An SQS-triggered handler as the nodejs24.x runtime calls it: (event, context), no callback. It
 * should answer an `SQSBatchResponse`; the result is `unknown` because Lambda takes whatever comes
 * back (through JSON) and judges it, which is what the poller does too.
 */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => unknown;

export interface SqsPollerOptions {
  /** An SQS client pointed at the stand-in (`sqsClientConfig`); the caller destroys it. */
  client: SQSClient;
  queueUrl: string;
  handler: SqsBatchHandler;
  /** Records per invocation, 1–10 (the most ReceiveMessage returns); default 10. */
  batchSize?: number;
  /**
   * Invocations at once. The event source mapping's MaximumConcurrency is 2–1000; 1 stands for a
   * function with reserved concurrency 1. Default 2.
   */
  maximumConcurrency?: number;
  /** FunctionResponseTypes: ['ReportBatchItemFailures']; default true. */
  reportBatchItemFailures?: boolean;
  /** Default 30 s; an invocation that runs longer fails its whole batch. */
  functionTimeoutSeconds?: number;
  functionName?: string;
  /** Lambda long-polls with 20 s; default 20. */
  waitTimeSeconds?: number;
}

export type InvocationOutcome = 'succeeded' | 'partial' | 'failed';

export interface PollerInvocation {
  records: SQSRecord[];
  outcome: InvocationOutcome;
  /** Why a whole batch failed. */
  reason?: 'threw' | 'timeout' | 'invalid-response' | undefined;
  error?: unknown;
  /** What the handler returned, after the JSON round trip Lambda puts it through. */
  response: unknown;
  failedMessageIds: string[];
  deletedMessageIds: string[];
  deleteFailures: { messageId: string; code: string; message: string }[];
}

/** A later message of a FIFO group deleted while an earlier one of the same group is retried. */
export interface FifoOrderViolation {
  groupId: string;
  failedMessageId: string;
  deletedMessageId: string;
}

export interface SqsPoller {
  queueArn: string;
  fifo: boolean;
  invocations: PollerInvocation[];
  violations: FifoOrderViolation[];
  /** ReceiveMessage failures (the stand-in down, say); the poller keeps polling after a short pause. */
  receiveErrors: unknown[];
  /** Invocations running now. */
  running(): number;
  /** Resolves once `predicate` holds (checked after every invocation); rejects after `timeoutMs` real ms. */
  waitFor(predicate: (poller: SqsPoller) => boolean, options?: { timeoutMs?: number }): Promise<void>;
  /** Stops polling: waiting receives are aborted, invocations under way finish with their deletes. */
  stop(): Promise<void>;
}

class InvocationTimeout extends Error {}

export async function startSqsPoller(options: SqsPollerOptions): Promise<SqsPoller> {
  const batchSize = options.batchSize ?? 10;
  const concurrency = options.maximumConcurrency ?? 2;
  const timeoutSeconds = options.functionTimeoutSeconds ?? 30;
  const reportFailures = options.reportBatchItemFailures ?? true;
  const functionName = options.functionName ?? 'worker';
  const waitTimeSeconds = options.waitTimeSeconds ?? 20;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw new Error(`Invalid batchSize ${batchSize}: expected 1 to 10 (ReceiveMessage returns at most 10)`);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1000) {
    throw new Error(`Invalid maximumConcurrency ${concurrency}: expected 1 to 1000`);
  }
  const { client, queueUrl } = options;
  const { Attributes: attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['QueueArn', 'VisibilityTimeout', 'FifoQueue'],
    }),
  );
  const queueArn = attributes.QueueArn ?? '';
  const visibility = Number(attributes.VisibilityTimeout);
  if (visibility < timeoutSeconds) {
    // CreateEventSourceMapping refuses this, with these words.
    throw new Error(
      `InvalidParameterValueException: Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${timeoutSeconds} seconds`,
    );
  }
  const [, , , region = '', accountId = ''] = queueArn.split(':');
  const fifo = attributes.FifoQueue === 'true';

  let stopping = false;
  let active = 0;
  const aborts = new Set<AbortController>();
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of [...listeners]) listener();
  };

  const poller: SqsPoller = {
    queueArn,
    fifo,
    invocations: [],
    violations: [],
    receiveErrors: [],
    running: () => active,
    waitFor(predicate, { timeoutMs = 10_000 } = {}) {
      return new Promise<void>((resolve, reject) => {
        if (predicate(poller)) return resolve();
        const check = () => {
          if (!predicate(poller)) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `SQS poller: condition not met within ${timeoutMs} ms (${poller.invocations.length} invocations)`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
      });
    },
    async stop() {
      stopping = true;
      for (const controller of aborts) controller.abort();
      await Promise.all(loops);
    },
  };

  const toRecord = (message: Message): SQSRecord => {
    const system = message.Attributes ?? {};
    const messageAttributes: SQSMessageAttributes = {};
    for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
      messageAttributes[name] = {
        ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
        ...(value.BinaryValue === undefined
          ? {}
          : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
        stringListValues: [],
        binaryListValues: [],
        dataType: value.DataType ?? '',
      };
    }
    // The order and the keys of Lambda's own examples; the FIFO ones only for a FIFO queue.
    const recordAttributes: SQSRecord['attributes'] = {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? '',
      SentTimestamp: system.SentTimestamp ?? '',
      ...(system.SequenceNumber === undefined ? {} : { SequenceNumber: system.SequenceNumber }),
      ...(system.MessageGroupId === undefined ? {} : { MessageGroupId: system.MessageGroupId }),
      SenderId: system.SenderId ?? '',
      ...(system.MessageDeduplicationId === undefined
        ? {}
        : { MessageDeduplicationId: system.MessageDeduplicationId }),
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? '',
      ...(system.AWSTraceHeader === undefined ? {} : { AWSTraceHeader: system.AWSTraceHeader }),
      ...(system.DeadLetterQueueSourceArn === undefined
        ? {}
        : { DeadLetterQueueSourceArn: system.DeadLetterQueueSourceArn }),
    };
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: recordAttributes,
      messageAttributes,
      md5OfBody: message.MD5OfBody ?? '',
      ...(message.MD5OfMessageAttributes === undefined
        ? {}
        : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: region,
    };
  };

  const contextFor = (deadline: number): Context => {
    const unsupported = () => {
      throw new Error('context.done/fail/succeed are not supported: return a value or throw');
    };
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
      memoryLimitInMB: '1024',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: unsupported,
      fail: unsupported,
      succeed: unsupported,
    };
  };

  /** Which records failed, or why the whole batch did, from what the handler returned. */
  const judge = (
    records: SQSRecord[],
    response: unknown,
  ): { failed: Set<string>; reason?: 'invalid-response' } => {
    const everything = new Set(records.map((record) => record.messageId));
    if (!reportFailures || response === null || response === undefined) return { failed: new Set() };
    if (typeof response !== 'object' || Array.isArray(response)) {
      return { failed: everything, reason: 'invalid-response' };
    }
    const list = (response as { batchItemFailures?: unknown }).batchItemFailures;
    if (list === null || list === undefined) return { failed: new Set() };
    if (!Array.isArray(list)) return { failed: everything, reason: 'invalid-response' };
    const failed = new Set<string>();
    for (const item of list) {
      const identifier =
        item !== null && typeof item === 'object'
          ? (item as { itemIdentifier?: unknown }).itemIdentifier
          : undefined;
      // An empty, missing or unknown identifier makes Lambda treat the whole batch as failed.
      if (typeof identifier !== 'string' || identifier === '' || !everything.has(identifier)) {
        return { failed: everything, reason: 'invalid-response' };
      }
      failed.add(identifier);
    }
    return { failed };
  };

  const invoke = async (messages: Message[]): Promise<void> => {
    const records = messages.map(toRecord);
    const invocation: PollerInvocation = {
      records,
      outcome: 'succeeded',
      response: undefined,
      failedMessageIds: [],
      deletedMessageIds: [],
      deleteFailures: [],
    };
    const deadline = Date.now() + timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    try {
      // The event travels as JSON, and so does the answer: what does not survive JSON is not seen.
      const event = JSON.parse(JSON.stringify({ Records: records })) as SQSEvent;
      const result = await Promise.race([
        Promise.resolve().then(() => options.handler(event, contextFor(deadline))),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new InvocationTimeout()), timeoutSeconds * 1000);
        }),
      ]);
      const serialized = JSON.stringify(result);
      invocation.response = serialized === undefined ? null : JSON.parse(serialized);
      const { failed, reason } = judge(records, invocation.response);
      invocation.failedMessageIds = records.map((record) => record.messageId).filter((id) => failed.has(id));
      if (reason !== undefined) invocation.reason = reason;
    } catch (error) {
      invocation.reason = error instanceof InvocationTimeout ? 'timeout' : 'threw';
      if (!(error instanceof InvocationTimeout)) invocation.error = error;
      invocation.failedMessageIds = records.map((record) => record.messageId);
    } finally {
      clearTimeout(timer);
    }
    const failed = new Set(invocation.failedMessageIds);
    invocation.outcome =
      failed.size === 0 ? 'succeeded' : failed.size === records.length ? 'failed' : 'partial';

    if (fifo) {
      const failedGroups = new Map<string, string>();
      for (const record of records) {
        const group = record.attributes.MessageGroupId ?? '';
        const earlier = failedGroups.get(group);
        if (failed.has(record.messageId)) {
          if (earlier === undefined) failedGroups.set(group, record.messageId);
        } else if (earlier !== undefined) {
          poller.violations.push({
            groupId: group,
            failedMessageId: earlier,
            deletedMessageId: record.messageId,
          });
        }
      }
    }

    const done = records.filter((record) => !failed.has(record.messageId));
    if (done.length > 0) {
      try {
        const result = await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((record, index) => ({
              Id: String(index),
              ReceiptHandle: record.receiptHandle,
            })),
          }),
        );
        for (const entry of result.Successful ?? []) {
          const record = done[Number(entry.Id)];
          if (record !== undefined) invocation.deletedMessageIds.push(record.messageId);
        }
        for (const entry of result.Failed ?? []) {
          invocation.deleteFailures.push({
            messageId: done[Number(entry.Id)]?.messageId ?? '',
            code: entry.Code ?? '',
            message: entry.Message ?? '',
          });
        }
      } catch (error) {
        for (const record of done) {
          invocation.deleteFailures.push({
            messageId: record.messageId,
            code: error instanceof Error ? error.name : 'Error',
            message: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
    poller.invocations.push(invocation);
  };

  const loop = async (): Promise<void> => {
    while (!stopping) {
      const controller = new AbortController();
      aborts.add(controller);
      let messages: Message[];
      try {
        const output = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: waitTimeSeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: controller.signal },
        );
        messages = output.Messages ?? [];
      } catch (error) {
        if (stopping) break;
        poller.receiveErrors.push(error);
        notify();
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      } finally {
        aborts.delete(controller);
      }
      if (messages.length === 0) {
        // A short poll (waitTimeSeconds 0) on an empty queue must not spin.
        if (waitTimeSeconds === 0) await new Promise((resolve) => setTimeout(resolve, 10));
        continue;
      }
      // A batch received is invoked even when stop() came meanwhile: it is already in flight.
      active += 1;
      try {
        await invoke(messages);
      } finally {
        active -= 1;
        notify();
      }
    }
  };
  const loops = Array.from({ length: concurrency }, () => loop());
  return poller;
}

/**
 * The `handler` a built bundle exports (`dist/lambda/worker.js`), as Lambda loads it. `fresh` loads
 * a new module instance (a cold start) instead of the one already imported.
 */
export async function importLambdaHandler(
  file: string,
  options: { fresh?: boolean } = {},
): Promise<SqsBatchHandler> {
  const url = pathToFileURL(resolvePath(file));
  if (options.fresh === true) url.search = `cold=${randomUUID()}`;
  const module = (await import(url.href)) as { handler?: unknown };
  const handler = module.handler;
  if (typeof handler !== 'function') throw new Error(`${file} exports no function named handler`);
  if (handler.length > 2) {
    // The nodejs24.x runtime dropped callback-style handlers.
    throw new Error(`${file}: handler takes a callback; the nodejs24.x runtime calls (event, context) only`);
  }
  return handler as SqsBatchHandler;
}
