/**
 * A strict stand-in for Amazon SQS on 127.0.0.1, for contract and end-to-end tests of the queued
 * webhook (receiver → FIFO queue → worker). Point the real `@aws-sdk/client-sqs` at it with
 * `sqsClientConfig(standIn)` in-process, or `sqsClientEnv(standIn)` for a child process.
 *
 * What it holds the client to, as SQS does (AWS JSON 1.0, query-compatible): `POST /`, content
 * type `application/x-amz-json-1.0`, `X-Amz-Target: AmazonSQS.<Operation>`, a valid SigV4
 * signature for service `sqs` in the stand-in's region, a body with only the model's members and
 * their types. Errors carry `__type` in the body and `x-amzn-query-error: <code>;Sender` (the SDK
 * names its error after that code). Message bodies come back with their MD5, which the SDK checks.
 * The queue rules (FIFO order and group locking, deduplication, visibility, receipt handles,
 * redrive) are in sqs-model.ts.
 *
 * Time: the queues run on `clock` (a ManualClock lets a test move it); signatures are checked
 * against the real time, since the SDK signs with it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import { type StandInCredentials, verifySigV4 } from './sigv4.js';
import {
  batchFailure,
  checkSystemAttributeNames,
  type Queue,
  REAL_CLOCK,
  type ReceiveInput,
  type SendInput,
  SQS_ERRORS,
  type SqsClock,
  SqsError,
  type SqsErrorCode,
  type SqsErrorShape,
  SqsModel,
  type StoredMessage,
  type WireAttributeValue,
  type WireMessage,
} from './sqs-model.js';

export { ManualClock, type SqsClock, type StoredMessage } from './sqs-model.js';

export interface SqsCredentials extends StandInCredentials {
  /** What `SenderId` says for messages this key sends; by default an IAM user id made from the key. */
  senderId?: string | undefined;
}

/** Not a real AWS key. Hand the SDK a copy: it writes onto the object it is given. */
export const SQS_TEST_CREDENTIALS: Readonly<SqsCredentials> = {
  accessKeyId: 'AKIASTANDINSQS000001',
  secretAccessKey: 'stand-in/sqs+secret/NOT-A-REAL-KEY-0123456789',
};

export const SQS_TEST_REGION = 'us-east-1';

export type SqsOperation =
  | 'CreateQueue'
  | 'GetQueueUrl'
  | 'GetQueueAttributes'
  | 'SetQueueAttributes'
  | 'SendMessage'
  | 'SendMessageBatch'
  | 'ReceiveMessage'
  | 'DeleteMessage'
  | 'DeleteMessageBatch'
  | 'ChangeMessageVisibility'
  | 'PurgeQueue';

export type SqsFaultAction =
  /** Answer with this status and code, as SQS would (`__type`, `x-amzn-query-error`). */
  | { kind: 'error'; status: number; code: string; type?: string; message?: string }
  /** Destroy the socket without answering: the client sees ECONNRESET / socket hang up. */
  | { kind: 'drop' }
  /** Wait this many real milliseconds, then handle the request normally. */
  | { kind: 'latency'; ms: number };

/**
 * Ready-made faults. The SDK retries 5xx, RequestThrottled and dropped connections itself (three
 * attempts by default), so "SQS is down" for a caller needs `times` of at least its attempts.
 */
export const SQS_FAULTS = {
  internalError: {
    kind: 'error',
    status: 500,
    code: 'InternalError',
    type: SQS_ERRORS.InternalError.type,
    message: 'We encountered an internal error. Please try again.',
  },
  serviceUnavailable: {
    kind: 'error',
    status: 503,
    code: 'ServiceUnavailable',
    type: SQS_ERRORS.ServiceUnavailable.type,
    message: 'Service is unable to handle request.',
  },
  throttled: {
    kind: 'error',
    status: 403,
    code: 'RequestThrottled',
    type: SQS_ERRORS.RequestThrottled.type,
    message: 'Rate exceeded',
  },
  drop: { kind: 'drop' },
} as const satisfies Record<string, SqsFaultAction>;

