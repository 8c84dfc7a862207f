import type { AddressInfo } from 'node:net';
import { messageOf } from '../../core/errors.js';
import { Redactor } from '../../core/redact.js';
import { loadWebhookConfig } from '../config/config.js';
import { createLogger, JsonLogger } from '../config/log.js';
import { createWebhookApp, type WebhookApp } from '../run/app.js';
import { createWebhookServer } from './server.js';

/**
 * `node dist/webhook/index.js`: settings from the environment (and CONFIG_FILE), checked before
 * the port opens; a bad one ends the process with exit code 1 and a line naming it. SIGTERM (or
 * SIGINT) stops taking deliveries (503, /healthz 503) and waits up to DRAIN_TIMEOUT_SECONDS for
 * queued work, still answering; only then does it close the port and exit.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: ReturnType<typeof loadWebhookConfig>;
  let app: WebhookApp;
  try {
    config = loadWebhookConfig(env);
    // With QUEUE_URL, making the SQS client checks that a region is known.
    app = createWebhookApp({ config, mode: 'lanes', log: createLogger(config) });
  } catch (error) {
    // No secret is known yet to mask, and none is ever quoted by the config errors.
    new JsonLogger({ redactor: new Redactor() }).error(`Invalid configuration: ${messageOf(error)}`, {
      step: 'start',
      outcome: 'failed',
    });
    process.exitCode = 1;
    return;
  }

  const log = app.log;
  const server = createWebhookServer(app);
  server.on('error', (error) => {
    log.error(`Server error: ${messageOf(error)}`, { step: 'start', outcome: 'failed' });
    process.exit(1);
  });
  server.listen(config.port, () => {
    const { port } = server.address() as AddressInfo;
    log.info(`Listening on port ${port}`, {
      step: 'start',
      port,
      configFile: config.configFile,
      concurrency: config.concurrency,
      queueUrl: config.queueUrl,
    });
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.stop();
    log.info(`${signal}: taking no new deliveries; waiting for ${app.lanes.size} queued`, {
      step: 'stop',
      queued: app.lanes.size,
    });
    // The port stays open during the drain: a load balancer learns from /healthz's 503 (and a
    // delivery from its 503) that this instance is going; a refused connection tells it nothing.
    const drained = await app.drain(config.drainTimeoutMs);
    if (drained) log.info('Stopped: all queued work finished', { step: 'stop', outcome: 'drained' });
    else {
      log.error(
        `Stopped with ${app.lanes.size} deliveries unfinished after ${config.drainTimeoutMs / 1000} s (DRAIN_TIMEOUT_SECONDS); redeliver them from GitHub`,
        { step: 'stop', outcome: 'timeout', unfinished: app.unfinished() },
      );
    }
    server.close();
    server.closeAllConnections();
    process.exit(drained ? 0 : 1);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
