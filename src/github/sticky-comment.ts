import type { Logger } from '../core/ports.js';
import type { GitHubClient } from './client.js';
import { cutToLimit } from './comment-body.js';
import { commentMarker, GITHUB_COMMENT_LIMIT, hasMarker } from './comment-marker.js';
import { learnTokenLogin, tokenLogin } from './identity.js';
import type { Repository } from './repository.js';

export interface StickyCommentInput {
  client: GitHubClient;
  repository: Repository;
  /** The pull request (GitHub files its comments under the issue of the same number). */
  issueNumber: number;
  gitBranch: string;
  /** The whole comment; the marker is put first when it is not there already. */
  body: string;
  log: Logger;
  /** `edit-only` (a cleanup) edits an existing comment and never creates one. Default `upsert`. */
  mode?: 'upsert' | 'edit-only';
}

export interface StickyCommentResult {
  action: 'created' | 'updated' | 'unchanged' | 'absent';
  commentId?: number;
  url?: string;
  /** Duplicates deleted (left by concurrent runs). */
  removed: number;
}

interface MarkedComment {
  id: number;
  body: string;
  createdAt: string;
  url: string;
  /** The author's login: only the token's own comments are edited or deleted. */
  author: string;
}

/**
 * One comment per pull request and git branch, whatever the number of runs: the token's own comment
 * whose first line is the branch's marker is edited in place, or created when there is none.
 *
 * Two runs for the same branch can overlap (a push while the previous run still comments). Each looks
 * again right before creating, which closes most of the window; when both create anyway, each lists
 * again afterwards and the same rule settles it: the oldest comment stays and carries the body, every
 * other one is deleted. The run that created later always sees both (its own exists only after the
 * other's), so one of the two always cleans up, and both keep the same comment.
 */
export async function upsertStickyComment(input: StickyCommentInput): Promise<StickyCommentResult> {
  const marker = commentMarker(input.gitBranch);
  const body = withMarker(input.body, marker, input.log);
  // A comment deleted between our read and our edit (another run's cleanup) sends us round once more.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await upsertOnce(input, marker, body);
    } catch (error) {
      if (attempt >= 2 || !isNotFound(error)) throw error;
      input.log.debug(
        `The comment on pull request #${input.issueNumber} went away while it was edited; looking again`,
      );
    }
  }
}

async function upsertOnce(
  input: StickyCommentInput,
  marker: string,
  body: string,
): Promise<StickyCommentResult> {
  let marked = await listMarked(input, marker);
  if (marked.length === 0 && input.mode === 'edit-only') return { action: 'absent', removed: 0 };
  if (marked.length === 0) {
    // Rendering and the first look take time; a run that started just before us may have created it.
    marked = await listMarked(input, marker);
  }
  if (marked.length > 0) {
    const own = await ownComments(input, marked, await tokenLogin(input.client));
    if (own.length > 0) return settle(input, own, body, undefined);
    if (input.mode === 'edit-only') return { action: 'absent', removed: 0 };
  }

  const { data } = await input.client.rest.issues.createComment({
    ...input.repository,
    issue_number: input.issueNumber,
    body,
  });
  // Its author is the token's identity: learnt without asking.
  learnTokenLogin(input.client, data.user?.login);
  const login = await tokenLogin(input.client);
  const created: MarkedComment = {
    id: data.id,
    body,
    createdAt: data.created_at,
    url: data.html_url,
    author: login,
  };
  const after = await ownComments(input, await listMarked(input, marker), login, false);
  if (!after.some((comment) => comment.id === created.id)) after.push(created);
  return settle(input, after, body, created.id);
}

/**
 * The marked comments the token itself wrote. Anyone can start a comment with the marker: another
 * author's is never adopted, edited or deleted as a duplicate (docs/github.md, "The comment").
 */
async function ownComments(
  input: StickyCommentInput,
  marked: MarkedComment[],
  login: string,
  say = true,
): Promise<MarkedComment[]> {
  const own = marked.filter((comment) => comment.author === login);
  const others = marked.length - own.length;
  if (say && others > 0) {
    input.log.info(
      `Pull request #${input.issueNumber}: left alone ${others} comment${others === 1 ? '' : 's'} with the marker written by someone other than ${login}`,
    );
  }
  return own;
}

/** Keeps the oldest marked comment with `body` in it and deletes the others. */
async function settle(
  input: StickyCommentInput,
  marked: MarkedComment[],
  body: string,
  createdId: number | undefined,
): Promise<StickyCommentResult> {
  const [keep, ...others] = [...marked].sort(
    (a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id - b.id,
  );
  if (keep === undefined) throw new Error('settle needs at least one comment');
  let action: StickyCommentResult['action'];
  if (keep.id === createdId) action = 'created';
  else if (keep.body === body) action = 'unchanged';
  else {
    await input.client.rest.issues.updateComment({ ...input.repository, comment_id: keep.id, body });
    // Also when this run created one but a concurrent run's older comment is the one kept.
    action = 'updated';
  }
  let removed = 0;
  for (const duplicate of others) {
    try {
      await input.client.rest.issues.deleteComment({ ...input.repository, comment_id: duplicate.id });
      removed += 1;
    } catch (error) {
      // The other run deleted it first: the outcome we wanted.
      if (!isNotFound(error)) throw error;
    }
  }
  if (removed > 0) {
    input.log.info(
      `Removed ${removed} duplicate comment${removed === 1 ? '' : 's'} on pull request #${input.issueNumber} left by a concurrent run`,
    );
  }
  return { action, commentId: keep.id, url: keep.url, removed };
}

/** Every comment of the pull request whose first line is the marker, across all pages. */
async function listMarked(input: StickyCommentInput, marker: string): Promise<MarkedComment[]> {
  const found: MarkedComment[] = [];
  const pages = input.client.paginate.iterator(input.client.rest.issues.listComments, {
    ...input.repository,
    issue_number: input.issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    for (const comment of page.data) {
      if (hasMarker(comment.body, marker)) {
        found.push({
          id: comment.id,
          body: comment.body ?? '',
          createdAt: comment.created_at,
          url: comment.html_url,
          author: comment.user?.login ?? '',
        });
      }
    }
  }
  return found;
}

function withMarker(body: string, marker: string, log: Logger): string {
  const marked = hasMarker(body, marker) ? body : `${marker}\n${body}`;
  if (marked.length <= GITHUB_COMMENT_LIMIT) return marked;
  log.warning(
    `The pull request comment has ${marked.length} characters, past GitHub's ${GITHUB_COMMENT_LIMIT}; its end was cut`,
  );
  return cutToLimit(marked, GITHUB_COMMENT_LIMIT);
}

function isNotFound(error: unknown): boolean {
  return (error as { status?: unknown } | null)?.status === 404;
}
