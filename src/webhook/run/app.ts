import type { SQSClient } from '@aws-sdk/client-sqs';
import type { WebhookConfig } from '../config/config.js';
import { createLogger, type JsonLogger } from '../config/log.js';
import { createHandler } from '../delivery/handler.js';
import {
  type Delivery,
  type Dispatched,
  type WebhookRequest,
  type WebhookResponse,
  workIdOf,
} from '../delivery/types.js';
import { createReceiver } from '../sqs/receiver.js';
import { DeliveryMemory } from './dedupe.js';
import { workDefaults } from './defaults.js';
import { failedInternally, type RunPlan, type WorkOptions, work } from './job.js';
import { Lanes } from './lanes.js';

export interface WebhookAppOptions {
  config: WebhookConfig;
  /**
   * `lanes` (the server): answer 202 once a delivery is in its lane, then work, so GitHub's
   * 10-second limit is never at risk. `inline` (Lambda): work, then answer, because a Lambda is
   * frozen as soon as it has answered and work left waiting would never run.
   */
  mode: 'lanes' | 'inline';
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
  /** Resolves true once waiting and running work has finished, false if `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>;
  /** Ids of the deliveries waiting or running. */
  unfinished(): string[];
  readonly lanes: Lanes;
  readonly deliveries: DeliveryMemory;
  readonly log: JsonLogger;
}

/**
 * The handler, the per-branch lanes, the seen-delivery set and the logger, wired together. With
 * QUEUE_URL the app is the receiver instead (src/webhook/sqs/receiver.ts): deliveries go to the SQS
 * queue and a worker does them.
 */
export function createWebhookApp(options: WebhookAppOptions): WebhookApp {
  const { config } = options;
  const log = options.log ?? createLogger(config);
  const queueUrl = config.queueUrl;
  const lanes = new Lanes({ concurrency: config.concurrency, capacity: config.laneCapacity });
  const unfinished = new Map<string, string>();
  let stopping = false;
  const draining = () => stopping;
  let handle: WebhookApp['handle'];
  let deliveries: DeliveryMemory;
  if (queueUrl === undefined) {
    deliveries = options.deliveries ?? new DeliveryMemory();
    const dispatch = laneDispatch({ ...options, log, deliveries, lanes, unfinished });
    handle = createHandler({ config, deliveries, log, dispatch, draining });
  } else {
    const { queueClient: client, deliveries: given } = options;
    const receiver = createReceiver({
      config: { ...config, queueUrl },
      log,
      client,
      deliveries: given,
      draining,
    });
    handle = receiver.handle;
    deliveries = receiver.deliveries;
  }
  return {
    handle,
    stop: () => {
      stopping = true;
    },
    drain: (timeoutMs) => idleWithin(lanes, timeoutMs),
    unfinished: () => [...new Set(unfinished.values())],
    lanes,
    deliveries,
    log,
  };
}

async function idleWithin(lanes: Lanes, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([lanes.idle().then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

interface LaneDispatch extends WebhookAppOptions {
  log: JsonLogger;
  deliveries: DeliveryMemory;
  lanes: Lanes;
  /** The delivery id of each piece queued or running (by its work id), for the drain's last line. */
  unfinished: Map<string, string>;
}

/** Work in this process: in its branch's lane (the server), or run before the answer (Lambda). */
function laneDispatch(options: LaneDispatch): (delivery: Delivery) => Promise<Dispatched> {
  const { config, log, deliveries, lanes, unfinished } = options;
  const shared = workDefaults({ config, log, run: options.run, confirm: options.confirm });
  return async (delivery) => {
    // One lane per Neon project, Amplify app and git branch: the resources a delivery changes.
    const key = [
      delivery.settings.neonProjectId,
      delivery.settings.amplifyAppId,
      delivery.plan.gitBranch,
    ].join('\0');
    const workId = workIdOf(delivery);
    unfinished.set(workId, delivery.id);
    const task = lanes.push(key, async () => {
      try {
        // Let the answer go out first: building the clients is work GitHub need not wait for.
        if (options.mode === 'lanes') await new Promise((resolve) => setImmediate(resolve));
        return await work(delivery, { ...shared, deliveries });
      } finally {
        unfinished.delete(workId);
      }
    });
    if (task === undefined) {
      unfinished.delete(workId);
      return {
        kind: 'refused',
        reason: `Queue full (${config.laneCapacity} deliveries, MAX_QUEUED): redeliver it later`,
      };
    }
    if (options.mode === 'lanes') {
      // Nobody awaits a task in a lane: a rejection would be unhandled and end the process with every
      // accepted delivery in it. work() never rejects; this holds even if that ever changes.
      task.catch((error: unknown) => failedInternally(delivery, error, { log, deliveries }));
      return { kind: 'accepted' };
    }
    const outcome = await task;
    return outcome.ok
      ? { kind: 'done', outputs: outcome.outputs }
      : { kind: 'failed', message: outcome.message };
  };
}
