import { isUtf8 } from 'node:buffer';
import { verifyWithFallback } from '@octokit/webhooks-methods';

/** GitHub's X-Hub-Signature-256: `sha256=` and 64 lower-case hex digits. */
const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

export function isWellFormedSignature(signature: string): boolean {
  return SIGNATURE.test(signature);
}

/**
 * Whether `signature` is the HMAC-SHA256 of the raw body under one of `secrets` (several during a
 * rotation: the new one first). Runs before the body is parsed.
 *
 * @octokit/webhooks-methods takes the payload as a string and hashes its UTF-8 bytes. For a body
 * that is valid UTF-8, decoding and re-encoding gives back exactly the bytes received, so that is
 * verification over the raw bytes. GitHub sends JSON, always UTF-8 and never empty; any other body
 * could not survive the round trip (an invalid byte decodes to U+FFFD, so two bodies would share a
 * signature) and is not verified at all.
 */
export async function verifySignature(
  secrets: readonly string[],
  body: Buffer,
  signature: string,
): Promise<boolean> {
  const [first, ...rest] = secrets;
  if (first === undefined || !isWellFormedSignature(signature)) return false;
  if (body.length === 0 || !isUtf8(body)) return false;
  return (await verifyWithFallback(first, body.toString('utf8'), signature, rest)) === true;
}
