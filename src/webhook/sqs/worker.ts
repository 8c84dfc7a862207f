import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { WebhookConfig } from '../config/config.js';
import { createLogger, type JsonLogger } from '../config/log.js';
import { DeliveryMemory } from '../run/dedupe.js';
import { workDefaults } from '../run/defaults.js';
import type { RunPlan, WorkOptions } from '../run/job.js';
import { type ReconcileSummary, reconcileAll } from '../run/reconcile-all.js';
import { processBatch } from './batch.js';

/**
 * What invokes the worker: the SQS event source mapping with a batch, or EventBridge on its
 * schedule (`detail-type: Scheduled Event`). `{"command": "reconcile"}` runs the same reconcile by
 * hand (`aws lambda invoke`).
 */
export type WorkerEvent =
  | SQSEvent
  | { 'detail-type': 'Scheduled Event'; source: string }
  | { command: 'reconcile' };

export interface WorkerOptions {
  config: WebhookConfig;
  log?: JsonLogger;
  run?: RunPlan;
  confirm?: WorkOptions['confirm'];
}

export interface Worker {
  handle(event: WorkerEvent): Promise<SQSBatchResponse | ReconcileSummary>;
}

/**
 * The queued form's back half (`dist/lambda/worker.js`): each SQS batch's deliveries worked on in
 * their groups' order, the failed ones listed in `batchItemFailures` for SQS to give back (and to
 * move to the dead-letter queue after maxReceiveCount); on the schedule, reconcile for every
 * configured repository. Settings come from the worker's own environment and CONFIG_FILE.
 */
export function createWorker(options: WorkerOptions): Worker {
  const { config } = options;
  const log = options.log ?? createLogger(config);
  // The server's own run, publishing on GitHub included: a batch's groups run side by side, and
  // with one API key they hold Neon's limit together.
  const shared = workDefaults({ config, log, run: options.run, confirm: options.confirm });
  // Per instance, like Lambda's: a message this instance already did is not done again.
  const deliveries = new DeliveryMemory();
  return {
    handle: async (event) => {
      if ('Records' in event && Array.isArray(event.Records)) {
        return processBatch(event, { ...shared, config, deliveries });
      }
      if (isReconcile(event)) return reconcileAll({ ...shared, config });
      throw new Error(
        'Unknown event: the worker takes SQS batches (Records) and EventBridge scheduled events',
      );
    },
  };
}

function isReconcile(event: WorkerEvent): boolean {
  const fields = event as Record<string, unknown>;
  return fields['detail-type'] === 'Scheduled Event' || fields.command === 'reconcile';
}
