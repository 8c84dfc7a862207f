import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadWebhookConfig, type WebhookConfig } from '../config/config.js';
import { createLogger, type JsonLogger } from '../config/log.js';
import { createHandler } from '../delivery/handler.js';
import type { RequestHandler } from '../delivery/types.js';
import { DeliveryMemory } from '../run/dedupe.js';
import { createQueueClient, createSqsDispatch, SQS_DEDUPLICATION_WINDOW_MS } from './send.js';

export interface ReceiverOptions {
  config: WebhookConfig & { queueUrl: string };
  log?: JsonLogger;
  client?: SQSClient | undefined;
  deliveries?: DeliveryMemory | undefined;
  /** True once the process is stopping (the server's SIGTERM): no new deliveries. */
  draining?: () => boolean;
}

export interface Receiver extends RequestHandler {
  readonly deliveries: DeliveryMemory;
}

/**
 * The queued form's front half, and the one way a receiver is built: `dist/lambda/receiver.js`,
 * and the server or the single Lambda whenever QUEUE_URL is set (src/webhook/run/app.ts). It
 * validates and classifies exactly as the server does, then one SendMessage per piece of work, and
 * 202 once SQS has accepted them (503 when it did not). Deliveries that need no work get their 200
 * without touching the queue. It builds no Neon or Amplify client and needs no Neon API key: the
 * worker does the work.
 */
export function createReceiver(options: ReceiverOptions): Receiver {
  const { config } = options;
  const log = options.log ?? createLogger(config);
  const given = options.client;
  const client = given ? async () => given : createQueueClient(config.queueUrl, process.env);
  // As long as SQS deduplicates, no longer: see SQS_DEDUPLICATION_WINDOW_MS.
  const deliveries = options.deliveries ?? new DeliveryMemory({ ttlMs: SQS_DEDUPLICATION_WINDOW_MS });
  const dispatch = createSqsDispatch({ queueUrl: config.queueUrl, client, secrets: config.secrets });
  const draining = options.draining ?? (() => false);
  return { handle: createHandler({ config, deliveries, log, dispatch, draining }), deliveries };
}

/** Settings for a receiver, QUEUE_URL required. */
export function loadReceiverConfig(env: NodeJS.ProcessEnv): WebhookConfig & { queueUrl: string } {
  return loadWebhookConfig(env, { role: 'receiver' }) as WebhookConfig & { queueUrl: string };
}
