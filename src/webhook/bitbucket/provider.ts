import { DELIVERY_ID } from '../delivery/ids.js';
import type { Header, Identified, Provider } from '../delivery/provider.js';
import { isWellFormedSignature, verifySignature } from '../github/verify.js';
import { bitbucketRepository, classifyBitbucket } from './classify.js';

/** Bitbucket's event keys: `repo:push`, `pullrequest:fulfilled`, ... */
const EVENT_KEY = /^[a-z_]{1,32}:[a-z_]{1,32}$/;

/**
 * Bitbucket Cloud at POST /webhook/bitbucket (support.atlassian.com/bitbucket-cloud, "Event
 * payloads" and "Manage webhooks"): X-Event-Key, X-Request-UUID, and with a secret set,
 * X-Hub-Signature `sha256=` + the HMAC-SHA256 of the raw body in hex: GitHub's scheme under another
 * header name, so GitHub's verification (src/webhook/github/verify.ts) serves.
 */
export const bitbucket: Provider = {
  name: 'bitbucket',
  path: '/webhook/bitbucket',
  secrets: (config) => config.bitbucketSecrets ?? [],
  secretVariable: 'BITBUCKET_WEBHOOK_SECRET or a bitbucket-secret in CONFIG_FILE',
  repositoryKey: bitbucketRepository,
  identify,
  verify: (secrets, body, header) => verifySignature(secrets, body, header('x-hub-signature') ?? ''),
  mismatch:
    'Signature mismatch: X-Hub-Signature is not the HMAC of the body under the webhook secret (BITBUCKET_WEBHOOK_SECRET)',
  classify: classifyBitbucket,
};

function identify(header: Header): Identified {
  const event = header('x-event-key');
  const delivery = header('x-request-uuid');
  const logged = {
    delivery: delivery !== undefined && DELIVERY_ID.test(delivery) ? delivery : undefined,
    event: event !== undefined && EVENT_KEY.test(event) ? event : undefined,
  };
  const refuse = (status: number, error: string): Identified => ({ logged, refusal: { status, error } });
  if (event === undefined || event === '') return refuse(400, 'Missing header X-Event-Key');
  if (delivery === undefined || delivery === '') return refuse(400, 'Missing header X-Request-UUID');
  if (logged.event === undefined)
    return refuse(400, 'Invalid header X-Event-Key: expected an event key such as repo:push');
  if (logged.delivery === undefined) return refuse(400, 'Invalid header X-Request-UUID: expected a UUID');
  const signature = header('x-hub-signature');
  if (signature === undefined || signature === '') return refuse(401, 'Missing header X-Hub-Signature');
  if (!isWellFormedSignature(signature))
    return refuse(401, 'Invalid header X-Hub-Signature: expected sha256= and 64 hex digits');
  return { logged };
}
