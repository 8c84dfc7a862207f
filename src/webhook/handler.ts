import { isUtf8 } from 'node:buffer';
import { messageOf, UsageError } from '../core/errors.js';
import { describePlan, makePlan, type Plan } from '../core/plan.js';
import type { Settings } from '../core/settings.js';
import { intentFromEvent } from '../github/event.js';
import type { WebhookConfig } from './config.js';
import type { DeliveryMemory } from './dedupe.js';
import { durationSince, type JsonLogger } from './log.js';
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

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A verified delivery that asks for work. */
export interface Delivery {
  id: string;
  event: string;
  repository: string | undefined;
  /** A deploy or a cleanup: deliveries that need nothing are answered without dispatching. */
  plan: Extract<Plan, { kind: 'deploy' | 'cleanup' }>;
  settings: Settings;
}

/** What became of a dispatched delivery: queued (the server) or already run (Lambda). */
export type Dispatched =
  | { kind: 'queued' }
  | { kind: 'refused'; reason: string }
  | { kind: 'done'; outputs: Record<string, string> }
  | { kind: 'failed'; message: string };

export interface HandlerOptions {
  config: Pick<WebhookConfig, 'secrets' | 'maxBodyBytes' | 'settingsFor'>;
  deliveries: DeliveryMemory;
  log: JsonLogger;
  dispatch: (delivery: Delivery) => Promise<Dispatched>;
  /** True once SIGTERM came: no new deliveries, and /healthz says so. */
  draining?: () => boolean;
}

export const WEBHOOK_PATH = '/webhook';
export const HEALTH_PATH = '/healthz';
/** The events that can ask for work; every other one is acknowledged and ignored. */
const HANDLED_EVENTS = ['push', 'pull_request', 'delete'];
/** GitHub's event names: `push`, `pull_request`, `delete`, ... */
const EVENT_NAME = /^[a-z_]{1,64}$/;
/** GitHub's delivery ids are GUIDs; anything far longer is not one, and would bloat the seen set. */
const DELIVERY_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The webhook, independent of any HTTP framework. A request is refused in a fixed order, each time
 * with a JSON `{error}` body: path 404, method 405, content type 415, missing GitHub headers 400,
 * missing or malformed signature 401, body over the limit 413 (announced by Content-Length, or
 * found while reading, which then stops), signature mismatch 401, malformed JSON 400. The signature
 * is checked over the raw bytes before anything is parsed. A verified delivery is then answered
 * 200 when it needs nothing (ping, other events, tags, other pull request actions, forks,
 * repositories CONFIG_FILE does not list, a duplicate) and 202 once its work is queued.
 */
