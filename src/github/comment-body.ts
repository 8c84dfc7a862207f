/**
 * The pull request comment, rendered from typed facts (pure: no I/O, no clock). Every value that
 * comes from a user, a branch name above all, is escaped: git allows `<`, `|`, backticks and `]` in
 * branch names, which would otherwise open HTML, split a table cell or end a code span. Plain
 * Markdown only, no colours or images, so it reads the same in light and dark themes.
 */

import { amplifyDeploymentsConsoleUrl, neonBranchConsoleUrl } from '../core/console-links.js';
import { commentMarker, GITHUB_COMMENT_LIMIT } from './comment-marker.js';
import {
  cell,
  code,
  cutChars,
  formatTime,
  hostOnly,
  link,
  longestRun,
  scrubber,
  text,
  urlCell,
} from './markdown.js';

export interface PreviewCommentInput {
  gitBranch: string;
  /** The commit this run deployed, shown in the footer. */
  sha?: string | undefined;
  neon: {
    projectId: string;
    branchId: string;
    branchName: string;
    /** The parent's name (or id, when that is all there is). */
    parent?: string | undefined;
    created: boolean;
    /** RFC 3339; undefined when the branch does not expire. */
    expiresAt?: string | undefined;
    /** The database host. A URL is cut down to its host; its credentials never reach the comment. */
    host?: string | undefined;
    /** Masking rules Neon applied (anonymize); undefined: the data was not masked by this tool. */
    maskingRules?: number | undefined;
  };
  amplify: {
    appId: string;
    region: string;
    branch: string;
    jobId?: string | undefined;
    /** The job's last known status (`RUNNING`, `SUCCEED`, ...). */
    jobStatus?: string | undefined;
    previewUrl?: string | undefined;
  };
  /** Unified diff against the parent; `''` when equal; undefined when not computed (`schema-diff: false`). */
  schemaDiff?: string | undefined;
  /** Values that must not appear anywhere in the comment (the password, the connection strings). */
  secrets?: readonly string[] | undefined;
  /** When the comment was written, RFC 3339; left out, the footer has no time. */
  updatedAt?: string | undefined;
}

export interface DeletedCommentInput {
  gitBranch: string;
  neon: {
    projectId: string;
    branchName: string;
    /** false: the branch was gone already. */
    deleted: boolean;
  };
  /** Present when the cleanup looked at the Amplify branch. */
  amplify?: { branch: string; deleted: boolean } | undefined;
  /** Why: `the pull request was closed`, `the branch was deleted`. */
  reason?: string | undefined;
  updatedAt?: string | undefined;
}

export interface RenderOptions {
  /** Default GitHub's 65536; tests use less. Counted in UTF-16 units, never fewer than GitHub's characters. */
  limit?: number;
}

/** The comment for a deployed preview. Past `limit`, the schema diff is cut, with a note saying so. */
export function renderPreviewComment(input: PreviewCommentInput, options: RenderOptions = {}): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const scrub = scrubber(input.secrets);
  const before = [
    commentMarker(input.gitBranch),
    `### Neon database for ${code(scrub(input.gitBranch))}`,
    '',
    renderPreviewTable(input),
    // A blank line ends the table: a line right below it would be read as one more row.
    '',
    '',
  ].join('\n');
  const after = footer(input.sha, input.updatedAt);
  const budget = limit - before.length - after.length;
  const body = `${before}${schemaSection(input, scrub, budget)}${after}`;
  return body.length <= limit ? body : cutToLimit(body, limit);
}

/** The table alone (the job summary shows it too). */
export function renderPreviewTable(input: PreviewCommentInput): string {
  const scrub = scrubber(input.secrets);
  const { neon, amplify } = input;
  const neonName = cell(scrub(neon.branchName));
  const rows: [string, string][] = [
    [
      'Neon branch',
      `${link(neonName, neonBranchConsoleUrl(neon.projectId, neon.branchId))} · ${neon.created ? 'created by this run' : 'reused'}`,
    ],
    ['Parent', neon.parent === undefined ? 'the project default branch' : cell(scrub(neon.parent))],
    ['Expires', neon.expiresAt === undefined ? 'never' : text(formatTime(neon.expiresAt))],
    ['Host', neon.host === undefined ? 'unknown' : cell(scrub(hostOnly(neon.host)))],
    ...maskedRow(neon.maskingRules),
    ['Amplify branch', cell(scrub(amplify.branch))],
    ['Build', buildCell(amplify, scrub)],
    ['Preview', amplify.previewUrl === undefined ? 'not known yet' : urlCell(scrub(amplify.previewUrl))],
  ];
  return ['| | |', '| --- | --- |', ...rows.map(([name, value]) => `| **${name}** | ${value} |`)].join('\n');
}