export interface SqsFaultSpec {
  /** Every given criterion must match. */
  operation?: SqsOperation;
  queueName?: string;
  /** How many matching requests it hits; default 1, `Infinity` until `clearFaults()`. */
  times?: number;
  action: SqsFaultAction;
}

/** One request as the stand-in saw it, in arrival order. */
export interface SqsRecordedRequest {
  requestId: string;
  /** The operation named by X-Amz-Target, when it is one the stand-in knows. */
  operation: SqsOperation | undefined;
  target: string | undefined;
  /** The parsed JSON body; undefined when it was not JSON. */
  body: unknown;
  queueName: string | undefined;
  /** 0 while in flight (a long poll) and for a dropped connection. */
  status: number;
  /** The `x-amzn-query-error` code sent, for errors. */
  errorCode: string | undefined;
  accessKeyId: string | undefined;
  fault: SqsFaultAction['kind'] | undefined;
  /** The stand-in's clock when the request arrived. */
  at: number;
}

export interface SqsStandInOptions {
  /** The region the stand-in plays; a request signed for another one is refused. Default us-east-1. */
  region?: string;
  accountId?: string;
  /** Keys it accepts; default [SQS_TEST_CREDENTIALS]. */
  credentials?: SqsCredentials[];
  /** The queues' clock; default the real time. */
  clock?: SqsClock;
}

export interface QueueRef {
  name: string;
  url: string;
  arn: string;
}

/** A stored message as a test sees it. */
export interface MessageView extends Readonly<StoredMessage> {
  /** Received and its visibility timeout not yet over. */
  inFlight: boolean;
}

export interface FifoQueueWithDlqInput {
  /** Must end in `.fifo`; the dead-letter queue is `<name without .fifo>-dlq.fifo`. */
  name: string;
  maxReceiveCount: number;
  /** Seconds; default 30 as in SQS. */
  visibilityTimeout?: number;
  contentBasedDeduplication?: boolean;
}

export interface SqsStandIn {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_SQS or the client's `endpoint`. */
  url: string;
  region: string;
  accountId: string;
  /** The credentials a client should sign with (the first accepted key). */
  credentials: Readonly<SqsCredentials>;
  clock: SqsClock;
  requests: SqsRecordedRequest[];
  requestsFor(operation: SqsOperation): SqsRecordedRequest[];
  /** CreateQueue without HTTP, with the same checks. Attribute values are strings, as on the wire. */
  createQueue(name: string, attributes?: Record<string, string>): QueueRef;
  /** A FIFO queue and its FIFO dead-letter queue, wired with a RedrivePolicy. */
  createFifoQueueWithDlq(input: FifoQueueWithDlqInput): { queue: QueueRef; deadLetterQueue: QueueRef };
  /** The messages a queue (name or URL) holds now, in queue order, in flight or not. */
  messages(queue: string): MessageView[];
  /** Long polls waiting for a message right now. */
  waitingReceives(): number;
  injectFault(fault: SqsFaultSpec): void;
  clearFaults(): void;
  /** Faults not yet used up. */
  pendingFaults(): number;
  /** While true, every connection is closed as soon as it opens (or sends a request): SQS unreachable. */
  setUnreachable(unreachable: boolean): void;
  close(): Promise<void>;
}

/** SQS client settings for a test in this process. */
export function sqsClientConfig(standIn: SqsStandIn, overrides: SQSClientConfig = {}): SQSClientConfig {
  return {
    region: standIn.region,
    endpoint: standIn.url,
    credentials: { ...standIn.credentials },
    ...overrides,
  };
}

/** The environment a child process (a built bundle) needs to reach the stand-in, and nothing else. */
export function sqsClientEnv(standIn: SqsStandIn): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_SQS: standIn.url,
    AWS_ACCESS_KEY_ID: standIn.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: standIn.credentials.secretAccessKey,
    AWS_REGION: standIn.region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
}

type MemberKind =
  | 'string'
  | 'integer'
  | 'stringList'
  | 'stringMap'
  | 'attributeValueMap'
  | { entries: Readonly<Record<string, MemberKind>> };

