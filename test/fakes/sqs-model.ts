/**
 * The queues behind the SQS stand-in (sqs-server.ts), with no HTTP in them: what SQS does to a
 * message between SendMessage and DeleteMessage, standard and FIFO, dead-letter queues included.
 * Time comes from an injected clock, so a test can move it (a visibility timeout, the five-minute
 * deduplication window) without waiting.
 *
 * Where the rules come from: the SQS API reference and developer guide (FIFO delivery, deduplication,
 * receipt handles, redrive). Where AWS documents no wording, the error messages follow what AWS
 * answers as quoted in public bug reports; the codes are the ones the SQS model of
 * @aws-sdk/client-sqs knows (`awsQueryError`), since they are what a client branches on.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type {
  BatchResultErrorEntry,
  Message,
  MessageSystemAttributeName,
  SendMessageResult,
} from '@aws-sdk/client-sqs';

/**
 * An error as SQS's JSON protocol sends it: the status, the `__type` in the body and the code in
 * `x-amzn-query-error` (which is what the SDK turns into the error's `name`, since SQS is
 * query-compatible).
 */
export interface SqsErrorShape {
  status: number;
  type: string;
  queryCode: string;
}

const sqsShape = (name: string, queryCode: string, status = 400): SqsErrorShape => ({
  status,
  type: `com.amazonaws.sqs#${name}`,
  queryCode,
});
const coralShape = (name: string, queryCode: string, status = 400): SqsErrorShape => ({
  status,
  type: `com.amazon.coral.service#${name}`,
  queryCode,
});

/**
 * Modelled SQS errors carry their `awsQueryError` code from the service model; the common ones
 * (InvalidParameterValue, MissingParameter, authentication) are not in the model, so the SDK names
 * the error after the header's code.
 */
