import { isUtf8 } from 'node:buffer';
import { messageOf } from '../core/errors.js';
import type { WebhookConfig } from './config.js';
import { isWellFormedSignature, verifySignature } from './verify.js';

/** Reads the body, stopping as soon as it passes `limit` bytes (undefined then). */
export type BodyReader = (limit: number) => Promise<Buffer | undefined>;

/** The little a request needs to be handled; the Node server and the Lambda adapter each build one. */
export interface WebhookRequest {
  method: string;
  /** The path; a query string after it is ignored. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, or a reader for it, so that an oversize body is never read whole. */
  body: Buffer | BodyReader;
}

/** A delivery whose signature matched and whose body is a JSON object. */
export interface Verified {
  ok: true;
  delivery: string;
  event: string;
  payload: object;
}

/** Why a request was refused; `delivery` and `event` only when they have GitHub's shape, for the log. */
export interface Rejection {
  ok: false;
  status: number;
  error: string;
  headers?: Record<string, string>;
  delivery?: string | undefined;
  event?: string | undefined;
}

export const WEBHOOK_PATH = '/webhook';
/** GitHub's event names: `push`, `pull_request`, `delete`, ... */
const EVENT_NAME = /^[a-z_]{1,64}$/;
/** GitHub's delivery ids are GUIDs; anything far longer is not one, and would bloat the seen set. */
const DELIVERY_ID = /^[\x21-\x7e]{1,128}$/;

type Config = Pick<WebhookConfig, 'secrets' | 'maxBodyBytes'>;

/**
 * Checks a request in a fixed order: path 404, method 405, content type 415, missing or malformed
 * GitHub headers 400, missing or malformed signature 401, body over the limit 413 (announced by
 * Content-Length, or found while reading, which then stops), signature mismatch 401, malformed JSON
 * 400. The signature is checked over the raw bytes before anything is parsed.
 */
export async function validate(
  request: WebhookRequest,
  path: string,
  config: Config,
): Promise<Verified | Rejection> {
  const header = (name: string): string | undefined => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const delivery = header('x-github-delivery');
  const event = header('x-github-event');
  // Unverified header values reach the log only in the shape GitHub gives them.
  const logged = {
    delivery: delivery !== undefined && DELIVERY_ID.test(delivery) ? delivery : undefined,
    event: event !== undefined && EVENT_NAME.test(event) ? event : undefined,
  };
  const refusal = headerRefusal({ request, path, header, delivery, event, logged });
  if (refusal !== undefined) return { ok: false, ...logged, ...refusal };
  const signature = header('x-hub-signature-256') ?? '';

  const tooLarge = `Body over ${config.maxBodyBytes} bytes (MAX_BODY_BYTES)`;
  const declared = Number(header('content-length'));
  if (Number.isFinite(declared) && declared > config.maxBodyBytes)
    return { ok: false, ...logged, status: 413, error: tooLarge };
  const body = typeof request.body === 'function' ? await request.body(config.maxBodyBytes) : request.body;
  if (body === undefined || body.length > config.maxBodyBytes)
    return { ok: false, ...logged, status: 413, error: tooLarge };

  if (!(await verifySignature(config.secrets, body, signature))) {
    const error =
      'Signature mismatch: X-Hub-Signature-256 is not the HMAC of the body under the webhook secret';
    return { ok: false, ...logged, status: 401, error };
  }
  const payload = parseObject(body);
  if (typeof payload === 'string')
    return { ok: false, ...logged, status: 400, error: `Malformed JSON body: ${payload}` };
  return { ok: true, delivery: logged.delivery ?? '', event: logged.event ?? '', payload };
}

interface HeaderCheck {
  request: WebhookRequest;
  path: string;
  header: (name: string) => string | undefined;
  delivery: string | undefined;
  event: string | undefined;
  logged: { delivery: string | undefined; event: string | undefined };
}

/** The checks that need no body, in their fixed order; undefined when all pass. */
function headerRefusal(check: HeaderCheck): Omit<Rejection, 'ok'> | undefined {
  const { request, path, header, delivery, event, logged } = check;
  if (path !== WEBHOOK_PATH)
    return { status: 404, error: `Not found: deliveries go to POST ${WEBHOOK_PATH}` };
  if (request.method !== 'POST')
    return { status: 405, error: 'Method not allowed: use POST', headers: { allow: 'POST' } };
  const contentType = header('content-type')?.split(';', 1)[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') {
    return {
      status: 415,
      error: `Unsupported content type '${contentType ?? ''}': set the webhook's content type to application/json`,
    };
  }
  if (event === undefined || event === '') return { status: 400, error: 'Missing header X-GitHub-Event' };
  if (delivery === undefined || delivery === '')
    return { status: 400, error: 'Missing header X-GitHub-Delivery' };
  if (logged.event === undefined)
    return { status: 400, error: 'Invalid header X-GitHub-Event: expected an event name such as push' };
  if (logged.delivery === undefined)
    return { status: 400, error: 'Invalid header X-GitHub-Delivery: expected a delivery id (a GUID)' };
  const signature = header('x-hub-signature-256');
  if (signature === undefined || signature === '')
    return { status: 401, error: 'Missing header X-Hub-Signature-256' };
  if (!isWellFormedSignature(signature)) {
    return { status: 401, error: 'Invalid header X-Hub-Signature-256: expected sha256= and 64 hex digits' };
  }
  return undefined;
}

/** The body as a JSON object, or what is wrong with it. */
function parseObject(body: Buffer): object | string {
  let payload: unknown;
  try {
    if (!isUtf8(body)) throw new Error('the body is not UTF-8');
    payload = JSON.parse(body.toString('utf8'));
  } catch (error) {
    return messageOf(error);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'expected an object';
  return payload;
}