const SEND_ENTRY: Readonly<Record<string, MemberKind>> = {
  MessageBody: 'string',
  DelaySeconds: 'integer',
  MessageAttributes: 'attributeValueMap',
  MessageSystemAttributes: 'attributeValueMap',
  MessageDeduplicationId: 'string',
  MessageGroupId: 'string',
};

/** Each operation's request members and their JSON types, from the SQS model in @aws-sdk/client-sqs. */
const REQUEST_MEMBERS: Readonly<Record<SqsOperation, Readonly<Record<string, MemberKind>>>> = {
  CreateQueue: { QueueName: 'string', Attributes: 'stringMap', tags: 'stringMap' },
  GetQueueUrl: { QueueName: 'string', QueueOwnerAWSAccountId: 'string' },
  GetQueueAttributes: { QueueUrl: 'string', AttributeNames: 'stringList' },
  SetQueueAttributes: { QueueUrl: 'string', Attributes: 'stringMap' },
  SendMessage: { QueueUrl: 'string', ...SEND_ENTRY },
  SendMessageBatch: { QueueUrl: 'string', Entries: { entries: { Id: 'string', ...SEND_ENTRY } } },
  ReceiveMessage: {
    QueueUrl: 'string',
    AttributeNames: 'stringList',
    MessageSystemAttributeNames: 'stringList',
    MessageAttributeNames: 'stringList',
    MaxNumberOfMessages: 'integer',
    VisibilityTimeout: 'integer',
    WaitTimeSeconds: 'integer',
    ReceiveRequestAttemptId: 'string',
  },
  DeleteMessage: { QueueUrl: 'string', ReceiptHandle: 'string' },
  DeleteMessageBatch: { QueueUrl: 'string', Entries: { entries: { Id: 'string', ReceiptHandle: 'string' } } },
  ChangeMessageVisibility: { QueueUrl: 'string', ReceiptHandle: 'string', VisibilityTimeout: 'integer' },
  PurgeQueue: { QueueUrl: 'string' },
};

const ATTRIBUTE_VALUE_MEMBERS: Readonly<Record<string, MemberKind>> = {
  DataType: 'string',
  StringValue: 'string',
  BinaryValue: 'string',
  StringListValues: 'stringList',
  BinaryListValues: 'stringList',
};

function isOperation(name: string): name is SqsOperation {
  return Object.hasOwn(REQUEST_MEMBERS, name);
}

const serialization = (message: string) => new SqsError('SerializationException', message);

function checkMembers(value: unknown, members: Readonly<Record<string, MemberKind>>, where: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw serialization(`${where} must be a JSON object`);
  }
  for (const [name, member] of Object.entries(value)) {
    const kind = members[name];
    if (kind === undefined) throw serialization(`Unexpected member '${name}' in ${where}`);
    checkKind(member, kind, `${where}.${name}`);
  }
}

function checkKind(value: unknown, kind: MemberKind, where: string): void {
  const isStringArray = (candidate: unknown) =>
    Array.isArray(candidate) && candidate.every((item) => typeof item === 'string');
  const isObject = (candidate: unknown): candidate is Record<string, unknown> =>
    candidate !== null && typeof candidate === 'object' && !Array.isArray(candidate);
  if (typeof kind === 'object') {
    if (!Array.isArray(value)) throw serialization(`${where} must be a list`);
    value.forEach((entry, index) => {
      checkMembers(entry, kind.entries, `${where}[${index}]`);
    });
    return;
  }
  const ok =
    (kind === 'string' && typeof value === 'string') ||
    (kind === 'integer' && typeof value === 'number' && Number.isInteger(value)) ||
    (kind === 'stringList' && isStringArray(value)) ||
    (kind === 'stringMap' &&
      isObject(value) &&
      Object.values(value).every((item) => typeof item === 'string'));
  if (kind === 'attributeValueMap') {
    if (!isObject(value)) throw serialization(`${where} must be a map`);
    for (const [name, attribute] of Object.entries(value)) {
      checkMembers(attribute, ATTRIBUTE_VALUE_MEMBERS, `${where}.${name}`);
    }
    return;
  }
  if (!ok) throw serialization(`${where} is not a valid ${kind}`);
}

