import { DELIVERY_ID } from '../delivery/ids.js';
import type { Header, Identified, Provider } from '../delivery/provider.js';
import { classifyGitLab, gitlabRepository } from './classify.js';
import { tokenMatches } from './verify.js';

/** GitLab's event names are words and spaces: `Push Hook`, `Merge Request Hook`. */
const EVENT_NAME = /^[A-Za-z ]{1,64}$/;

/**
 * GitLab at POST /webhook/gitlab (docs.gitlab.com, "Webhooks" and "Webhook events"): the secret
 * token comes back as it was set, in X-Gitlab-Token; the event in X-Gitlab-Event. The delivery id
 * is `Idempotency-Key` (the same on every retry of one delivery), else X-Gitlab-Webhook-UUID, else
 * X-Gitlab-Event-UUID, whichever this GitLab version sends.
 */
export const gitlab: Provider = {
  name: 'gitlab',
  path: '/webhook/gitlab',
  secrets: (config) => config.gitlabTokens ?? [],
  secretVariable: 'GITLAB_WEBHOOK_TOKEN or a gitlab-token in CONFIG_FILE',
  repositoryKey: gitlabRepository,
  identify,
  verify: async (tokens, _body, header) => tokenMatches(tokens, header('x-gitlab-token') ?? ''),
  mismatch: 'Token mismatch: X-Gitlab-Token is not the secret token of the webhook (GITLAB_WEBHOOK_TOKEN)',
  classify: classifyGitLab,
};

function identify(header: Header): Identified {
  const event = header('x-gitlab-event');
  const delivery =
    nonEmpty(header('idempotency-key')) ??
    nonEmpty(header('x-gitlab-webhook-uuid')) ??
    nonEmpty(header('x-gitlab-event-uuid'));
  const logged = {
    delivery: delivery !== undefined && DELIVERY_ID.test(delivery) ? delivery : undefined,
    event: event !== undefined && EVENT_NAME.test(event) ? event : undefined,
  };
  const refuse = (status: number, error: string): Identified => ({ logged, refusal: { status, error } });
  if (event === undefined || event === '') return refuse(400, 'Missing header X-Gitlab-Event');
  if (delivery === undefined)
    return refuse(400, 'Missing header Idempotency-Key, X-Gitlab-Webhook-UUID or X-Gitlab-Event-UUID');
  if (logged.event === undefined)
    return refuse(400, 'Invalid header X-Gitlab-Event: expected an event name such as Push Hook');
  if (logged.delivery === undefined)
    return refuse(400, 'Invalid delivery id: expected a UUID in Idempotency-Key or X-Gitlab-Webhook-UUID');
  if (nonEmpty(header('x-gitlab-token')) === undefined) return refuse(401, 'Missing header X-Gitlab-Token');
  return { logged };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
