import { createHash } from 'node:crypto';

/** Neon's limit on a branch name, in characters. */
export const NEON_BRANCH_NAME_LIMIT = 256;
const HASH_LENGTH = 8;

/**
 * The Neon branch name for a git branch: the prefix and the branch verbatim (case and Unicode kept)
 * while it fits; a longer name is cut and ends in `-` and 8 hex characters of a hash of the full
 * name, so the same git branch always maps to the same Neon name and two long names sharing a
 * beginning do not collide. Reconcile maps forward through this function; nothing parses it back.
 */
export function neonBranchName(prefix: string, gitBranch: string): string {
  return boundedName(prefix + gitBranch, NEON_BRANCH_NAME_LIMIT);
}

/**
 * `full` while it has at most `limit` characters; else cut and ended with `-` and 8 hex characters of
 * a SHA-256 of `full`, so the result is stable and two long names sharing a beginning stay apart.
 */
export function boundedName(full: string, limit: number): string {
  // Count code points, not UTF-16 units, so a cut never splits a surrogate pair.
  const chars = Array.from(full);
  if (chars.length <= limit) return full;
  const hash = createHash('sha256').update(full, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  return `${chars.slice(0, limit - HASH_LENGTH - 1).join('')}-${hash}`;
}

/** Amplify's limit on a branch name (CreateBranch's branchName), in characters. */
export const AMPLIFY_BRANCH_NAME_LIMIT = 255;

/** Amplify's default display name: lower case, every character outside [a-z0-9-] turned into `-`. */
export function amplifyDisplayName(branch: string): string {
  return branch.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

export function previewUrl(displayName: string, defaultDomain: string): string {
  return `https://${displayName}.${defaultDomain}`;
}

/**
 * Whether `name` is a branch name git accepts (the rules of `git check-ref-format --branch`):
 * no control characters, spaces or `~^:?*[\`, no `..`, `@{`, `//`, no component starting with `.`
 * or ending in `.lock`, and not starting with `-` or ending with `/` or `.`.
 */
export function isValidGitBranchName(name: string): boolean {
  if (name === '' || name === '@' || name.startsWith('-')) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(name)) return false;
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return false;
  if (name.startsWith('/') || name.endsWith('/') || name.endsWith('.')) return false;
  return name.split('/').every((part) => !part.startsWith('.') && !part.endsWith('.lock'));
}

const HEADS = 'refs/heads/';

/** `refs/heads/x` → `x`; anything else (a tag, a pull request ref) → undefined. */
export function branchFromRef(ref: string | undefined): string | undefined {
  if (ref === undefined || !ref.startsWith(HEADS)) return undefined;
  const branch = shortBranchName(ref);
  return branch === '' ? undefined : branch;
}

/** `refs/heads/x` → `x`; a name without the prefix stays as it is (a delete event's ref, a setting). */
export function shortBranchName(name: string): string {
  return name.startsWith(HEADS) ? name.slice(HEADS.length) : name;
}
