import { createHash } from 'node:crypto';

/**
 * A delivery id as every provider's is taken (GitHub's GUID, GitLab's and Bitbucket's UUIDs): 1 to
 * 128 printable ASCII characters, no space. It is also SQS's rule for a MessageGroupId and a
 * MessageDeduplicationId (test/fakes/sqs-model.ts, `checkGroupOrDeduplicationId`), so a delivery id
 * taken here is always a valid deduplication id: one pattern, kept equal to SQS's by being one.
 */
export const DELIVERY_ID = /^[\x21-\x7e]{1,128}$/;
const SQS_ID_CHARACTER = /^[\x21-\x7e]$/;
const HASH_LENGTH = 16;

/**
 * `text` as SQS takes it for a MessageGroupId or MessageDeduplicationId (1 to 128 printable ASCII
 * characters, no space): as it is when it fits. Otherwise (a long or non-ASCII branch name) it is
 * cut to a readable prefix, every other character as `_`, then `~` and 16 hex characters of the
 * SHA-256 of the full text: the same text always maps to the same id, and `~`, which git refuses in
 * branch names, keeps a mapped id from ever equalling a verbatim one.
 */
export function sqsId(text: string): string {
  if (DELIVERY_ID.test(text)) return text;
  const hash = createHash('sha256').update(text, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  const readable = Array.from(text, (character) => (SQS_ID_CHARACTER.test(character) ? character : '_'))
    .join('')
    .slice(0, 128 - HASH_LENGTH - 1);
  return `${readable}~${hash}`;
}
