import type { SQSClient } from '@aws-sdk/client-sqs';
import type { WebhookConfig } from './config.js';
import { DeliveryMemory } from './dedupe.js';
import { workIdOf } from './delivery/classified.js';
import { createQueueClient, createSqsDispatch, SQS_DEDUPLICATION_WINDOW_MS } from './enqueue.js';
import {
  createHandler,
  type Delivery,
  type Dispatched,
  type WebhookRequest,
  type WebhookResponse,
} from './handler.js';
import { createLogger, type JsonLogger } from './log.js';
import { KeyedQueue } from './queue.js';
import { failedInternally, type RunPlan, sharedWork, type WorkOptions, work } from './work.js';

export interface WebhookAppOptions {
  config: WebhookConfig;
  /**
   * `queue` (the server): answer 202 once a delivery is queued, then work, so GitHub's 10-second
   * limit is never at risk. `inline` (Lambda): work, then answer, because a Lambda is frozen as soon
   * as it has answered and queued work would never run.
   */
  mode: 'queue' | 'inline';
  log?: JsonLogger;
  run?: RunPlan;
  confirm?: WorkOptions['confirm'];
  deliveries?: DeliveryMemory;
  /** With QUEUE_URL: the SQS client to send with; default one made from the environment. */
  queueClient?: SQSClient;
}

export interface WebhookApp {
  handle(request: WebhookRequest): Promise<WebhookResponse>;
  /** Stops taking deliveries (503), and /healthz answers 503 so a load balancer moves on. */
  stop(): void;
  /** Resolves true once queued and running work has finished, false if `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Ids of the deliveries queued or running. */
  unfinished(): string[];
  readonly queue: KeyedQueue;
  readonly deliveries: DeliveryMemory;
  readonly log: JsonLogger;
}

/**
 * The handler, the per-branch queue, the seen-delivery set and the logger, wired together. With
 * QUEUE_URL the app is a receiver instead: deliveries go to the SQS queue and a worker does them.
 */
export function createWebhookApp(options: WebhookAppOptions): WebhookApp {
  const { config } = options;
  const log = options.log ?? createLogger(config);
  const queued = config.queueUrl;
  const deliveries =
    options.deliveries ??
    new DeliveryMemory(queued === undefined ? {} : { ttlMs: SQS_DEDUPLICATION_WINDOW_MS });
  const queue = new KeyedQueue({ concurrency: config.concurrency, capacity: config.queueCapacity });
  const unfinished = new Map<string, string>();
  let stopping = false;
  const dispatch =
    queued === undefined
      ? localDispatch({ ...options, log, deliveries, queue, unfinished })
      : createSqsDispatch({
          queueUrl: queued,
          client: options.queueClient ?? createQueueClient(queued, process.env),
          secrets: config.secrets,
        });

  const handle = createHandler({ config, deliveries, log, dispatch, draining: () => stopping });
  return {
    handle,
    stop: () => {
      stopping = true;
    },
    drain: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        return await Promise.race([queue.idle().then(() => true as const), timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
    unfinished: () => [...new Set(unfinished.values())],
    queue,
    deliveries,
    log,
  };
}

interface LocalDispatch extends WebhookAppOptions {
  log: JsonLogger;
  deliveries: DeliveryMemory;
  queue: KeyedQueue;
  /** The delivery id of each piece queued or running (by its work id), for the drain's last line. */
  unfinished: Map<string, string>;
}

/** Work in this process: queued per branch (the server), or run before the answer (Lambda). */
function localDispatch(options: LocalDispatch): (delivery: Delivery) => Promise<Dispatched> {
  const { config, log, deliveries, queue, unfinished } = options;
  const shared = sharedWork({ config, log, run: options.run, confirm: options.confirm });
  return async (delivery) => {
    // One lane per Neon project, Amplify app and git branch: the resources a delivery changes.
    const key = [
      delivery.settings.neonProjectId,
      delivery.settings.amplifyAppId,
      delivery.plan.gitBranch,
    ].join('\0');
    const workId = workIdOf(delivery);
    unfinished.set(workId, delivery.id);
    const task = queue.push(key, async () => {
      try {
        // Let the answer go out first: building the clients is work GitHub need not wait for.
        if (options.mode === 'queue') await new Promise((resolve) => setImmediate(resolve));
        return await work(delivery, { ...shared, deliveries });
      } finally {
        unfinished.delete(workId);
      }
    });
    if (task === undefined) {
      unfinished.delete(workId);
      return {
        kind: 'refused',
        reason: `Queue full (${config.queueCapacity} deliveries, MAX_QUEUED): redeliver it later`,
      };
    }
    if (options.mode === 'queue') {
      // Nobody awaits a queued task: a rejection would be unhandled and end the process with every
      // accepted delivery in it. work() never rejects; this holds even if that ever changes.
      task.catch((error: unknown) => failedInternally(delivery, error, { log, deliveries }));
      return { kind: 'queued' };
    }
    const outcome = await task;
    return outcome.ok
      ? { kind: 'done', outputs: outcome.outputs }
      : { kind: 'failed', message: outcome.message };
  };
}
