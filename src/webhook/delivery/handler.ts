import { describePlan } from '../../core/plan.js';
import type { WebhookConfig } from '../config/config.js';
import { durationSince, type JsonLogger } from '../config/log.js';
import { repositoryOf } from '../github/classify.js';
import { github } from '../github/provider.js';
import type { DeliveryMemory } from '../run/dedupe.js';
import { providerAt } from './providers.js';
import type {
  Classified,
  Delivery,
  Dispatched,
  Rejection,
  WebhookRequest,
  WebhookResponse,
} from './types.js';
import { validate } from './validate.js';

export { WEBHOOK_PATH } from './validate.js';

export interface HandlerOptions {
  config: Pick<
    WebhookConfig,
    | 'secrets'
    | 'gitlabTokens'
    | 'bitbucketSecrets'
    | 'repositorySecret'
    | 'repositorySecrets'
    | 'maxBodyBytes'
    | 'settingsFor'
  >;
  deliveries: DeliveryMemory;
  log: JsonLogger;
  dispatch: (delivery: Delivery) => Promise<Dispatched>;
  /** True once SIGTERM came: no new deliveries, and /healthz says so. */
  draining?: () => boolean;
}

export const HEALTH_PATH = '/healthz';

/**
 * The webhook, independent of any HTTP framework, in three steps: validate (the fixed order of
 * refusals, the signature over the raw bytes before parsing), classify (pure: what the verified
 * delivery asks for), respond (200 when it needs nothing, 202 once its work is queued). Every
 * verified delivery id is remembered, ping and ignored ones too, so the same delivery is answered
 * the same way and done at most once.
 */
export function createHandler(
  options: HandlerOptions,
): (request: WebhookRequest) => Promise<WebhookResponse> {
  const { config, deliveries, log } = options;
  const draining = options.draining ?? (() => false);

  return async (request) => {
    const started = performance.now();
    const path = request.path.split('?', 1)[0] ?? '';
    if (path === HEALTH_PATH) return health(request, draining());

    const checked = await validate(request, path, config);
    if (!checked.ok) return rejected(checked, { log, started });
    const { delivery, event } = checked;
    const context = { delivery, event, repository: repositoryOf(checked.payload), step: 'receive' };
    const answer = (
      status: number,
      body: Record<string, unknown>,
      outcome: string,
      message: string,
      extra = {},
    ) => {
      log.info(message, { ...context, ...extra, outcome, status, duration: durationSince(started) });
      return json(status, { ...body, delivery });
    };

    if (!deliveries.claim(delivery)) {
      return answer(
        200,
        { status: 'duplicate' },
        'duplicate',
        'Duplicate delivery: already taken, not done again',
      );
    }
    // validate() answered 404 for a path no provider serves.
    const classified = (providerAt(path) ?? github).classify(checked, config);
    // Forgotten again when it was not taken: a fixed payload or a later redelivery is looked at anew.
    if (classified.kind === 'unusable' || (classified.kind === 'work' && draining())) {
      deliveries.release(delivery);
    }
    return respond(classified, {
      options: { ...options, draining },
      answer,
      started,
      rejectWith: { delivery, event },
    });
  };
}

type Answer = (
  status: number,
  body: Record<string, unknown>,
  outcome: string,
  message: string,
  extra?: Record<string, unknown>,
) => WebhookResponse;

interface Respond {
  options: HandlerOptions & { draining: () => boolean };
  answer: Answer;
  started: number;
  rejectWith: { delivery: string; event: string };
}

/** The answer to a verified, classified delivery, dispatching its work when it has some. */
async function respond(classified: Classified, context: Respond): Promise<WebhookResponse> {
  const { options, answer, started, rejectWith } = context;
  switch (classified.kind) {
    case 'ignored':
      return classified.status === 'pong'
        ? answer(200, { status: 'pong' }, 'ignored', 'Ping')
        : answer(
            200,
            { status: 'ignored', reason: classified.reason },
            'ignored',
            `Ignored: ${classified.reason}`,
          );
    case 'unusable':
      return rejected(
        { ok: false, status: 400, error: classified.error, ...rejectWith },
        { log: options.log, started },
      );
    case 'work':
      break;
  }
  if (options.draining()) {
    const error = 'Shutting down: not taking new deliveries; redeliver it later';
    return rejected({ ok: false, status: 503, error, ...rejectWith }, { log: options.log, started });
  }
  const { pieces } = classified;
  const described = pieces.map((piece) => describePlan(piece.plan, piece.settings)).join('; ');
  const planned = { branch: pieces.map((piece) => piece.plan.gitBranch).join(', ') };
  // Each piece in its own lane (or SQS group): a branch's work waits for nothing of another's.
  const outcomes = await Promise.all(pieces.map((piece) => options.dispatch(piece)));
  const refused = outcomes.find((outcome) => outcome.kind === 'refused');
  if (refused !== undefined) {
    // Pieces already queued stay queued; a redelivery queues the others (and SQS drops repeats).
    options.deliveries.release(rejectWith.delivery);
    options.log.warning(refused.reason, {
      ...rejectWith,
      repository: pieces[0].repository,
      step: 'receive',
      ...planned,
      outcome: 'rejected',
      status: 503,
    });
    return refuse(503, refused.reason);
  }
  const failed = outcomes.find((outcome) => outcome.kind === 'failed');
  // The work already logged the failure and forgot the delivery id, so a redelivery runs it again.
  if (failed !== undefined) return json(500, { error: failed.message, delivery: rejectWith.delivery });
  const outputs = outcomes.map((outcome) => (outcome.kind === 'done' ? outcome.outputs : undefined));
  if (outputs.every((output) => output !== undefined)) {
    // One piece: its outputs; several: one object per piece, in the payload's order.
    const body = { status: 'done', plan: described, outputs: outputs.length === 1 ? outputs[0] : outputs };
    return answer(200, body, 'done', `Done: ${described}`, planned);
  }
  const messageIds = outcomes.map((outcome) => (outcome.kind === 'accepted' ? outcome.messageId : undefined));
  return answer(202, { status: 'accepted', plan: described }, 'accepted', `Accepted: ${described}`, {
    ...planned,
    messageId: messageIds.length === 1 ? messageIds[0] : messageIds,
  });
}

function health(request: WebhookRequest, draining: boolean): WebhookResponse {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return refuse(405, 'Method not allowed: use GET', { allow: 'GET, HEAD' });
  }
  return draining ? json(503, { status: 'draining' }) : json(200, { status: 'ok' });
}

function rejected(
  rejection: Rejection,
  { log, started }: { log: JsonLogger; started: number },
): WebhookResponse {
  log.warning(rejection.error, {
    delivery: rejection.delivery,
    event: rejection.event,
    step: 'receive',
    outcome: 'rejected',
    status: rejection.status,
    duration: durationSince(started),
  });
  return refuse(rejection.status, rejection.error, rejection.headers);
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