export const SQS_ERRORS = {
  QueueDoesNotExist: sqsShape('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'),
  QueueNameExists: sqsShape('QueueNameExists', 'QueueAlreadyExists'),
  InvalidAttributeName: sqsShape('InvalidAttributeName', 'InvalidAttributeName'),
  InvalidAttributeValue: sqsShape('InvalidAttributeValue', 'InvalidAttributeValue'),
  ReceiptHandleIsInvalid: sqsShape('ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 404),
  MessageNotInflight: sqsShape('MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight'),
  PurgeQueueInProgress: sqsShape('PurgeQueueInProgress', 'AWS.SimpleQueueService.PurgeQueueInProgress', 403),
  InvalidMessageContents: sqsShape('InvalidMessageContents', 'InvalidMessageContents'),
  EmptyBatchRequest: sqsShape('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest'),
  TooManyEntriesInBatchRequest: sqsShape(
    'TooManyEntriesInBatchRequest',
    'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  ),
  BatchEntryIdsNotDistinct: sqsShape(
    'BatchEntryIdsNotDistinct',
    'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  ),
  InvalidBatchEntryId: sqsShape('InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId'),
  BatchRequestTooLong: sqsShape('BatchRequestTooLong', 'AWS.SimpleQueueService.BatchRequestTooLong'),
  RequestThrottled: sqsShape('RequestThrottled', 'RequestThrottled', 403),
  InvalidParameterValue: coralShape('InvalidParameterValueException', 'InvalidParameterValue'),
  MissingParameter: coralShape('MissingRequiredParameterException', 'MissingParameter'),
  SerializationException: coralShape('SerializationException', 'MalformedInput'),
  UnknownOperation: coralShape('UnknownOperationException', 'InvalidAction'),
  AccessDenied: coralShape('MissingAuthenticationTokenException', 'AccessDenied', 403),
  InvalidClientTokenId: coralShape('UnrecognizedClientException', 'InvalidClientTokenId', 403),
  SignatureDoesNotMatch: coralShape('InvalidSignatureException', 'SignatureDoesNotMatch', 403),
  IncompleteSignature: coralShape('IncompleteSignatureException', 'IncompleteSignature', 403),
  InternalError: coralShape('InternalFailure', 'InternalError', 500),
  ServiceUnavailable: coralShape('ServiceUnavailableException', 'ServiceUnavailable', 503),
} as const satisfies Record<string, SqsErrorShape>;

export type SqsErrorCode = keyof typeof SQS_ERRORS;

export class SqsError extends Error {
  constructor(
    readonly code: SqsErrorCode,
    message: string,
  ) {
    super(message);
  }

  get shape(): SqsErrorShape {
    return SQS_ERRORS[this.code];
  }
}

const invalidValue = (value: unknown, parameter: string, reason: string) =>
  new SqsError(
    'InvalidParameterValue',
    `Value ${String(value)} for parameter ${parameter} is invalid. Reason: ${reason}`,
  );
const missing = (parameter: string) =>
  new SqsError('MissingParameter', `The request must contain the parameter ${parameter}.`);

/** Where the model reads the time. `subscribe` lets a manual clock wake long polls when it moves. */
export interface SqsClock {
  now(): number;
  subscribe?(listener: () => void): () => void;
}

export const REAL_CLOCK: SqsClock = { now: () => Date.now() };

/** A clock that stands still until the test moves it. */
export class ManualClock implements SqsClock {
  #now: number;
  readonly #listeners = new Set<() => void>();

  constructor(start: number = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new Error(`ManualClock.advance(${ms}): time only moves forward`);
    this.#now += ms;
    for (const listener of [...this.#listeners]) listener();
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** A message attribute as it travels in the JSON protocol: binary values are base64 text. */
export interface WireAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

export type WireMessage = Omit<Message, 'MessageAttributes'> & {
  MessageAttributes?: Record<string, WireAttributeValue>;
};

export interface SendInput {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, WireAttributeValue>;
  MessageSystemAttributes?: Record<string, WireAttributeValue>;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

export interface ReceiveInput {
  maxNumberOfMessages: number;
  /** Seconds; the queue's VisibilityTimeout when absent. */
  visibilityTimeout?: number;
  /** `AttributeNames` and `MessageSystemAttributeNames` together. */
  systemAttributeNames: readonly string[];
  messageAttributeNames: readonly string[];
}

/** A stored message, for tests to look at (the stand-in's `messages()`). */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: Readonly<Record<string, WireAttributeValue>>;
  readonly traceHeader: string | undefined;
  readonly sentAt: number;
  /** Retention counts from here: the send, or for a FIFO dead-letter queue the move. */
  retentionFrom: number;
  readonly groupId: string | undefined;
  readonly deduplicationId: string | undefined;
  sequenceNumber: string | undefined;
  readonly senderId: string;
  /** Not receivable before this (a delay, or the visibility timeout of the latest receive). */
  availableAt: number;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  /** The receipt handle of the latest receive; older ones no longer change the message. */
  handle: string | undefined;
  receivedAt: number | undefined;
  deadLetterSourceArn: string | undefined;
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface Queue {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly fifo: boolean;
  readonly createdAt: number;
  lastModifiedAt: number;
  /** Settable attributes, normalised, defaults included. */
  readonly attributes: Map<string, string>;
  readonly tags: Map<string, string>;
  /** In send order (FIFO order); a message moved here from a source queue joins at the end. */
  messages: StoredMessage[];
  /** Every receipt handle this queue issued, to tell a stale handle from one it never issued. */
  readonly handles: Map<string, string>;
  /** Deduplication key → the first accepted send, for five minutes. */
  readonly deduplication: Map<string, { messageId: string; sequenceNumber: string | undefined; at: number }>;
  lastPurgeAt: number | undefined;
  nextSequence: bigint;
}

const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
const PURGE_INTERVAL_MS = 60_000;
const MAX_VISIBILITY_SECONDS = 43_200;
const MAX_BATCH_BYTES = 1_048_576;
const MAX_ATTRIBUTES = 10;

const STANDARD_DEFAULTS: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};
const FIFO_DEFAULTS: Readonly<Record<string, string>> = {
  ...STANDARD_DEFAULTS,
  FifoQueue: 'true',
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};
const FIFO_ONLY = new Set([
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);
const READ_ONLY = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

type AttributeCheck = (value: string) => string | undefined;
const integerBetween =
  (low: number, high: number): AttributeCheck =>
  (value) =>
    /^\d+$/.test(value) && Number(value) >= low && Number(value) <= high ? String(Number(value)) : undefined;
const oneOf =
  (...values: string[]): AttributeCheck =>
  (value) =>
    values.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
const json: AttributeCheck = (value) => {
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
};

/** Settable attributes and their ranges (SQS API reference, SetQueueAttributes). */
const ATTRIBUTE_CHECKS: Readonly<Record<string, AttributeCheck>> = {
  DelaySeconds: integerBetween(0, 900),
  MaximumMessageSize: integerBetween(1024, 1_048_576),
  MessageRetentionPeriod: integerBetween(60, 1_209_600),
  ReceiveMessageWaitTimeSeconds: integerBetween(0, 20),
  VisibilityTimeout: integerBetween(0, MAX_VISIBILITY_SECONDS),
  Policy: json,
  RedriveAllowPolicy: json,
  KmsMasterKeyId: (value) => (value === '' ? undefined : value),
  KmsDataKeyReusePeriodSeconds: integerBetween(60, 86_400),
  SqsManagedSseEnabled: oneOf('true', 'false'),
  FifoQueue: oneOf('true'),
  ContentBasedDeduplication: oneOf('true', 'false'),
  DeduplicationScope: oneOf('messageGroup', 'queue'),
  FifoThroughputLimit: oneOf('perQueue', 'perMessageGroupId'),
};

const SYSTEM_ATTRIBUTE_NAMES: readonly MessageSystemAttributeName[] = [
  'All',
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
];

export interface SqsModelOptions {
  region: string;
  accountId: string;
  /** Queue URLs are `${baseUrl}/${accountId}/${name}`, so the SDK sends them back here. */
  baseUrl: string;
  clock: SqsClock;
}

export class SqsModel {
  readonly #queues = new Map<string, Queue>();
  readonly #options: SqsModelOptions;

  constructor(options: SqsModelOptions) {
    this.#options = options;
  }

  now(): number {
    return this.#options.clock.now();
  }

  queues(): Queue[] {
    return [...this.#queues.values()];
  }

  /** The queue a QueueUrl names. The host is not compared (SQS answers for its own region only). */
  queueByUrl(url: unknown): Queue {
    if (typeof url !== 'string' || url === '') throw missing('QueueUrl');
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    }
    const [, account, name, ...rest] = path.split('/');
    const queue = name === undefined ? undefined : this.#queues.get(name);
    if (account !== this.#options.accountId || rest.length > 0 || queue === undefined) {
      throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    }
    return queue;
  }

  queueByName(name: string): Queue | undefined {
    return this.#queues.get(name);
  }

  queueByArn(arn: string): Queue | undefined {
    return this.queues().find((queue) => queue.arn === arn);
  }

  createQueue(
    name: unknown,
    attributes: Record<string, string> = {},
    tags: Record<string, string> = {},
  ): Queue {
    if (typeof name !== 'string' || name === '') throw missing('QueueName');
    const fifo = name.endsWith('.fifo');
    if (fifo) {
      if (!/^[A-Za-z0-9_-]{1,75}\.fifo$/.test(name)) {
        throw new SqsError(
          'InvalidParameterValue',
          'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
        );
      }
      if (attributes.FifoQueue?.toLowerCase() !== 'true') {
        // A `.fifo` name is not a valid standard queue name: the attribute must say FIFO.
        throw new SqsError(
          'InvalidParameterValue',
          'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
        );
      }
    } else {
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
        throw new SqsError(
          'InvalidParameterValue',
          'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
        );
      }
      if (attributes.FifoQueue?.toLowerCase() === 'true') {
        throw new SqsError(
          'InvalidParameterValue',
          'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
        );
      }
    }
    const normalized = this.#checkAttributes(attributes, fifo, name);
    const existing = this.#queues.get(name);
    if (existing !== undefined) {
      // CreateQueue is idempotent for the same attributes; a different value is a conflict.
      for (const [key, value] of normalized) {
        if (existing.attributes.get(key) !== value) {
          throw new SqsError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${key}`,
          );
        }
      }
      return existing;
    }
    const now = this.now();
    const queue: Queue = {
      name,
      url: `${this.#options.baseUrl}/${this.#options.accountId}/${name}`,
      arn: `arn:aws:sqs:${this.#options.region}:${this.#options.accountId}:${name}`,
      fifo,
      createdAt: now,
      lastModifiedAt: now,
      attributes: new Map(Object.entries(fifo ? FIFO_DEFAULTS : STANDARD_DEFAULTS)),
      tags: new Map(Object.entries(tags)),
      messages: [],
      handles: new Map(),
      deduplication: new Map(),
      lastPurgeAt: undefined,
      // Sequence numbers are large and increasing but not consecutive; start where SQS's look.
      nextSequence: 18_000_000_000_000_000_000n + BigInt(randomBytes(4).readUInt32BE(0)),
    };
    for (const [key, value] of normalized) queue.attributes.set(key, value);
    this.#queues.set(name, queue);
    return queue;
  }

  setQueueAttributes(queue: Queue, attributes: Record<string, string>): void {
    if (Object.keys(attributes).length === 0) throw missing('Attributes');
    if ('FifoQueue' in attributes) {
      throw new SqsError('InvalidAttributeName', 'Unknown Attribute FifoQueue.');
    }
    const normalized = this.#checkAttributes(attributes, queue.fifo, queue.name);
    for (const [key, value] of normalized) queue.attributes.set(key, value);
    queue.lastModifiedAt = this.now();
  }

  getQueueAttributes(queue: Queue, names: readonly string[] = []): Record<string, string> {
    this.#expire(queue);
    const all = names.includes('All');
    const known = new Set<string>([...queue.attributes.keys(), ...READ_ONLY, 'RedrivePolicy']);
    for (const name of names) {
      if (name !== 'All' && !known.has(name) && !(name in ATTRIBUTE_CHECKS)) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
    }
    const now = this.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of queue.messages) {
      if (message.availableAt <= now) visible += 1;
      else if (message.handle !== undefined) inFlight += 1;
      else delayed += 1;
    }
    const values: Record<string, string> = {
      ...Object.fromEntries(queue.attributes),
      QueueArn: queue.arn,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
    };
    return Object.fromEntries(Object.entries(values).filter(([key]) => all || names.includes(key)));
  }

  send(queue: Queue, input: SendInput, senderId: string): SendMessageResult {
    this.#expire(queue);
    const body = input.MessageBody;
    if (body === undefined || body === '') throw missing('MessageBody');
    checkCharacters(body);
    const attributes = checkMessageAttributes(input.MessageAttributes ?? {}, 'MessageAttributes');
    const system = checkMessageAttributes(input.MessageSystemAttributes ?? {}, 'MessageSystemAttributes');
    for (const name of Object.keys(system)) {
      if (name !== 'AWSTraceHeader') {
        throw invalidValue(
          name,
          'MessageSystemAttributes',
          'Only AWSTraceHeader is a valid message system attribute.',
        );
      }
    }
    const maximum = Number(queue.attributes.get('MaximumMessageSize'));
    if (messageBytes(body, attributes) > maximum) {
      throw new SqsError(
        'InvalidParameterValue',
        `One or more parameters are invalid. Reason: Message must be shorter than ${maximum} bytes.`,
      );
    }
    let delaySeconds = Number(queue.attributes.get('DelaySeconds'));
    if (input.DelaySeconds !== undefined) {
      if (queue.fifo) {
        // FIFO queues have queue-level delays only.
        throw invalidValue(
          input.DelaySeconds,
          'DelaySeconds',
          'The request include parameter that is not valid for this queue type.',
        );
      }
      if (!Number.isInteger(input.DelaySeconds) || input.DelaySeconds < 0 || input.DelaySeconds > 900) {
        throw invalidValue(input.DelaySeconds, 'DelaySeconds', 'Must be >= 0 and <= 900, if provided.');
      }
      delaySeconds = input.DelaySeconds;
    }

    const groupId = input.MessageGroupId;
    let deduplicationId = input.MessageDeduplicationId;
    if (groupId !== undefined) checkGroupOrDeduplicationId(groupId, 'MessageGroupId');
    if (deduplicationId !== undefined) checkGroupOrDeduplicationId(deduplicationId, 'MessageDeduplicationId');
    if (queue.fifo) {
      if (groupId === undefined) throw missing('MessageGroupId');
      if (deduplicationId === undefined) {
        if (queue.attributes.get('ContentBasedDeduplication') !== 'true') {
          throw new SqsError(
            'InvalidParameterValue',
            'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
          );
        }
        // Content-based deduplication hashes the body alone, not its attributes.
        deduplicationId = createHash('sha256').update(body, 'utf8').digest('hex');
      }
    } else if (deduplicationId !== undefined) {
      throw invalidValue(
        deduplicationId,
        'MessageDeduplicationId',
        'The request include parameter that is not valid for this queue type',
      );
    }

    const now = this.now();
    const md5s = {
      MD5OfMessageBody: md5Hex(body),
      ...(Object.keys(attributes).length === 0
        ? {}
        : { MD5OfMessageAttributes: md5OfAttributes(attributes) }),
      ...(Object.keys(system).length === 0 ? {} : { MD5OfMessageSystemAttributes: md5OfAttributes(system) }),
    };
    if (queue.fifo && deduplicationId !== undefined && groupId !== undefined) {
      const key =
        queue.attributes.get('DeduplicationScope') === 'messageGroup'
          ? `${groupId}\u0000${deduplicationId}`
          : deduplicationId;
      const seen = queue.deduplication.get(key);
      if (seen !== undefined && now - seen.at < DEDUPLICATION_WINDOW_MS) {
        // Accepted, answered with the first send's identity, and not enqueued again: this holds
        // even when that first message was received and deleted meanwhile.
        return {
          ...md5s,
          MessageId: seen.messageId,
          ...(seen.sequenceNumber === undefined ? {} : { SequenceNumber: seen.sequenceNumber }),
        };
      }
    }
    const messageId = randomUUID();
    const sequenceNumber = queue.fifo ? this.#nextSequence(queue) : undefined;
    if (queue.fifo && deduplicationId !== undefined && groupId !== undefined) {
      const key =
        queue.attributes.get('DeduplicationScope') === 'messageGroup'
          ? `${groupId}\u0000${deduplicationId}`
          : deduplicationId;
      queue.deduplication.set(key, { messageId, sequenceNumber, at: now });
    }
    queue.messages.push({
      messageId,
      body,
      md5OfBody: md5s.MD5OfMessageBody,
      messageAttributes: attributes,
      traceHeader: system.AWSTraceHeader?.StringValue,
      sentAt: now,
      retentionFrom: now,
      groupId,
      deduplicationId: queue.fifo ? deduplicationId : undefined,
      sequenceNumber,
      senderId,
      availableAt: now + delaySeconds * 1000,
      receiveCount: 0,
      firstReceiveAt: undefined,
      handle: undefined,
      receivedAt: undefined,
      deadLetterSourceArn: undefined,
    });
    return {
      ...md5s,
      MessageId: messageId,
      ...(sequenceNumber === undefined ? {} : { SequenceNumber: sequenceNumber }),
    };
  }

  /**
   * One ReceiveMessage. FIFO: a message group with a message in flight gives nothing, so the group
   * stays in order across consumers; otherwise the oldest group goes first and gives as many of its
   * messages as fit, then the next (SQS returns as many of one group as it can). A message whose
   * receive count has reached the redrive policy's maxReceiveCount moves to the dead-letter queue
   * instead of being returned: SQS moves it on the receive attempt that would exceed the count.
   */
  receive(queue: Queue, input: ReceiveInput): WireMessage[] {
    checkSystemAttributeNames(input.systemAttributeNames);
    this.#expire(queue);
    const max = input.maxNumberOfMessages;
    const visibility = input.visibilityTimeout ?? Number(queue.attributes.get('VisibilityTimeout'));
    const now = this.now();
    const redrive = this.redrivePolicy(queue);
    const picked: StoredMessage[] = [];

    const take = (message: StoredMessage): void => {
      if (redrive !== undefined && message.receiveCount >= redrive.maxReceiveCount) {
        const target = this.queueByArn(redrive.deadLetterTargetArn);
        // A dead-letter queue deleted since keeps the message where it is, as SQS does.
        if (target !== undefined) {
          this.#moveToDeadLetterQueue(queue, message, target);
          return;
        }
      }
      picked.push(message);
    };

    if (queue.fifo) {
      const busy = new Set<string>();
      for (const message of queue.messages) {
        if (message.availableAt > now && message.handle !== undefined && message.groupId !== undefined) {
          busy.add(message.groupId);
        }
      }
      const groups: string[] = [];
      for (const message of queue.messages) {
        const group = message.groupId ?? '';
        if (!busy.has(group) && !groups.includes(group)) groups.push(group);
      }
      for (const group of groups) {
        if (picked.length >= max) break;
        for (const message of queue.messages.filter((candidate) => (candidate.groupId ?? '') === group)) {
          if (picked.length >= max) break;
          // A delayed message holds back the rest of its group: FIFO order is never skipped.
          if (message.availableAt > now) break;
          take(message);
        }
      }
    } else {
      for (const message of [...queue.messages]) {
        if (picked.length >= max) break;
        if (message.availableAt <= now) take(message);
      }
    }

    return picked.map((message) => {
      message.receiveCount += 1;
      message.firstReceiveAt ??= now;
      message.receivedAt = now;
      message.availableAt = now + visibility * 1000;
      message.handle = `AQEB${randomBytes(96).toString('base64')}`;
      queue.handles.set(message.handle, message.messageId);
      return this.#wire(message, input);
    });
  }

  /**
   * The next time a message's delay or visibility timeout ends, for a long poll on the real clock.
   * Only future times: a message visible now but held back behind its group changes nothing by itself.
   */
  nextAvailableAt(queue: Queue): number | undefined {
    const now = this.now();
    let earliest: number | undefined;
    for (const message of queue.messages) {
      if (message.availableAt > now && (earliest === undefined || message.availableAt < earliest)) {
        earliest = message.availableAt;
      }
    }
    return earliest;
  }

  deleteMessage(queue: Queue, handle: unknown, options: { inBatch?: boolean } = {}): void {
    const message = this.#byHandle(queue, handle);
    if (message === undefined) return;
    const now = this.now();
    const current = message.handle === handle;
    const inFlight = current && message.availableAt > now;
    if (queue.fifo && !inFlight) {
      // A FIFO queue refuses a handle whose visibility timeout has run out (or that a later receive
      // replaced): the message may already be with another consumer, in order.
      if (options.inBatch === true) {
        throw new SqsError('ReceiptHandleIsInvalid', 'The receipt handle has expired');
      }
      throw invalidValue(handle, 'ReceiptHandle', 'The receipt handle has expired.');
    }
    // A standard queue accepts a stale handle and deletes nothing (DeleteMessage API reference).
    if (!current) return;
    queue.messages = queue.messages.filter((candidate) => candidate !== message);
  }

  changeVisibility(queue: Queue, handle: unknown, seconds: unknown): void {
    if (seconds === undefined) throw missing('VisibilityTimeout');
    if (
      typeof seconds !== 'number' ||
      !Number.isInteger(seconds) ||
      seconds < 0 ||
      seconds > MAX_VISIBILITY_SECONDS
    ) {
      throw invalidValue(seconds, 'VisibilityTimeout', 'Must be >= 0 and <= 43200, if provided.');
    }
    const message = this.#byHandle(queue, handle);
    const now = this.now();
    if (message === undefined || message.handle !== handle) {
      throw invalidValue(
        handle,
        'ReceiptHandle',
        'Message does not exist or is not available for visibility timeout change.',
      );
    }
    if (message.availableAt <= now) {
      if (queue.fifo) throw invalidValue(handle, 'ReceiptHandle', 'The receipt handle has expired.');
      throw new SqsError('MessageNotInflight', "The specified message isn't in flight.");
    }
    if ((message.receivedAt ?? now) + MAX_VISIBILITY_SECONDS * 1000 < now + seconds * 1000) {
      throw invalidValue(
        seconds,
        'VisibilityTimeout',
        `Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_SECONDS} seconds]`,
      );
    }
    message.availableAt = now + seconds * 1000;
  }

  purge(queue: Queue): void {
    const now = this.now();
    if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < PURGE_INTERVAL_MS) {
      throw new SqsError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
      );
    }
    queue.lastPurgeAt = now;
    queue.messages = [];
  }

  redrivePolicy(queue: Queue): RedrivePolicy | undefined {
    const raw = queue.attributes.get('RedrivePolicy');
    if (raw === undefined) return undefined;
    const parsed = JSON.parse(raw) as { deadLetterTargetArn: string; maxReceiveCount: string | number };
    return {
      deadLetterTargetArn: parsed.deadLetterTargetArn,
      maxReceiveCount: Number(parsed.maxReceiveCount),
    };
  }

  /** The checks every batch request gets before any entry runs; the whole request fails on them. */
  checkBatch(entries: unknown, entryName: string): Record<string, unknown>[] {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw new SqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
    }
    if (entries.length > 10) {
      throw new SqsError(
        'TooManyEntriesInBatchRequest',
        `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
      );
    }
    const seen = new Set<string>();
    for (const entry of entries as Record<string, unknown>[]) {
      const id = entry.Id;
      if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
        throw new SqsError(
          'InvalidBatchEntryId',
          'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        );
      }
      if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
      seen.add(id);
    }
    return entries as Record<string, unknown>[];
  }

  checkSendBatchSize(entries: Record<string, unknown>[]): void {
    let total = 0;
    for (const entry of entries) {
      const body = typeof entry.MessageBody === 'string' ? entry.MessageBody : '';
      total += messageBytes(body, (entry.MessageAttributes ?? {}) as Record<string, WireAttributeValue>);
    }
    if (total > MAX_BATCH_BYTES) {
      throw new SqsError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`,
      );
    }
  }

  #checkAttributes(attributes: Record<string, string>, fifo: boolean, name: string): Map<string, string> {
    const normalized = new Map<string, string>();
    for (const [key, value] of Object.entries(attributes)) {
      if (key === 'RedrivePolicy') {
        normalized.set(key, this.#checkRedrivePolicy(value, fifo, name));
        continue;
      }
      const check = ATTRIBUTE_CHECKS[key];
      if (check === undefined || (!fifo && FIFO_ONLY.has(key))) {
        throw new SqsError('InvalidAttributeName', `Unknown Attribute ${key}.`);
      }
      const checked = typeof value === 'string' ? check(value) : undefined;
      if (checked === undefined) {
        throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${key}.`);
      }
      normalized.set(key, checked);
    }
    return normalized;
  }

  #checkRedrivePolicy(value: string, fifo: boolean, name: string): string {
    const refuse = (reason: string) => invalidValue(value, 'RedrivePolicy', reason);
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw refuse('Redrive policy is not a valid JSON map.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw refuse('Redrive policy is not a valid JSON map.');
    }
    const { deadLetterTargetArn, maxReceiveCount, ...rest } = parsed as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw refuse(`Unknown field ${extra}.`);
    if (typeof deadLetterTargetArn !== 'string')
      throw refuse('Redrive policy must contain deadLetterTargetArn.');
    const count = typeof maxReceiveCount === 'string' ? Number(maxReceiveCount) : maxReceiveCount;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 1000) {
      throw refuse(
        `Invalid value for maxReceiveCount: ${String(maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`,
      );
    }
    const target = this.queueByArn(deadLetterTargetArn);
    if (target === undefined) throw refuse('Dead letter target does not exist.');
    if (target.name === name) throw refuse('Dead letter target can not be the same as the source.');
    if (target.fifo !== fifo) throw refuse('Dead-letter queue must be same type of queue as the source.');
    return JSON.stringify({ deadLetterTargetArn, maxReceiveCount: count });
  }

  #nextSequence(queue: Queue): string {
    queue.nextSequence += 1_000n + BigInt(randomBytes(2).readUInt16BE(0));
    return queue.nextSequence.toString().padStart(20, '0');
  }

  #moveToDeadLetterQueue(source: Queue, message: StoredMessage, target: Queue): void {
    source.messages = source.messages.filter((candidate) => candidate !== message);
    const now = this.now();
    // The message keeps its id, body, attributes and receive count; its old receipt handles belong
    // to the source queue and mean nothing in the dead-letter queue.
    target.messages.push({
      ...message,
      sequenceNumber: target.fifo ? this.#nextSequence(target) : undefined,
      // A standard queue counts retention from the original send; a FIFO queue from the move.
      retentionFrom: target.fifo ? now : message.retentionFrom,
      availableAt: now,
      handle: undefined,
      receivedAt: undefined,
      deadLetterSourceArn: source.arn,
    });
  }

  #expire(queue: Queue): void {
    const retentionMs = Number(queue.attributes.get('MessageRetentionPeriod')) * 1000;
    const now = this.now();
    queue.messages = queue.messages.filter((message) => message.retentionFrom + retentionMs > now);
    for (const [key, entry] of queue.deduplication) {
      if (now - entry.at >= DEDUPLICATION_WINDOW_MS) queue.deduplication.delete(key);
    }
  }

  #byHandle(queue: Queue, handle: unknown): StoredMessage | undefined {
    if (typeof handle !== 'string' || handle === '') throw missing('ReceiptHandle');
    const messageId = queue.handles.get(handle);
    if (messageId === undefined) {
      throw new SqsError(
        'ReceiptHandleIsInvalid',
        `The input receipt handle "${handle}" is not a valid receipt handle.`,
      );
    }
    return queue.messages.find((message) => message.messageId === messageId);
  }

  #wire(message: StoredMessage, input: ReceiveInput): WireMessage {
    const names = new Set(input.systemAttributeNames);
    const all = names.has('All');
    const system: Partial<Record<MessageSystemAttributeName, string | undefined>> = {
      SenderId: message.senderId,
      SentTimestamp: String(message.sentAt),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveAt),
      SequenceNumber: message.sequenceNumber,
      MessageDeduplicationId: message.deduplicationId,
      MessageGroupId: message.groupId,
      AWSTraceHeader: message.traceHeader,
      DeadLetterQueueSourceArn: message.deadLetterSourceArn,
    };
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(system)) {
      if (value !== undefined && (all || names.has(name))) attributes[name] = value;
    }
    const selected = selectMessageAttributes(message.messageAttributes, input.messageAttributeNames);
    return {
      MessageId: message.messageId,
      ReceiptHandle: message.handle,
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      ...(Object.keys(attributes).length === 0 ? {} : { Attributes: attributes }),
      ...(Object.keys(selected).length === 0
        ? {}
        : { MessageAttributes: selected, MD5OfMessageAttributes: md5OfAttributes(selected) }),
    };
  }
}

/** ReceiveMessage's AttributeNames and MessageSystemAttributeNames take the message system attributes. */
export function checkSystemAttributeNames(names: readonly string[]): void {
  for (const name of names) {
    if (!(SYSTEM_ATTRIBUTE_NAMES as readonly string[]).includes(name)) {
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
}

/** `All` or `.*`, an exact name, or `prefix.*` for the names under `prefix.` (ReceiveMessage reference). */
function selectMessageAttributes(
  attributes: Readonly<Record<string, WireAttributeValue>>,
  requested: readonly string[],
): Record<string, WireAttributeValue> {
  const selected: Record<string, WireAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const wanted = requested.some(
      (pattern) =>
        pattern === 'All' ||
        pattern === '.*' ||
        pattern === name ||
        (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))),
    );
    if (wanted) selected[name] = value;
  }
  return selected;
}

/** SQS's allowed characters: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF. */
function checkCharacters(text: string): void {
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) {
      throw new SqsError(
        'InvalidMessageContents',
        `Invalid binary character '#x${code.toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
      );
    }
  }
}

/**
 * MessageGroupId and MessageDeduplicationId: 1 to 128 characters, alphanumeric and punctuation
 * (`!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~`) only. A git branch with a space or a non-ASCII letter in it
 * is therefore not a valid group id as it is.
 */
function checkGroupOrDeduplicationId(value: string, parameter: string): void {
  if (!/^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/.test(value)) {
    throw invalidValue(
      value,
      parameter,
      `${parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  }
}

function checkMessageAttributes(
  attributes: Record<string, WireAttributeValue>,
  parameter: string,
): Record<string, WireAttributeValue> {
  const names = Object.keys(attributes);
  if (names.length > MAX_ATTRIBUTES) {
    throw invalidValue(
      names.length,
      parameter,
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`,
    );
  }
  const checked: Record<string, WireAttributeValue> = {};
  for (const name of names) {
    const value = attributes[name];
    if (
      name.length > 256 ||
      !/^[A-Za-z0-9_.-]+$/.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      /^(aws\.|amazon\.)/i.test(name)
    ) {
      throw new SqsError('InvalidParameterValue', `Message attribute name '${name}' is invalid.`);
    }
    if (value === undefined || typeof value.DataType !== 'string' || value.DataType === '') {
      throw new SqsError(
        'InvalidParameterValue',
        `The message attribute '${name}' must contain a non-empty attribute type.`,
      );
    }
    const base = /^(String|Number|Binary)(\.[^\s]+)?$/.exec(value.DataType)?.[1];
    if (base === undefined) {
      throw new SqsError(
        'InvalidParameterValue',
        `The type of message attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    if (value.StringListValues !== undefined || value.BinaryListValues !== undefined) {
      throw new SqsError(
        'InvalidParameterValue',
        `Message attribute list values in '${name}' are not supported.`,
      );
    }
    if (base === 'Binary') {
      if (
        typeof value.BinaryValue !== 'string' ||
        value.BinaryValue === '' ||
        value.StringValue !== undefined
      ) {
        throw new SqsError(
          'InvalidParameterValue',
          `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`,
        );
      }
    } else {
      if (
        typeof value.StringValue !== 'string' ||
        value.StringValue === '' ||
        value.BinaryValue !== undefined
      ) {
        throw new SqsError(
          'InvalidParameterValue',
          `The message attribute '${name}' with type '${base}' must use field 'String'.`,
        );
      }
      checkCharacters(value.StringValue);
      if (base === 'Number' && !Number.isFinite(Number(value.StringValue))) {
        throw new SqsError(
          'InvalidParameterValue',
          `Can't cast the value of message (user) attribute '${name}' to a number.`,
        );
      }
    }
    checked[name] = {
      DataType: value.DataType,
      ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { BinaryValue: value.BinaryValue }),
    };
  }
  return checked;
}

/** What counts towards MaximumMessageSize: the body and every attribute's name, type and value. */
function messageBytes(body: string, attributes: Record<string, WireAttributeValue>): number {
  let total = Buffer.byteLength(body, 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    total += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
    if (value.StringValue !== undefined) total += Buffer.byteLength(value.StringValue, 'utf8');
    if (value.BinaryValue !== undefined) total += Buffer.from(value.BinaryValue, 'base64').length;
  }
  return total;
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * The MD5 of message attributes as the SQS developer guide defines it: attributes sorted by name;
 * each as the 4-byte big-endian length and UTF-8 bytes of its name, the same of its data type, one
 * byte for the transport type (1 string or number, 2 binary), then the length and bytes of the value.
 */
export function md5OfAttributes(attributes: Readonly<Record<string, WireAttributeValue>>): string {
  const parts: Buffer[] = [];
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length, 0);
    parts.push(length, bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name];
    if (value === undefined) continue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(value.DataType, 'utf8'));
    if (value.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(value.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}

/** A batch entry's failure, as SendMessageBatch, DeleteMessageBatch and friends report it. */
export function batchFailure(id: string, error: unknown): BatchResultErrorEntry {
  if (error instanceof SqsError) {
    return {
      Id: id,
      SenderFault: error.shape.status < 500,
      Code: error.shape.queryCode,
      Message: error.message,
    };
  }
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: String(error) };
}
