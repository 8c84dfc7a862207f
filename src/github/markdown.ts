/**
 * Markdown for GitHub from values users control: escaping for text, code spans and table cells,
 * links limited to http(s) without credentials, and the scrubbing that keeps secrets out. Shared by
 * the pull request comment and the job summary.
 */

import { isMaskable, MASK, maskCredentialsIn } from '../core/redact.js';

/** Backslash-escapes every ASCII punctuation character (CommonMark allows it for each one). */
export function text(value: string): string {
  return singleLine(value).replace(/[!-/:-@[-`{-~]/g, (char) => `\\${char}`);
}

/**
 * A code span: the delimiter is one backtick longer than the longest run inside, padded with spaces
 * when the content starts or ends with a backtick, so any branch name shows verbatim.
 */
export function code(value: string): string {
  const content = singleLine(value);
  if (content === '') return '(empty)';
  const ticks = '`'.repeat(longestRun(content, '`') + 1);
  const pad = /^[` ]|[` ]$/.test(content) ? ' ' : '';
  return `${ticks}${pad}${content}${pad}${ticks}`;
}

/** A code span inside a table cell: GFM splits cells at `|` even inside code, unless it is `\|`. */
export function cell(value: string): string {
  return code(value).replaceAll('|', '\\|');
}

/** A link to an http(s) URL, without credentials; other URLs are shown as text, never as links. */
export function link(label: string, url: string | undefined): string {
  const href = url === undefined ? undefined : safeHref(url);
  return href === undefined ? label : `[${label}](${href})`;
}

export function urlCell(url: string): string {
  const href = safeHref(url);
  return href === undefined ? cell(url) : `[${text(href)}](${href})`;
}

export function safeHref(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  url.username = '';
  url.password = '';
  // URL leaves these as they are; in a Markdown link or a table cell they end the destination or the cell.
  return url.href.replace(/[()|<> `"']/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A host, even when handed a connection string: only what is between `@` (or `//`) and the port or path. */
export function hostOnly(value: string): string {
  if (!value.includes('://') && !value.includes('@')) return value;
  try {
    return new URL(value.includes('://') ? value : `postgres://${value}`).hostname || 'hidden';
  } catch {
    return 'hidden';
  }
}

export function singleLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ');
}

export function longestRun(value: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const current of value) {
    run = current === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/**
 * Keeps secrets out of every value: the listed ones wherever they appear, the password of any URL
 * (`postgres://user:***@host`), and password options in SQL (`password '***'`, as a USER MAPPING in a
 * schema dump carries them).
 */
export function scrubber(secrets: readonly string[] | undefined): (value: string) => string {
  const sorted = [...(secrets ?? [])].filter(isMaskable).sort((a, b) => b.length - a.length);
  return (value) => {
    let result = value;
    for (const secret of sorted) result = result.replaceAll(secret, MASK);
    return maskCredentialsIn(result);
  };
}

export function formatTime(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) return value;
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Cuts at a code point boundary, so no surrogate pair is split. */
export function cutChars(value: string, max: number): string {
  let result = '';
  for (const char of value) {
    if (result.length + char.length > max) break;
    result += char;
  }
  return result;
}
