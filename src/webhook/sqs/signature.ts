import { createHmac, timingSafeEqual } from 'node:crypto';

/** The SQS message attribute that carries a message's signature. */
export const SIGNATURE_ATTRIBUTE = 'signature';

/**
 * What the key is derived with. A message is signed under HMAC(secret, this label), not under the
 * webhook secret itself, so that GitHub's signature of a delivery's bytes is never a valid message
 * signature, nor the reverse (docs/webhook.md, "The message").
 */
const KEY_LABEL = 'neon-amplify-branch queue message v1';

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

export interface MessageSigner {
  /** `sha256=` and the hex HMAC-SHA256 of the body, under the first secret's key. */
  sign(body: string): string;
  /** Whether `signature` is the body's under any secret's key: the list is a rotation's. */
  verify(body: string, signature: string | undefined): boolean;
}

/**
 * Signs what the receiver puts on the queue and verifies it in the worker. Whoever may send to the
 * queue (a role with sqs:SendMessage, a redrive from elsewhere) could otherwise choose what the
 * worker does, the repository's default branch among it, which decides the primary branch
 * (docs/webhook.md, "The message"). `secrets` is GITHUB_WEBHOOK_SECRET's list, the new one first.
 */
export function messageSigner(secrets: readonly string[]): MessageSigner {
  const keys = secrets.map((secret) => createHmac('sha256', secret).update(KEY_LABEL).digest());
  const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body, 'utf8').digest();
  return {
    sign: (body) => {
      const [key] = keys;
      if (key === undefined) throw new Error('No webhook secret to sign the queue message with');
      return `sha256=${mac(key, body).toString('hex')}`;
    },
    verify: (body, signature) => {
      if (signature === undefined || !SIGNATURE.test(signature)) return false;
      const given = Buffer.from(signature.slice('sha256='.length), 'hex');
      // Every key is tried, so how long it takes says nothing about which one matched.
      let verified = false;
      for (const key of keys) verified = timingSafeEqual(mac(key, body), given) || verified;
      return verified;
    },
  };
}
