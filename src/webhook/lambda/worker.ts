import { loadWebhookConfig } from '../config/config.js';
import { createWorker, type WorkerEvent } from '../sqs/worker.js';
import { once } from './http.js';

const worker = once(() => createWorker({ config: loadWebhookConfig(process.env, { role: 'worker' }) }));

/**
 * `worker.handler`. A configuration error throws: the whole batch comes back, and after
 * maxReceiveCount waits in the dead-letter queue until the settings are fixed and it is redriven.
 */
export const handler = async (event: WorkerEvent) => worker().handle(event);
