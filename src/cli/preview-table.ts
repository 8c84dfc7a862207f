import type { PreviewRow } from '../core/result.js';

const HEADERS = ['GIT BRANCH', 'NEON BRANCH', 'NEON ID', 'CREATED', 'EXPIRES', 'AMPLIFY BRANCH', 'LAST JOB'];

/**
 * `list` as a plain table, columns padded to their widest cell; `-` where there is nothing (a Neon
 * branch no Amplify branch maps to, a branch without a job or expiry).
 */
export function previewTable(previews: readonly PreviewRow[]): string {
  if (previews.length === 0) return 'No previews.\n';
  const rows = [HEADERS, ...previews.map(cells)];
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((value, column) => value.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

function cells(preview: PreviewRow): string[] {
  const job = preview.lastJob;
  return [
    preview.gitBranch ?? '-',
    preview.neonBranch.name,
    preview.neonBranch.id,
    preview.createdAt ?? '-',
    preview.expiresAt ?? '-',
    preview.amplifyBranch ?? '-',
    job === undefined ? '-' : `${job.id} ${job.status}`,
  ].map(printable);
}

/** A branch name is anyone's text: control characters would move the terminal's cursor. */
function printable(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return value.replace(/[\u0000-\u001f\u007f]/g, '?');
}
