import { once } from 'node:events';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { retryAfterSeconds, type TokenBucket } from './token-bucket.js';

/**
 * A small HTTP proxy in front of a stand-in: every request waits `latencyMs` before it is passed
 * on (the round trip to a real service, which the stand-ins on loopback do not have), a token
 * bucket can refuse it with 429 the way Neon's rate limit does, and every exchange is logged with
 * its times. Requests go on byte for byte, the Host header included, so SigV4 signatures made
 * for the proxy's address still verify at the Amplify stand-in.
 */

export type Service = 'neon' | 'amplify';

export interface Exchange {
  service: Service;
  method: string;
  /** As the client sent it, query included. */
  url: string;
  /** 0 until answered, and when the exchange failed. */
  status: number;
  /** performance.now() when the request reached the proxy. */
  arrivedAt: number;
  /** performance.now() when the last byte of the answer had been handed to the socket. */
  answeredAt: number;
  /** Refused by the rate limit: the stand-in never saw it. */
  limited: boolean;
}

export interface ProxyOptions {
  service: Service;
  /** `http://127.0.0.1:<port>` of the stand-in. */
  upstream: string;
  log: Exchange[];
}

export interface LatencyProxy {
  /** `http://127.0.0.1:<port>`: the stand-in's paths go after it unchanged. */
  url: string;
  latencyMs: number;
  /** Set to limit the rate; undefined lets everything through. */
  bucket: TokenBucket | undefined;
  close(): Promise<void>;
}

export async function startProxy(options: ProxyOptions): Promise<LatencyProxy> {
  const upstream = new URL(options.upstream);
  // Keep-alive to the stand-in, so the proxy adds its injected latency and not a connection set-up.
  const agent = new Agent({ keepAlive: true });
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const proxy: LatencyProxy = {
    url: '',
    latencyMs: 0,
    bucket: undefined,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const exchange: Exchange = {
      service: options.service,
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      status: 0,
      arrivedAt: performance.now(),
      answeredAt: 0,
      limited: false,
    };
    options.log.push(exchange);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    response.once('finish', () => {
      exchange.answeredAt = performance.now();
    });
    // The bucket is asked on arrival, as a service's front door would; the refusal then takes the
    // same round trip as an answer.
    const admission = proxy.bucket?.take();
    await sleep(proxy.latencyMs);
    if (admission !== undefined && !admission.admitted) {
      exchange.limited = true;
      exchange.status = 429;
      // Neon's 429 per its OpenAPI file: a GeneralError body. Its docs promise no Retry-After; the
      // issue's set-up sends one, in whole seconds, which is all the header's number form allows.
      const text = JSON.stringify({ code: '', message: 'rate limit exceeded' });
      response.writeHead(429, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(text)),
        'retry-after': String(retryAfterSeconds(admission.retryAfterMs)),
      });
      response.end(text);
      return;
    }
    await new Promise<void>((resolve) => {
      const forwarded = httpRequest(
        {
          protocol: upstream.protocol,
          hostname: upstream.hostname,
          port: upstream.port,
          method: exchange.method,
          path: exchange.url,
          headers: request.headers,
          agent,
        },
        (answer) => {
          exchange.status = answer.statusCode ?? 0;
          response.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
          answer.pipe(response);
          answer.once('end', resolve);
          answer.once('error', resolve);
        },
      );
      forwarded.once('error', (error) => {
        exchange.status = 0;
        if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`bench proxy: ${error.message}`);
        resolve();
      });
      forwarded.end(body);
    });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`bench proxy failed: ${String(error)}`);
    });
  });
  // Many short-lived clients (the CLIs) open connections in bursts; the default backlog is ample,
  // but idle keep-alive sockets must not hold the process open at close.
  server.keepAliveTimeout = 5_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** `GetBranch`, `StartJob`, ...: the Amplify operation of a restJson1 request, for the trace. */
export function amplifyOperation(method: string, url: string): string {
  const path = url.split('?')[0] ?? '';
  const parts = path.split('/').filter((part) => part !== '');
  // apps/{app}[/branches[/{branch}[/jobs[/{job}[/stop]]]]]
  const depth = parts.length;
  if (depth === 2) return 'GetApp';
  if (depth === 3) return method === 'POST' ? 'CreateBranch' : 'ListBranches';
  if (depth === 4) return { GET: 'GetBranch', POST: 'UpdateBranch', DELETE: 'DeleteBranch' }[method] ?? '?';
  if (depth === 5) return method === 'POST' ? 'StartJob' : 'ListJobs';
  if (depth === 6) return 'GetJob';
  if (depth === 7) return 'StopJob';
  return '?';
}

/** One line of a request trace, times relative to `origin` (the spawn of the process). */
export function traceLine(exchange: Exchange, origin: number): string {
  const at = (time: number) => `${Math.round(time - origin)}`.padStart(6);
  const what =
    exchange.service === 'amplify'
      ? `${exchange.method} ${decodeURIComponent(exchange.url)} (${amplifyOperation(exchange.method, exchange.url)})`
      : `${exchange.method} ${decodeURIComponent(exchange.url)}`;
  return `${at(exchange.arrivedAt)} ms → ${at(exchange.answeredAt)} ms  ${exchange.service.padEnd(7)} ${exchange.status} ${exchange.limited ? '(rate limit) ' : ''}${what}`;
}
