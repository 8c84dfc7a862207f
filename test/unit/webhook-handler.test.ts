import { describe, expect, it } from 'vitest';
import { signedDelivery } from '../fixtures/webhook-deliveries.js';
import { harness, push, request, SECRET, send, unsigned } from './webhook-app-harness.js';

describe('rejections, in their fixed order', () => {
  it('refuses a wrong path with 404 before anything else', async () => {
    const { app } = harness();
    const d = await push('feature/a', 'wrong-secret');
    const r = await send(app, request(d, { method: 'PUT', path: '/hooks', headers: {} }));
    expect(r).toEqual({ status: 404, body: { error: expect.stringContaining('POST /webhook') } });
  });

  it('refuses a wrong method with 405 and says which one is allowed', async () => {
    const { app } = harness();
    const d = await push('feature/a', 'wrong-secret');
    const response = await app.handle(request(d, { method: 'GET', headers: {} }));
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expect(JSON.parse(response.body)).toEqual({ error: 'Method not allowed: use POST' });
  });

  it('refuses a body that is not JSON by content type with 415', async () => {
    const { app } = harness();
    const d = await push('feature/a');
    const headers = { ...d.headers, 'content-type': 'application/x-www-form-urlencoded' };
    expect((await send(app, request(d, { headers }))).status).toBe(415);
  });

  it.each([
    ['x-github-event', 'Missing header X-GitHub-Event'],
    ['x-github-delivery', 'Missing header X-GitHub-Delivery'],
  ])('refuses a delivery without %s with 400, before looking at the signature', async (name, error) => {
    const { app } = harness();
    const d = await unsigned('feature/a');
    const headers = { ...d.headers };
    delete headers[name];
    expect(await send(app, request(d, { headers }))).toEqual({ status: 400, body: { error } });
  });

  it.each([
    ['x-github-event', 'Push-Event', 'Invalid header X-GitHub-Event: expected an event name such as push'],
    [
      'x-github-delivery',
      'x'.repeat(129),
      'Invalid header X-GitHub-Delivery: expected a delivery id (a GUID)',
    ],
  ])('refuses a malformed %s with 400 and keeps its value out of the log', async (name, value, error) => {
    const h = harness();
    const d = await push('feature/a');
    const r = await send(h.app, request(d, { headers: { ...d.headers, [name]: value } }));
    expect(r).toEqual({ status: 400, body: { error } });
    expect(h.raw.join('')).not.toContain(value.slice(0, 20));
  });

  it('refuses a missing signature with 401 before reading the body', async () => {
    const { app } = harness();
    const d = await unsigned('feature/a');
    let read = false;
    const r = await send(
      app,
      request(d, {
        body: async () => {
          read = true;
          return d.body;
        },
      }),
    );
    expect(r).toEqual({ status: 401, body: { error: 'Missing header X-Hub-Signature-256' } });
    expect(read).toBe(false);
  });

  it('refuses a malformed signature header with 401', async () => {
    const { app } = harness();
    const d = await push('feature/a');
    for (const signature of ['sha1=abc', d.headers['x-hub-signature-256']?.toUpperCase() ?? '', 'sha256=']) {
      const headers = { ...d.headers, 'x-hub-signature-256': signature };
      expect((await send(app, request(d, { headers }))).status).toBe(401);
    }
  });

  it('refuses a body announced over MAX_BODY_BYTES with 413 without reading it', async () => {
    const { app } = harness({ env: { MAX_BODY_BYTES: '1000' } });
    const d = await push('feature/a', 'forged-secret');
    let read = false;
    const headers = { ...d.headers, 'content-length': '1001' };
    const r = await send(
      app,
      request(d, {
        headers,
        body: async () => {
          read = true;
          return d.body;
        },
      }),
    );
    expect(r).toEqual({ status: 413, body: { error: 'Body over 1000 bytes (MAX_BODY_BYTES)' } });
    expect(read).toBe(false);
  });

  it('refuses a body found over the limit while reading with 413, before checking the signature', async () => {
    const { app, runs } = harness({ env: { MAX_BODY_BYTES: '1000' } });
    const d = await push('feature/a', 'forged-secret');
    expect(d.body.length).toBeGreaterThan(1000);
    let limit = -1;
    const r = await send(
      app,
      request(d, {
        body: async (given) => {
          limit = given;
          return undefined;
        },
      }),
    );
    expect(r.status).toBe(413);
    expect(limit).toBe(1000);
    // A Buffer body (Lambda) over the limit gets the same answer.
    expect((await send(app, request(d))).status).toBe(413);
    expect(runs).toHaveLength(0);
  });

  it('refuses a forged signature, and a stale secret, with 401', async () => {
    const { app, runs } = harness();
    expect((await send(app, request(await push('feature/a', 'forged-secret')))).status).toBe(401);
    expect((await send(app, request(await push('feature/a', 'rotated-out-secret')))).status).toBe(401);
    // Valid signature, body changed by one byte after signing.
    const d = await push('feature/a');
    const tampered = Buffer.from(d.body);
    tampered[tampered.indexOf('feature/a')] = 'g'.charCodeAt(0);
    expect((await send(app, request(d, { body: tampered }))).status).toBe(401);
    expect(runs).toHaveLength(0);
  });

  it('refuses malformed JSON with 400 only once the signature is right', async () => {
    const { app } = harness();
    const good = await signedDelivery({ event: 'push', payload: {}, secret: SECRET });
    const text = '{"ref": "refs/heads/x",';
    const { sign } = await import('@octokit/webhooks-methods');
    const headers = { ...good.headers, 'x-hub-signature-256': await sign(SECRET, text) };
    const r = await send(app, request(good, { headers, body: Buffer.from(text) }));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^Malformed JSON body/);
    const forged = { ...good.headers, 'x-hub-signature-256': await sign('forged', text) };
    expect((await send(app, request(good, { headers: forged, body: Buffer.from(text) }))).status).toBe(401);
  });

  it('logs each rejection as a line with its status, never the secret', async () => {
    const h = harness();
    await send(h.app, request(await push('feature/a', 'forged-secret')));
    expect(h.lines).toEqual([
      expect.objectContaining({
        level: 'warning',
        status: 401,
        outcome: 'rejected',
        step: 'receive',
        event: 'push',
      }),
    ]);
    expect(h.raw.join('')).not.toContain(SECRET);
  });
});
