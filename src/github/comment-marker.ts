/** GitHub refuses a comment body past this many characters (422 "Body is too long"). */
export const GITHUB_COMMENT_LIMIT = 65_536;

const MARKER_PREFIX = '<!-- neon-amplify-branch:';
const MARKER_SUFFIX = ' -->';

/**
 * The hidden first line that finds a branch's comment again: `<!-- neon-amplify-branch:{B} -->`.
 * Git allows `<`, `>` and `%` in branch names, and `a-->b` would end the HTML comment early and show
 * the rest of the line; those characters (and anything that is not printable) are percent-encoded,
 * `%` included so that no two branches share a marker. An ordinary name (`feature/login`) stays
 * verbatim.
 */
export function commentMarker(gitBranch: string): string {
  const encoded = Array.from(gitBranch)
    .map((char) => (/^[%<>&\s\p{C}]$/u.test(char) ? encodeUtf8(char) : char))
    .join('');
  return `${MARKER_PREFIX}${encoded}${MARKER_SUFFIX}`;
}

/** Whether `body` is the sticky comment of this marker: its first line is the marker, exactly. */
export function hasMarker(body: string | undefined | null, marker: string): boolean {
  if (body === undefined || body === null) return false;
  const end = body.indexOf('\n');
  const firstLine = (end < 0 ? body : body.slice(0, end)).replace(/\r$/, '');
  return firstLine === marker;
}

function encodeUtf8(char: string): string {
  return Array.from(
    Buffer.from(char, 'utf8'),
    (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
}
