import { messageOf } from '../core/errors.js';
import type { Logger } from '../core/ports.js';

/** A workflow `permissions:` entry, spelled as a user writes it. */
export type GitHubPermission =
  | 'pull-requests: write'
  | 'pull-requests: read'
  | 'deployments: write'
  | 'deployments: read'
  | 'contents: read';

/** One GitHub side effect: what it does, in words for a log line, and the permission it needs. */
export interface SideEffect {
  /** `Commenting on pull request #12`, `Creating the deployment for preview/feat/x`. */
  what: string;
  permission: GitHubPermission;
}

interface RequestErrorLike {
  status?: unknown;
  message?: unknown;
  response?:
    | {
        status?: unknown;
        data?: unknown;
        headers?: Record<string, string | undefined>;
      }
    | undefined;
}

/**
 * Runs a GitHub side effect and never lets it fail the run: comments and deployments are reports on
 * the work, and a deploy whose database and build are fine must not turn red because the token
 * cannot write a comment. Every failure becomes one warning that says what to change.
 */
export async function bestEffort<T>(
  effect: SideEffect,
  log: Logger,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    log.warning(explainGitHubFailure(error, effect));
    return undefined;
  }
}

/**
 * The warning for a failed side effect. A missing permission (403 "Resource not accessible by …", or
 * GitHub's `x-accepted-github-permissions`) names the permission to add; a 404 says the token may not
 * see the repository, since GitHub hides private repositories from tokens without access. Only the
 * status, GitHub's message and its request id are used: Octokit's error also holds the request, whose
 * body is ours to keep out of logs.
 */
export function explainGitHubFailure(error: unknown, effect: SideEffect): string {
  const { status, response } = (error ?? {}) as RequestErrorLike;
  const code = typeof response?.status === 'number' ? response.status : undefined;
  const headers = response?.headers ?? {};
  const said = githubMessage(response?.data);
  const requestId = headers['x-github-request-id'];
  const suffix = requestId === undefined ? '' : ` (request id ${requestId})`;
  const skipped = `${effect.what} skipped`;

  if (code === undefined) {
    const reason = messageOf(error);
    const timedOut = /timeout|aborted/i.test(reason) || status === 'ETIMEDOUT';
    return `${skipped}: GitHub did not answer (${timedOut ? 'timed out' : reason}); the deploy itself is not affected`;
  }
  if (code === 401) {
    return `${skipped}: GitHub refused the token (401 ${said ?? 'Bad credentials'}); check the github-token input${suffix}`;
  }
  const accepted = headers['x-accepted-github-permissions'];
  if (code === 403 && (accepted !== undefined || /not accessible by/i.test(said ?? ''))) {
    const alternatives = accepted === undefined ? '' : ` (GitHub accepts ${describeAccepted(accepted)})`;
    return (
      `${skipped}: the GitHub token lacks the permission \`${effect.permission}\`${alternatives}. ` +
      `Add \`${effect.permission}\` under \`permissions:\` in the workflow, or grant it to the token. ` +
      `GitHub said: 403 ${said ?? 'Forbidden'}${suffix}`
    );
  }
  if (code === 403 || code === 429) {
    const limited = headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(said ?? '');
    if (limited) return `${skipped}: GitHub's rate limit is used up (${code} ${said ?? ''})${suffix}`;
  }
  if (code === 404) {
    return (
      `${skipped}: GitHub answered 404 ${said ?? 'Not Found'}. The token may not see this repository, or ` +
      `lacks \`${effect.permission}\` (GitHub hides what a token may not read)${suffix}`
    );
  }
  return `${skipped}: GitHub answered ${code} ${said ?? ''}${validationDetail(response?.data)}${suffix}`.trimEnd();
}

/** `issues=write; pull_requests=write` → `issues: write or pull-requests: write`, the workflow spelling. */
function describeAccepted(header: string): string {
  return header
    .split(';')
    .map((set) =>
      set
        .split(',')
        .map((entry) => {
          const [name = '', access = ''] = entry.trim().split('=');
          return `${name.replaceAll('_', '-')}: ${access}`;
        })
        .join(' and '),
    )
    .join(' or ');
}

function githubMessage(data: unknown): string | undefined {
  if (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { message?: unknown }).message === 'string'
  ) {
    return (data as { message: string }).message;
  }
  return typeof data === 'string' && data !== '' ? data.slice(0, 200) : undefined;
}

/** GitHub's 422 `errors` (`Body is too long …`), which say more than "Validation Failed". */
function validationDetail(data: unknown): string {
  const errors = (data as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return '';
  const parts = errors.map((entry) =>
    typeof entry === 'string'
      ? entry
      : typeof (entry as { message?: unknown }).message === 'string'
        ? (entry as { message: string }).message
        : `${String((entry as { field?: unknown }).field)} ${String((entry as { code?: unknown }).code)}`,
  );
  return `: ${parts.join('; ')}`;
}
