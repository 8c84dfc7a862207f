import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { messageOf } from '../../core/errors.js';
import type { WebhookResponse } from '../delivery/types.js';
import type { WebhookApp } from '../run/app.js';

/** How long a connection whose body was refused unread stays open for the client to read the answer. */
const LINGER_MS = 1_000;

/** node:http around the framework-agnostic handler. */
export function createWebhookServer(app: WebhookApp): Server {
  const server = createServer((req, res) => {
    // node:http does not await its listener: a rejection would be unhandled and end the process
    // with every queued delivery in it. A request that fails is that request's 500.
    answer(app, req, res).catch((error: unknown) => {
      try {
        app.log.error(`Internal error: ${messageOf(error)}`, { step: 'receive', status: 500 });
      } catch {
        // The log itself failed: the 500 below still goes out.
      }
      try {
        if (res.headersSent) throw new Error('The answer was already under way');
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(INTERNAL_ERROR);
      } catch {
        res.destroy();
      }
    });
  });
  // Slow or stalled clients must not hold sockets: GitHub sends a delivery in well under this.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

const INTERNAL_ERROR = '{"error":"Internal error"}';

async function answer(app: WebhookApp, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let response: WebhookResponse;
  try {
    response = await app.handle({
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: (limit) => readBody(req, limit),
    });
  } catch (error) {
    if (req.destroyed) return; // The client went away mid-body: nobody to answer.
    app.log.error(`Internal error: ${messageOf(error)}`, { step: 'receive', status: 500 });
    response = {
      status: 500,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: INTERNAL_ERROR,
    };
  }
  const headers: Record<string, string | number> = {
    ...response.headers,
    'content-length': Buffer.byteLength(response.body),
  };
  res.writeHead(response.status, headers);
  res.end(req.method === 'HEAD' ? undefined : response.body);
  if (!req.complete) res.once('finish', () => linger(req));
}

/**
 * After a refusal that left the body unread (413, and the refusals that come before the body is
 * read), nothing more of it is read: the request stays paused, so the client's sending stalls
 * once the socket buffers are full. The connection is cut a moment later rather than at once,
 * because cutting it while the client is still sending makes the kernel reset it, and a reset can
 * destroy the answer before the client has read it.
 */
function linger(req: IncomingMessage): void {
  if (req.complete || req.destroyed) return;
  req.pause();
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  timer.unref();
  req.once('close', () => clearTimeout(timer));
}

/** The body, or undefined as soon as more than `limit` bytes have come; then reading stops. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        done();
        req.pause();
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onClose = () => {
      done();
      reject(new Error('The client closed the connection before the body ended'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