export function createHandler(
  options: HandlerOptions,
): (request: WebhookRequest) => Promise<WebhookResponse> {
  const { config, deliveries, log } = options;
  const draining = options.draining ?? (() => false);

  return async (request) => {
    const started = performance.now();
    const path = request.path.split('?', 1)[0] ?? '';
    if (path === HEALTH_PATH) {
      if (request.method !== 'GET' && request.method !== 'HEAD')
        return refuse(405, 'Method not allowed: use GET', { allow: 'GET, HEAD' });
      return draining() ? json(503, { status: 'draining' }) : json(200, { status: 'ok' });
    }

    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const delivery = header('x-github-delivery');
    const event = header('x-github-event');
    // Unverified header values reach the log only in the shape GitHub gives them.
    const eventValid = event !== undefined && EVENT_NAME.test(event);
    const deliveryValid = delivery !== undefined && DELIVERY_ID.test(delivery);
    const logged = { delivery: deliveryValid ? delivery : undefined, event: eventValid ? event : undefined };
    const reject = (status: number, error: string, headers: Record<string, string> = {}): WebhookResponse => {
      log.warning(error, {
        ...logged,
        step: 'receive',
        outcome: 'rejected',
        status,
        duration: durationSince(started),
      });
      return refuse(status, error, headers);
    };

    if (path !== WEBHOOK_PATH) return reject(404, `Not found: deliveries go to POST ${WEBHOOK_PATH}`);
    if (request.method !== 'POST') return reject(405, 'Method not allowed: use POST', { allow: 'POST' });
    const contentType = header('content-type')?.split(';', 1)[0]?.trim().toLowerCase();
    if (contentType !== 'application/json') {
      return reject(
        415,
        `Unsupported content type '${contentType ?? ''}': set the webhook's content type to application/json`,
      );
    }
    if (event === undefined || event === '') return reject(400, 'Missing header X-GitHub-Event');
    if (delivery === undefined || delivery === '') return reject(400, 'Missing header X-GitHub-Delivery');
    if (!eventValid) return reject(400, 'Invalid header X-GitHub-Event: expected an event name such as push');
    if (!deliveryValid)
      return reject(400, 'Invalid header X-GitHub-Delivery: expected a delivery id (a GUID)');
    const signature = header('x-hub-signature-256');
    if (signature === undefined || signature === '') return reject(401, 'Missing header X-Hub-Signature-256');
    if (!isWellFormedSignature(signature)) {
      return reject(401, 'Invalid header X-Hub-Signature-256: expected sha256= and 64 hex digits');
    }

    const tooLarge = `Body over ${config.maxBodyBytes} bytes (MAX_BODY_BYTES)`;
    const declared = Number(header('content-length'));
    if (Number.isFinite(declared) && declared > config.maxBodyBytes) return reject(413, tooLarge);
    const body = typeof request.body === 'function' ? await request.body(config.maxBodyBytes) : request.body;
    if (body === undefined || body.length > config.maxBodyBytes) return reject(413, tooLarge);

    if (!(await verifySignature(config.secrets, body, signature))) {
      return reject(
        401,
        'Signature mismatch: X-Hub-Signature-256 is not the HMAC of the body under the webhook secret',
      );
    }

    let payload: unknown;
    try {
      if (!isUtf8(body)) throw new Error('the body is not UTF-8');
      payload = JSON.parse(body.toString('utf8'));
    } catch (error) {
      return reject(400, `Malformed JSON body: ${messageOf(error)}`);
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      return reject(400, 'Malformed JSON body: expected an object');
    }

    // Verified from here on. Every verified delivery id is remembered, ping and ignored ones too,
    // so the same delivery is answered the same way and done at most once.
    const repository = repositoryOf(payload);
    const context = { delivery, event, repository, step: 'receive' };
    const answer = (
      status: number,
      body: Record<string, unknown>,
      outcome: string,
      msg: string,
      extra = {},
    ) => {
      log.info(msg, { ...context, ...extra, outcome, status, duration: durationSince(started) });
      return json(status, { ...body, delivery });
    };
    if (!deliveries.claim(delivery)) {
      const msg = 'Duplicate delivery: already taken, not done again';
      return answer(200, { status: 'duplicate' }, 'duplicate', msg);
    }
    if (event === 'ping') return answer(200, { status: 'pong' }, 'ignored', 'Ping');
    if (!HANDLED_EVENTS.includes(event)) {
      const reason = `event '${event}' needs nothing (handled: ${HANDLED_EVENTS.join(', ')})`;
      return answer(200, { status: 'ignored', reason }, 'ignored', `Ignored: ${reason}`);
    }
    const settings = config.settingsFor(repository);
    if (settings === undefined) {
      const reason = `repository '${repository ?? ''}' is not in CONFIG_FILE`;
      return answer(200, { status: 'ignored', reason }, 'ignored', `Ignored: ${reason}`);
    }

    let plan: Plan;
    try {
      const found = intentFromEvent({ name: event, payload }, { command: 'auto', gitBranch: undefined });
      plan = makePlan(found.intent, settings, { defaultBranch: found.defaultBranch });
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      deliveries.release(delivery);
      return reject(400, `Unusable ${event} payload: ${error.message}`);
    }
    if (plan.kind === 'none' || plan.kind === 'reconcile') {
      const reason = plan.kind === 'none' ? plan.reason : 'reconcile is not run from a delivery';
      return answer(200, { status: 'ignored', reason }, 'ignored', `Ignored: ${reason}`);
    }
    const branch = plan.gitBranch;
    const described = describePlan(plan, settings);
    if (draining()) {
      deliveries.release(delivery);
      return reject(503, 'Shutting down: not taking new deliveries; redeliver it later');
    }

    const outcome = await options.dispatch({ id: delivery, event, repository, plan, settings });
    const planned = { branch };
    switch (outcome.kind) {
      case 'queued':
        return answer(
          202,
          { status: 'accepted', plan: described },
          'accepted',
          `Accepted: ${described}`,
          planned,
        );
      case 'refused':
        deliveries.release(delivery);
        log.warning(outcome.reason, { ...context, ...planned, outcome: 'rejected', status: 503 });
        return refuse(503, outcome.reason);
      case 'done': {
        const body = { status: 'done', plan: described, outputs: outcome.outputs };
        return answer(200, body, 'done', `Done: ${described}`, planned);
      }
      case 'failed':
        // The work already logged the failure and forgot the delivery id, so a redelivery runs it again.
        return json(500, { error: outcome.message, delivery });
    }
  };
}

function repositoryOf(payload: object): string | undefined {
  const repository = (payload as { repository?: { full_name?: unknown } | null }).repository;
  const name = repository?.full_name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): WebhookResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

function refuse(status: number, error: string, headers: Record<string, string> = {}): WebhookResponse {
  return json(status, { error }, headers);
}
