import { isUtf8 } from 'node:buffer';
import { messageOf } from '../../core/errors.js';
import { isRecord } from '../../core/records.js';
import type { WebhookConfig } from '../config/config.js';
import type { Provider, ProviderConfig } from './provider.js';
import { PROVIDER_PATHS, providerAt } from './providers.js';
import type { Rejection, Verified, WebhookRequest } from './types.js';

export const WEBHOOK_PATH = '/webhook';

type Config = ProviderConfig & Pick<WebhookConfig, 'maxBodyBytes'>;

/**
 * Checks a request in a fixed order, for every provider (src/webhook/delivery/providers.ts): path 404 (also
 * a provider whose secret is not set), method 405, content type 415, missing or malformed headers
 * 400, missing or malformed signature or token 401, body over the limit 413 (announced by
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
  const provider = providerAt(path);
  if (provider === undefined)
    return { ok: false, status: 404, error: `Not found: deliveries go to POST ${PROVIDER_PATHS}` };
  const secrets = candidateSecrets(provider, config);
  if (secrets.length === 0) {
    const error = `Not found: ${provider.name} deliveries are not set up here (${provider.secretVariable} is not set)`;
    return { ok: false, status: 404, error };
  }
  const { logged, refusal } = provider.identify(header);
  const early = requestRefusal(request, header) ?? refusal;
  if (early !== undefined) return { ok: false, ...logged, ...early };

  const tooLarge = `Body over ${config.maxBodyBytes} bytes (MAX_BODY_BYTES)`;
  const declared = Number(header('content-length'));
  if (Number.isFinite(declared) && declared > config.maxBodyBytes)
    return { ok: false, ...logged, status: 413, error: tooLarge };
  const body = typeof request.body === 'function' ? await request.body(config.maxBodyBytes) : request.body;
  if (body === undefined || body.length > config.maxBodyBytes)
    return { ok: false, ...logged, status: 413, error: tooLarge };

  if (!(await provider.verify(secrets, body, header)))
    return { ok: false, ...logged, status: 401, error: provider.mismatch };
  const payload = parseObject(body);
  if (typeof payload === 'string')
    return { ok: false, ...logged, status: 400, error: `Malformed JSON body: ${payload}` };
  if (!(await signedForRepository(provider, config, { payload, body, header }))) {
    const error = `${provider.mismatch}: not with the secret of the repository the payload names`;
    return { ok: false, ...logged, status: 401, error };
  }
  return { ok: true, delivery: logged.delivery ?? '', event: logged.event ?? '', payload };
}

/**
 * Every secret a delivery to this provider may carry: the environment's and every repository's own
 * from CONFIG_FILE, so that nothing unverified is parsed; which one it must be is checked after.
 */
function candidateSecrets(provider: Provider, config: Config): string[] {
  const own = (config.repositorySecrets ?? [])
    .filter((entry) => entry.repository.startsWith(`${provider.name}:`))
    .map((entry) => entry.secret);
  return [...provider.secrets(config), ...(provider.repositoryKey === undefined ? [] : own)];
}

/**
 * A repository with a secret of its own is taken only under that secret (another repository's
 * would otherwise vouch for it); one without, only under the environment's.
 */
async function signedForRepository(
  provider: Provider,
  config: Config,
  delivery: { payload: object; body: Buffer; header: (name: string) => string | undefined },
): Promise<boolean> {
  if (provider.repositoryKey === undefined) return true;
  const own = config.repositorySecret?.(provider.repositoryKey(delivery.payload));
  const expected = own === undefined ? provider.secrets(config) : [own];
  return expected.length > 0 && (await provider.verify(expected, delivery.body, delivery.header));
}

/** The method and the content type, the same for every provider; undefined when both are right. */
function requestRefusal(
  request: WebhookRequest,
  header: (name: string) => string | undefined,
): Omit<Rejection, 'ok'> | undefined {
  if (request.method !== 'POST')
    return { status: 405, error: 'Method not allowed: use POST', headers: { allow: 'POST' } };
  const contentType = header('content-type')?.split(';', 1)[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') {
    return {
      status: 415,
      error: `Unsupported content type '${contentType ?? ''}': set the webhook's content type to application/json`,
    };
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
  if (!isRecord(payload)) return 'expected an object';
  return payload;
}
