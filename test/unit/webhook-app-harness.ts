/** The webhook app with a fake core, for the handler's unit tests (webhook-handler*.test.ts). */
import type { Plan } from '../../src/core/plan.js';
import { Redactor } from '../../src/core/redact.js';
import type { Result } from '../../src/core/result.js';
import type { RunOptions } from '../../src/runner.js';
import { loadWebhookConfig } from '../../src/webhook/config/config.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import type { WebhookRequest } from '../../src/webhook/delivery/types.js';
import { createWebhookApp, type WebhookApp } from '../../src/webhook/run/app.js';
import { pushTo } from '../fixtures/payloads.js';
import { type SignedDelivery, signedDelivery } from '../fixtures/webhook-deliveries.js';

export const SECRET = 'new-webhook-secret';
export const OLD_SECRET = 'old-webhook-secret';
export const API_KEY = 'napi_unit0123456789abcdef';

export const ENV = {
  GITHUB_WEBHOOK_SECRET: `${SECRET},${OLD_SECRET}`,
  NEON_API_KEY: API_KEY,
  NEON_PROJECT_ID: 'calm-sun-123456',
  AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
  AWS_REGION: 'us-east-1',
};

export interface Harness {
  app: WebhookApp;
  runs: { plan: Plan; options: RunOptions }[];
  lines: Record<string, unknown>[];
  raw: string[];
  /** Lets the fake core finish: every run waits for this unless `immediate`. */
  release: () => void;
}

export function harness(
  options: {
    env?: Record<string, string>;
    run?: (plan: Plan, options: RunOptions) => Promise<Result>;
    mode?: 'lanes' | 'inline';
    /** A line for which writing the log throws (as JSON.stringify or a broken stdout can). */
    failWrite?: (line: string) => boolean;
  } = {},
): Harness {
  const config = loadWebhookConfig({ ...ENV, ...options.env });
  const raw: string[] = [];
  const redactor = new Redactor();
  for (const secret of config.secretValues) redactor.add(secret);
  const log = new JsonLogger({
    redactor,
    write: (line) => {
      if (options.failWrite?.(line)) throw new RangeError('Invalid string length');
      raw.push(line);
    },
  });
  const runs: Harness['runs'] = [];
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const run =
    options.run ??
    (async (plan: Plan, runOptions: RunOptions) => {
      runs.push({ plan, options: runOptions });
      await gate;
      return { kind: 'none', reason: 'test' };
    });
  const app = createWebhookApp({
    config,
    mode: options.mode ?? 'lanes',
    log,
    run: async (plan, runOptions) => {
      if (options.run !== undefined) runs.push({ plan, options: runOptions });
      return run(plan, runOptions);
    },
  });
  return {
    app,
    runs,
    raw,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    release: open,
  };
}

export function request(delivery: SignedDelivery, change: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    method: 'POST',
    path: '/webhook',
    headers: { ...delivery.headers },
    body: delivery.body,
    ...change,
  };
}

export async function send(app: WebhookApp, req: WebhookRequest) {
  const response = await app.handle(req);
  return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
}

export const push = (branch: string, secret = SECRET) =>
  signedDelivery({ event: 'push', payload: pushTo(branch), secret });
export const unsigned = (branch: string) =>
  signedDelivery({ event: 'push', payload: pushTo(branch), secret: undefined });
