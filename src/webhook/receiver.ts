import type { SQSClient } from '@aws-sdk/client-sqs';
import { loadWebhookConfig, type WebhookConfig } from './config.js';
import { DeliveryMemory } from './dedupe.js';
import { createQueueClient, createSqsDispatch, SQS_DEDUPLICATION_WINDOW_MS } from './enqueue.js';
import { createHandler } from './handler.js';
import { createLambdaHandler, once, type RequestHandler } from './lambda-http.js';
import { createLogger, type JsonLogger } from './log.js';

export interface ReceiverOptions {
  config: WebhookConfig & { queueUrl: string };
  log?: JsonLogger;
  client?: SQSClient;
}

/**
 * The queued form's front half: validate and classify exactly as the server does, then one
 * SendMessage, and 202 once SQS has accepted it (503 when it did not: nothing was half done).
 * Deliveries that need no work get their 200 without touching the queue. It builds no Neon or
 * Amplify client and needs no Neon API key: the worker does the work.
 */
export function createReceiver(options: ReceiverOptions): RequestHandler {
  const { config } = options;
  const log = options.log ?? createLogger(config);
  const client = options.client ?? createQueueClient(config.queueUrl, process.env);
  return {
    handle: createHandler({
      config,
      // As long as SQS deduplicates, no longer: see SQS_DEDUPLICATION_WINDOW_MS.
      deliveries: new DeliveryMemory({ ttlMs: SQS_DEDUPLICATION_WINDOW_MS }),
      log,
      dispatch: createSqsDispatch({ queueUrl: config.queueUrl, client, secrets: config.secrets }),
    }),
  };
}

/** Settings for a receiver, QUEUE_URL required. */
export function loadReceiverConfig(env: NodeJS.ProcessEnv): WebhookConfig & { queueUrl: string } {
  return loadWebhookConfig(env, { role: 'receiver' }) as WebhookConfig & { queueUrl: string };
}

/** `dist/lambda/receiver.js` (`receiver.handler`), behind a function URL or an HTTP API. */
export const handler = createLambdaHandler(
  once(() => createReceiver({ config: loadReceiverConfig(process.env) })),
);
