import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { HttpEventV2, HttpResultV2 } from '../../src/webhook/lambda/index.js';
import { type AmplifyStandIn, startAmplifyStandIn } from '../fakes/amplify-server.js';
import { type NeonStandIn, type NeonStandInOptions, startNeonStandIn } from '../fakes/neon-server.js';
import { type SqsPoller, type SqsPollerOptions, startSqsPoller } from '../fakes/sqs-poller.js';
import {
  ManualClock,
  type QueueRef,
  type SqsStandIn,
  sqsClientConfig,
  sqsClientEnv,
  startSqsStandIn,
} from '../fakes/sqs-server.js';
import { type SignedDelivery, signedDelivery } from '../fixtures/webhook-deliveries.js';
import {
  type LambdaEnvironment,
  lambdaEnvironment,
  RECEIVER_ENTRY,
  WORKER_ENTRY,
} from './lambda-environment.js';
import { requireBuilt, standInEnv } from './webhook-process.js';

export const SECRET = 'queued-webhook-secret';
export const APP_ID = 'dqueued1';
export const MAX_RECEIVE_COUNT = 3;
/** The queue's visibility timeout and the worker's function timeout (seconds); the clock is manual. */
export const VISIBILITY_SECONDS = 60;

const FUNCTION_URL_EVENT = JSON.parse(
  readFileSync(join(import.meta.dirname, '../fixtures/webhook-function-url-event.json'), 'utf8'),
) as HttpEventV2 & { headers: Record<string, string | undefined> };

/** A function URL request carrying a signed delivery, as Lambda hands it to the receiver. */
export function functionUrlEvent(delivery: SignedDelivery): HttpEventV2 {
  const event = structuredClone(FUNCTION_URL_EVENT);
  Object.assign(event.headers, delivery.headers);
  event.body = delivery.body.toString('base64');
  event.isBase64Encoded = true;
  return event;
}

/**
 * The function URL request of another provider's delivery (GitLab's, Bitbucket's): the GitHub
 * one's shape at `path` (`/webhook/gitlab`), with the provider's own headers instead of GitHub's.
 */
export function providerEvent(
  path: string,
  delivery: { body: Buffer; headers: Record<string, string> },
): HttpEventV2 {
  const event = functionUrlEvent({ id: 'x', event: 'x', body: delivery.body, headers: {} });
  event.rawPath = path;
  event.requestContext.http.path = path;
  for (const name of Object.keys(event.headers)) {
    if (name.startsWith('x-github') || name.startsWith('x-hub')) delete event.headers[name];
  }
  Object.assign(event.headers, delivery.headers);
  return event;
}

export const sign = (event: string, payload: unknown, id?: string) =>
  signedDelivery({ event, payload, secret: SECRET, ...(id === undefined ? {} : { id }) });

/**
 * The queued pair against stand-ins: Neon, Amplify, and SQS with a FIFO queue and its dead-letter
 * queue on a manual clock (a visibility timeout passes when the test says so). Receivers and
 * workers are the built bundles, each in execution environments of their own.
 */
export interface QueuedWorld {
  neon: NeonStandIn;
  amplify: AmplifyStandIn;
  sqs: SqsStandIn;
  clock: ManualClock;
  queue: QueueRef;
  deadLetterQueue: QueueRef;
  /** The test's own SQS client (the pollers use it, as Lambda's event source mapping would its own). */
  client: SQSClient;
  receiverEnv: Record<string, string>;
  workerEnv: Record<string, string>;
  receiver(env?: Record<string, string>): LambdaEnvironment;
  worker(env?: Record<string, string>): LambdaEnvironment;
  /** A poller (Lambda's event source mapping) invoking `environment`'s worker. */
  poll(environment: LambdaEnvironment, options?: Partial<SqsPollerOptions>): Promise<SqsPoller>;
  /** Every secret that must never show: the Neon key, the webhook secret, every role's password. */
  secrets(): string[];
  close(): Promise<void>;
}

export async function startQueuedWorld(neonOptions: NeonStandInOptions = {}): Promise<QueuedWorld> {
  requireBuilt(RECEIVER_ENTRY);
  requireBuilt(WORKER_ENTRY);
  const clock = new ManualClock(Date.now());
  const [neon, amplify, sqs] = await Promise.all([
    startNeonStandIn({ operationDurationMs: null, ...neonOptions }),
    // An account whose Concurrent jobs quota AWS raised: the runs here start more builds at once
    // than the default 5, and the stand-in's builds never end by themselves.
    startAmplifyStandIn({ concurrentJobsQuota: 100 }),
    startSqsStandIn({ clock }),
  ]);
  amplify.addApp({ appId: APP_ID });
  const { queue, deadLetterQueue } = sqs.createFifoQueueWithDlq({
    name: 'deliveries.fifo',
    maxReceiveCount: MAX_RECEIVE_COUNT,
    visibilityTimeout: VISIBILITY_SECONDS,
  });
  const client = new SQSClient(sqsClientConfig(sqs));
  // The receiver holds no Neon API key: it only verifies, classifies and sends.
  const receiverEnv = {
    GITHUB_WEBHOOK_SECRET: SECRET,
    QUEUE_URL: queue.url,
    NEON_PROJECT_ID: neon.projectId,
    AMPLIFY_APP_ID: APP_ID,
    ...sqsClientEnv(sqs),
  };
  // The worker holds the webhook secret too: it verifies each message's signature with it.
  const workerEnv = { ...standInEnv(neon, amplify, APP_ID), GITHUB_WEBHOOK_SECRET: SECRET };
  const environments: LambdaEnvironment[] = [];
  const pollers: SqsPoller[] = [];
  const environment = (entry: string, env: Record<string, string>) => {
    const made = lambdaEnvironment(entry, env);
    environments.push(made);
    return made;
  };
  return {
    neon,
    amplify,
    sqs,
    clock,
    queue,
    deadLetterQueue,
    client,
    receiverEnv,
    workerEnv,
    receiver: (env = {}) => environment(RECEIVER_ENTRY, { ...receiverEnv, ...env }),
    worker: (env = {}) => environment(WORKER_ENTRY, { ...workerEnv, ...env }),
    poll: async (worker, options = {}) => {
      const poller = await startSqsPoller({
        client,
        queueUrl: queue.url,
        handler: worker.handler,
        functionTimeoutSeconds: VISIBILITY_SECONDS,
        maximumConcurrency: 1,
        ...options,
      });
      pollers.push(poller);
      return poller;
    },
    secrets: () =>
      [neon.apiKey, SECRET, ...neon.state.roles.map((role) => role.password ?? '')].filter(
        (value) => value.length >= 8,
      ),
    close: async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
      await Promise.all(environments.map((made) => made.close()));
      client.destroy();
      await Promise.all([neon.close(), amplify.close(), sqs.close()]);
    },
  };
}

/** Invokes a receiver environment with a delivery; the answer and how long it took, in ms. */
export async function receive(
  receiver: LambdaEnvironment,
  delivery: SignedDelivery,
): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = performance.now();
  const result = (await receiver.invoke(functionUrlEvent(delivery))) as HttpResultV2;
  const ms = performance.now() - started;
  return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown>, ms };
}