const AUTH_FAILURES = {
  MissingAuthenticationTokenException: 'AccessDenied',
  IncompleteSignatureException: 'IncompleteSignature',
  UnrecognizedClientException: 'InvalidClientTokenId',
  InvalidSignatureException: 'SignatureDoesNotMatch',
} as const satisfies Record<string, SqsErrorCode>;

/** An injected error: any status and code a test asks for, not only the ones SQS models. */
class FaultError extends Error {
  constructor(
    readonly shape: SqsErrorShape,
    message: string,
  ) {
    super(message);
  }
}

interface Waiter {
  queue: Queue;
  input: ReceiveInput;
  deadline: number;
  settle(messages: WireMessage[]): void;
  done: boolean;
}

export async function startSqsStandIn(options: SqsStandInOptions = {}): Promise<SqsStandIn> {
  const region = options.region ?? SQS_TEST_REGION;
  const accountId = options.accountId ?? '123456789012';
  const credentials = options.credentials ?? [{ ...SQS_TEST_CREDENTIALS }];
  const clock = options.clock ?? REAL_CLOCK;
  const requests: SqsRecordedRequest[] = [];
  const faults: { spec: SqsFaultSpec; left: number }[] = [];
  const waiters: Waiter[] = [];
  const sockets = new Set<Socket>();
  let unreachable = false;
  let closing = false;
  let timer: NodeJS.Timeout | undefined;
  let model: SqsModel | undefined;

  const senderIdOf = (accessKeyId: string): string => {
    const configured = credentials.find((candidate) => candidate.accessKeyId === accessKeyId)?.senderId;
    if (configured !== undefined) return configured;
    // IAM user ids are AIDA + 17 upper-case letters and digits; derive a stable one from the key.
    const digest = createHash('sha256').update(accessKeyId).digest('hex').toUpperCase();
    return `AIDA${digest.slice(0, 17)}`;
  };

  const takeFault = (record: SqsRecordedRequest): SqsFaultAction | undefined => {
    const index = faults.findIndex(
      ({ spec }) =>
        (spec.operation === undefined || spec.operation === record.operation) &&
        (spec.queueName === undefined || spec.queueName === record.queueName),
    );
    const found = faults[index];
    if (found === undefined) return undefined;
    found.left -= 1;
    if (found.left <= 0) faults.splice(index, 1);
    return found.spec.action;
  };

  /** Answers every long poll that can be answered now, then sleeps until the next one might be. */
  const pump = (): void => {
    if (model === undefined) return;
    const now = clock.now();
    for (const waiter of waiters) {
      if (waiter.done) continue;
      try {
        const messages = model.receive(waiter.queue, waiter.input);
        if (messages.length > 0 || now >= waiter.deadline || closing) waiter.settle(messages);
      } catch {
        waiter.settle([]);
      }
    }
    for (let index = waiters.length - 1; index >= 0; index -= 1) {
      if (waiters[index]?.done === true) waiters.splice(index, 1);
    }
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    // A manual clock wakes the long polls itself (subscribe); the real one needs a timer.
    if (waiters.length === 0 || clock.subscribe !== undefined) return;
    let next = Number.POSITIVE_INFINITY;
    for (const waiter of waiters) {
      next = Math.min(next, waiter.deadline, model.nextAvailableAt(waiter.queue) ?? Number.POSITIVE_INFINITY);
    }
    timer = setTimeout(pump, Math.max(1, next - clock.now()));
    timer.unref();
  };
  const unsubscribe = clock.subscribe?.(pump);

  const receive = async (
    queue: Queue,
    body: Record<string, unknown>,
    response: ServerResponse,
  ): Promise<WireMessage[]> => {
    const current = model as SqsModel;
    const max = body.MaxNumberOfMessages ?? 1;
    if (typeof max !== 'number' || max < 1 || max > 10) {
      throw new SqsError(
        'InvalidParameterValue',
        `Value ${String(max)} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const visibility = body.VisibilityTimeout;
    if (
      visibility !== undefined &&
      (typeof visibility !== 'number' || visibility < 0 || visibility > 43_200)
    ) {
      throw new SqsError(
        'InvalidParameterValue',
        `Value ${String(visibility)} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.`,
      );
    }
    const wait = body.WaitTimeSeconds ?? Number(queue.attributes.get('ReceiveMessageWaitTimeSeconds'));
    if (typeof wait !== 'number' || wait < 0 || wait > 20) {
      throw new SqsError(
        'InvalidParameterValue',
        `Value ${String(wait)} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    }
    const attemptId = body.ReceiveRequestAttemptId;
    if (
      typeof attemptId === 'string' &&
      !/^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/.test(attemptId)
    ) {
      throw new SqsError(
        'InvalidParameterValue',
        `Value ${attemptId} for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
      );
    }
    const input: ReceiveInput = {
      maxNumberOfMessages: max,
      ...(visibility === undefined ? {} : { visibilityTimeout: visibility as number }),
      systemAttributeNames: [
        ...((body.AttributeNames as string[] | undefined) ?? []),
        ...((body.MessageSystemAttributeNames as string[] | undefined) ?? []),
      ],
      messageAttributeNames: (body.MessageAttributeNames as string[] | undefined) ?? [],
    };
    checkSystemAttributeNames(input.systemAttributeNames);
    const messages = current.receive(queue, input);
    if (messages.length > 0 || wait === 0 || closing) return messages;
    // Long polling: answer as soon as one message can be returned, or empty when the wait ends.
    return new Promise<WireMessage[]>((resolve) => {
      const waiter: Waiter = {
        queue,
        input,
        deadline: clock.now() + wait * 1000,
        done: false,
        settle(found) {
          if (waiter.done) return;
          waiter.done = true;
          resolve(found);
        },
      };
      // A client that gives up (an aborted request) must not take messages it will never see.
      response.on('close', () => {
        waiter.done = true;
      });
      waiters.push(waiter);
      pump();
    });
  };

  type Handler = (
    body: Record<string, unknown>,
    caller: string,
    response: ServerResponse,
  ) => Promise<unknown>;

  const operations: Record<SqsOperation, Handler> = {
    CreateQueue: async (body) => {
      const queue = (model as SqsModel).createQueue(
        body.QueueName,
        body.Attributes as Record<string, string> | undefined,
        body.tags as Record<string, string> | undefined,
      );
      return { QueueUrl: queue.url };
    },
    GetQueueUrl: async (body) => {
      if (typeof body.QueueName !== 'string' || body.QueueName === '') {
        throw new SqsError('MissingParameter', 'The request must contain the parameter QueueName.');
      }
      const owner = body.QueueOwnerAWSAccountId;
      const queue = (model as SqsModel).queueByName(body.QueueName);
      if (queue === undefined || (owner !== undefined && owner !== accountId)) {
        throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
      }
      return { QueueUrl: queue.url };
    },
    GetQueueAttributes: async (body) => {
      const current = model as SqsModel;
      const attributes = current.getQueueAttributes(
        current.queueByUrl(body.QueueUrl),
        (body.AttributeNames as string[] | undefined) ?? [],
      );
      return Object.keys(attributes).length === 0 ? {} : { Attributes: attributes };
    },
    SetQueueAttributes: async (body) => {
      const current = model as SqsModel;
      current.setQueueAttributes(
        current.queueByUrl(body.QueueUrl),
        (body.Attributes as Record<string, string> | undefined) ?? {},
      );
      pump();
      return {};
    },
    SendMessage: async (body, caller) => {
      const current = model as SqsModel;
      const { QueueUrl, ...input } = body;
      const result = current.send(current.queueByUrl(QueueUrl), input as SendInput, senderIdOf(caller));
      pump();
      return result;
    },
    SendMessageBatch: async (body, caller) => {
      const current = model as SqsModel;
      const queue = current.queueByUrl(body.QueueUrl);
      const entries = current.checkBatch(body.Entries, 'SendMessageBatchRequestEntry');
      current.checkSendBatchSize(entries);
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const { Id, ...input } of entries) {
        try {
          Successful.push({ Id, ...current.send(queue, input as SendInput, senderIdOf(caller)) });
        } catch (error) {
          Failed.push(batchFailure(String(Id), error));
        }
      }
      pump();
      return { Successful, Failed };
    },
    ReceiveMessage: async (body, _caller, response) => {
      const current = model as SqsModel;
      const messages = await receive(current.queueByUrl(body.QueueUrl), body, response);
      return messages.length === 0 ? {} : { Messages: messages };
    },
    DeleteMessage: async (body) => {
      const current = model as SqsModel;
      current.deleteMessage(current.queueByUrl(body.QueueUrl), body.ReceiptHandle);
      pump();
      return {};
    },
    DeleteMessageBatch: async (body) => {
      const current = model as SqsModel;
      const queue = current.queueByUrl(body.QueueUrl);
      const entries = current.checkBatch(body.Entries, 'DeleteMessageBatchRequestEntry');
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const { Id, ReceiptHandle } of entries) {
        try {
          current.deleteMessage(queue, ReceiptHandle, { inBatch: true });
          Successful.push({ Id });
        } catch (error) {
          Failed.push(batchFailure(String(Id), error));
        }
      }
      pump();
      return { Successful, Failed };
    },
    ChangeMessageVisibility: async (body) => {
      const current = model as SqsModel;
      current.changeVisibility(current.queueByUrl(body.QueueUrl), body.ReceiptHandle, body.VisibilityTimeout);
      pump();
      return {};
    },
    PurgeQueue: async (body) => {
      const current = model as SqsModel;
      current.purge(current.queueByUrl(body.QueueUrl));
      pump();
      return {};
    },
  };

  const handle = async (
    request: IncomingMessage,
    response: ServerResponse,
    raw: Buffer,
    record: SqsRecordedRequest,
  ): Promise<unknown> => {
    const rawPath = (request.url ?? '/').split('?')[0] ?? '/';
    const verdict = await verifySigV4(
      { method: request.method ?? '', rawPath, query: {}, headers: request.headers, body: raw },
      { service: 'sqs', credentials, region, now: new Date() },
    );
    if ('errorType' in verdict) {
      // AWS's front door names these failures after its JSON exceptions; SQS's query-compatible
      // header carries the query protocol's codes, which is what the SDK reports.
      const code: SqsErrorCode =
        AUTH_FAILURES[verdict.errorType as keyof typeof AUTH_FAILURES] ?? 'SignatureDoesNotMatch';
      throw new SqsError(
        code,
        code === 'AccessDenied' ? `Access to the resource ${url}/ is denied.` : verdict.message,
      );
    }
    record.accessKeyId = verdict.accessKeyId;
    if (request.method !== 'POST' || rawPath !== '/') {
      throw new SqsError('UnknownOperation', `${request.method} ${rawPath} is not an SQS operation`);
    }
    const contentType = request.headers['content-type'];
    if (contentType !== 'application/x-amz-json-1.0') {
      // SQS also still speaks the query protocol; this stand-in does not, so an old client fails here.
      throw serialization(
        `Unexpected content type '${contentType ?? ''}': expected application/x-amz-json-1.0`,
      );
    }
    const target = record.target ?? '';
    const name = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : '';
    if (!isOperation(name)) {
      throw new SqsError(
        'UnknownOperation',
        `Operation '${target}' is not an SQS operation the stand-in knows`,
      );
    }
    record.operation = name;
    if (record.body === undefined) throw serialization('The request body is not JSON');
    const body = record.body as Record<string, unknown>;
    if (typeof body.QueueUrl === 'string') record.queueName = body.QueueUrl.split('/').at(-1);
    else if (typeof body.QueueName === 'string') record.queueName = body.QueueName;

    const fault = takeFault(record);
    if (fault !== undefined) {
      record.fault = fault.kind;
      if (fault.kind === 'drop') {
        request.socket.destroy();
        return undefined;
      }
      if (fault.kind === 'error') {
        throw new FaultError(
          {
            status: fault.status,
            type: fault.type ?? `com.amazonaws.sqs#${fault.code}`,
            queryCode: fault.code,
          },
          fault.message ?? fault.code,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
    }

    checkMembers(body, REQUEST_MEMBERS[name], `${name}Request`);
    return operations[name](body, verdict.accessKeyId, response);
  };

  const server = createServer((request, response) => {
    if (unreachable) {
      request.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const record: SqsRecordedRequest = {
        requestId: randomUUID(),
        operation: undefined,
        target: single(request.headers['x-amz-target']),
        body: parseJsonObject(raw),
        queueName: undefined,
        status: 0,
        errorCode: undefined,
        accessKeyId: undefined,
        fault: undefined,
        at: clock.now(),
      };
      requests.push(record);
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        if (response.destroyed || response.writableEnded) return;
        record.status = status;
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-RequestId': record.requestId,
          ...headers,
        });
        response.end(JSON.stringify(body));
      };
      const replyError = (shape: SqsErrorShape, message: string) => {
        record.errorCode = shape.queryCode;
        reply(
          shape.status,
          { __type: shape.type, message },
          { 'x-amzn-query-error': `${shape.queryCode};${shape.status >= 500 ? 'Receiver' : 'Sender'}` },
        );
      };
      handle(request, response, raw, record).then(
        (body) => {
          if (body !== undefined) reply(200, body);
        },
        (error: unknown) => {
          if (error instanceof SqsError || error instanceof FaultError) {
            return replyError(error.shape, error.message);
          }
          replyError(
            SQS_ERRORS.InternalError,
            `stand-in failure: ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      );
    });
  });
  server.on('connection', (socket: Socket) => {
    if (unreachable) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  model = new SqsModel({ region, accountId, baseUrl: url, clock });
  const current = model;

  const queueRef = (queue: Queue): QueueRef => ({ name: queue.name, url: queue.url, arn: queue.arn });
  const findQueue = (nameOrUrl: string): Queue => {
    const queue = nameOrUrl.includes('/') ? current.queueByUrl(nameOrUrl) : current.queueByName(nameOrUrl);
    if (queue === undefined) throw new Error(`No queue ${nameOrUrl} in the SQS stand-in`);
    return queue;
  };

  return {
    url,
    region,
    accountId,
    credentials: credentials[0] ?? SQS_TEST_CREDENTIALS,
    clock,
    requests,
    requestsFor: (operation) => requests.filter((request) => request.operation === operation),
    createQueue: (name, attributes = {}) => queueRef(current.createQueue(name, attributes)),
    createFifoQueueWithDlq(input) {
      if (!input.name.endsWith('.fifo')) throw new Error(`A FIFO queue name ends in .fifo: ${input.name}`);
      const deadLetterQueue = current.createQueue(`${input.name.slice(0, -'.fifo'.length)}-dlq.fifo`, {
        FifoQueue: 'true',
      });
      const queue = current.createQueue(input.name, {
        FifoQueue: 'true',
        ContentBasedDeduplication: String(input.contentBasedDeduplication ?? false),
        VisibilityTimeout: String(input.visibilityTimeout ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: deadLetterQueue.arn,
          maxReceiveCount: input.maxReceiveCount,
        }),
      });
      return { queue: queueRef(queue), deadLetterQueue: queueRef(deadLetterQueue) };
    },
    messages(nameOrUrl) {
      const now = clock.now();
      return findQueue(nameOrUrl).messages.map((message) => ({
        ...message,
        inFlight: message.handle !== undefined && message.availableAt > now,
      }));
    },
    waitingReceives: () => waiters.filter((waiter) => !waiter.done).length,
    injectFault(spec) {
      faults.push({ spec, left: spec.times ?? 1 });
    },
    clearFaults() {
      faults.splice(0);
    },
    pendingFaults: () => faults.reduce((sum, fault) => sum + fault.left, 0),
    setUnreachable(value) {
      unreachable = value;
      if (value) for (const socket of sockets) socket.destroy();
    },
    async close() {
      closing = true;
      pump();
      unsubscribe?.();
      if (timer !== undefined) clearTimeout(timer);
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJsonObject(raw: Buffer): Record<string, unknown> | undefined {
  if (raw.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export type { WireAttributeValue, WireMessage };
