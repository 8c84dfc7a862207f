import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redact.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import type { WebhookResponse } from '../../src/webhook/delivery/types.js';
import type { WebhookApp } from '../../src/webhook/run/app.js';
import { createWebhookServer } from '../../src/webhook/server/server.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** The node:http server around an app whose answers the test chooses. */
async function serve(answer: (path: string) => WebhookResponse) {
  const lines: string[] = [];
  const app = {
    handle: async (request: { path: string }) => answer(request.path),
    log: new JsonLogger({ redactor: new Redactor(), write: (line) => lines.push(line) }),
  } as unknown as WebhookApp;
  const server = createWebhookServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lines };
}

describe('createWebhookServer', () => {
  it('an answer that cannot be written is a 500 for that request, not an unhandled rejection', async () => {
    const { url, lines } = await serve(
      (path): WebhookResponse =>
        path === '/bad'
          ? { status: 200, headers: { 'x-note': 'line\nbreak' }, body: '{}' }
          : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' },
    );
    const bad = await fetch(`${url}/bad`);
    expect(bad.status).toBe(500);
    expect(lines.join('')).toContain('Internal error');
    const next = await fetch(`${url}/healthz`);
    expect(await next.json()).toEqual({ status: 'ok' });
  });
});