/** Said only for an anonymized preview, so readers know its rows are not production's as they are. */
function maskedRow(rules: number | undefined): [string, string][] {
  if (rules === undefined) return [];
  return [['Data', `masked by Neon: ${rules} masking ${rules === 1 ? 'rule' : 'rules'} applied (anonymize)`]];
}

/** The comment after cleanup: the same marker, so it replaces the preview comment in place. */
export function renderDeletedComment(input: DeletedCommentInput): string {
  const name = code(input.neon.branchName);
  const what = input.neon.deleted ? `was deleted` : `was already gone`;
  const why = input.reason === undefined ? '' : `: ${text(input.reason)}`;
  const lines = [
    commentMarker(input.gitBranch),
    `### Neon database for ${code(input.gitBranch)}: deleted`,
    '',
    `The Neon branch ${name} ${what}${why}. Its connection string no longer works.`,
  ];
  if (input.amplify !== undefined) {
    const amplifyBranch = code(input.amplify.branch);
    lines.push(
      '',
      input.amplify.deleted
        ? `The Amplify branch ${amplifyBranch} was deleted too.`
        : `The Amplify branch ${amplifyBranch} was kept; its database variables were removed.`,
    );
  }
  const body = `${lines.join('\n')}\n${footer(undefined, input.updatedAt)}`;
  return body.length <= GITHUB_COMMENT_LIMIT ? body : cutToLimit(body, GITHUB_COMMENT_LIMIT);
}

/** The collapsed schema diff alone, within `budget` characters (the job summary shows it too). */
export function renderSchemaDiff(input: PreviewCommentInput, budget: number = GITHUB_COMMENT_LIMIT): string {
  return schemaSection(input, scrubber(input.secrets), budget);
}

// ------------------------------------------------------------------ sections

function buildCell(amplify: PreviewCommentInput['amplify'], scrub: (value: string) => string): string {
  if (amplify.jobId === undefined) return 'no job started by this run';
  const consoleUrl = amplifyDeploymentsConsoleUrl(amplify.region, amplify.appId, amplify.branch);
  const job = link(`job ${cell(scrub(amplify.jobId))}`, consoleUrl);
  return amplify.jobStatus === undefined ? job : `${job} · ${cell(scrub(amplify.jobStatus))}`;
}

/**
 * The diff section, within `budget` characters. A diff that does not fit keeps its first lines whole
 * and says how many were left out: a cut diff is still a diff, and the full one is in the step's
 * `schema-diff` output.
 */
function schemaSection(input: PreviewCommentInput, scrub: (value: string) => string, budget: number): string {
  if (input.schemaDiff === undefined) return '';
  const parent = input.neon.parent === undefined ? 'the parent' : code(scrub(input.neon.parent));
  const diff = scrub(input.schemaDiff).replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  if (diff.trim() === '') return `Schema: no difference from ${parent}.\n`;

  const lines = diff.split('\n');
  const fence = '`'.repeat(Math.max(3, longestRun(diff, '`') + 1));
  const block = (shown: string[], note: string) =>
    [
      '<details>',
      `<summary>Schema diff against the parent (${lines.length} ${lines.length === 1 ? 'line' : 'lines'})</summary>`,
      '',
      `${fence}diff`,
      ...shown,
      fence,
      '',
      ...(note === '' ? [] : [note, '']),
      '</details>',
      '',
    ].join('\n');

  const whole = block(lines, '');
  if (whole.length <= budget) return whole;

  const note = (shown: number) =>
    `Cut to fit GitHub's comment limit: the first ${shown} of ${lines.length} lines are shown; the whole diff is in the step's \`schema-diff\` output.`;
  // The frame with the longest possible note; what is left is for diff lines.
  const room = budget - block([], note(lines.length)).length;
  const shown: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > room) {
      // One line longer than the whole room (minified SQL) is cut itself rather than dropped.
      if (shown.length === 0 && room > 1) shown.push(cutChars(line, room - 1));
      break;
    }
    shown.push(line);
    used += line.length + 1;
  }
  if (room <= 0) return `${note(0)}\n`;
  return block(shown, note(shown.length));
}

function footer(sha: string | undefined, updatedAt: string | undefined): string {
  const parts: string[] = [];
  if (sha !== undefined && /^[0-9a-f]{7,40}$/i.test(sha)) parts.push(`commit ${sha.slice(0, 7)}`);
  if (updatedAt !== undefined) parts.push(text(formatTime(updatedAt)));
  const detail = parts.length === 0 ? '' : ` for ${parts.join(', ')}`;
  return `\n<sub>Updated by neon-amplify-branch${detail}.</sub>\n`;
}

/** The last resort for a body that is too long even without a diff: cut the end, and say so. */
export function cutToLimit(body: string, limit: number = GITHUB_COMMENT_LIMIT): string {
  const note = '\n\n(Cut to fit GitHub’s comment limit.)\n';
  if (body.length <= limit) return body;
  return `${cutChars(body, Math.max(0, limit - note.length))}${note}`;
}
