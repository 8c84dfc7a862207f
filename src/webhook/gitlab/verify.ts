import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` (X-Gitlab-Token) is one of `tokens` (several during a rotation). GitLab sends the
 * secret token itself, not a signature, so it is compared in constant time: both sides are hashed
 * first, which gives buffers of one length whatever the lengths of the tokens, so neither the
 * comparison nor a length check tells how much of a guess was right. Every token is compared.
 */
export function tokenMatches(tokens: readonly string[], given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  const received = digest(given);
  let matched = false;
  for (const token of tokens) {
    if (timingSafeEqual(digest(token), received)) matched = true;
  }
  return matched && given !== '';
}
