import { DELIVERY_ID } from '../delivery/ids.js';
import type { Header, Identified, Provider } from '../delivery/provider.js';
import { classifyGitHub } from './classify.js';
import { isWellFormedSignature, verifySignature } from './verify.js';

/** GitHub's event names: `push`, `pull_request`, `delete`, ... */
const EVENT_NAME = /^[a-z_]{1,64}$/;

/** GitHub at POST /webhook: X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature-256 (src/webhook/github/verify.ts). */
export const github: Provider = {
  name: 'github',
  path: '/webhook',
  secrets: (config) => config.secrets,
  secretVariable: 'GITHUB_WEBHOOK_SECRET',
  identify,
  verify: (secrets, body, header) => verifySignature(secrets, body, header('x-hub-signature-256') ?? ''),
  mismatch: 'Signature mismatch: X-Hub-Signature-256 is not the HMAC of the body under the webhook secret',
  classify: classifyGitHub,
};

function identify(header: Header): Identified {
  const delivery = header('x-github-delivery');
  const event = header('x-github-event');
  // Unverified header values reach the log only in the shape GitHub gives them.
  const logged = {
    delivery: delivery !== undefined && DELIVERY_ID.test(delivery) ? delivery : undefined,
    event: event !== undefined && EVENT_NAME.test(event) ? event : undefined,
  };
  const refuse = (status: number, error: string): Identified => ({ logged, refusal: { status, error } });
  if (event === undefined || event === '') return refuse(400, 'Missing header X-GitHub-Event');
  if (delivery === undefined || delivery === '') return refuse(400, 'Missing header X-GitHub-Delivery');
  if (logged.event === undefined)
    return refuse(400, 'Invalid header X-GitHub-Event: expected an event name such as push');
  if (logged.delivery === undefined)
    return refuse(400, 'Invalid header X-GitHub-Delivery: expected a delivery id (a GUID)');
  const signature = header('x-hub-signature-256');
  if (signature === undefined || signature === '') return refuse(401, 'Missing header X-Hub-Signature-256');
  if (!isWellFormedSignature(signature))
    return refuse(401, 'Invalid header X-Hub-Signature-256: expected sha256= and 64 hex digits');
  return { logged };
}
