import type { Logger } from '../core/ports.js';
import type { GitHubClient } from './client.js';
import { bestEffort } from './permissions.js';
import { findBranchPullRequests } from './pull-requests.js';
import type { Repository } from './repository.js';
import { type StickyCommentResult, upsertStickyComment } from './sticky-comment.js';

export interface CommentOnPullRequestsInput {
  client: GitHubClient;
  repository: Repository;
  gitBranch: string;
  body: string;
  log: Logger;
  /**
   * The pull requests to comment on, when the event names them (a closed pull request). Left out, the
   * open pull requests whose head is `gitBranch` in this repository are looked up (all of them, open
   * or closed, in `edit-only` mode).
   */
  pullNumbers?: readonly number[] | undefined;
  /** `edit-only` for a cleanup: say "deleted" where a comment exists, never start a new one. */
  mode?: 'upsert' | 'edit-only';
}

export interface PullRequestComment extends StickyCommentResult {
  pullNumber: number;
}

/**
 * The sticky comment on every pull request of the branch. Never throws: a comment is a report, so a
 * missing permission, a locked conversation or GitHub being down is a warning (naming the permission
 * when that is the cause) and the deploy carries on. Returns the comments written or found.
 */
export async function commentOnPullRequests(
  input: CommentOnPullRequestsInput,
): Promise<PullRequestComment[]> {
  const mode = input.mode ?? 'upsert';
  let numbers = input.pullNumbers;
  if (numbers === undefined) {
    const pulls = await bestEffort(
      // Named for the write the whole step needs, which includes this read.
      { what: `Looking up the pull requests of '${input.gitBranch}'`, permission: 'pull-requests: write' },
      input.log,
      () =>
        findBranchPullRequests(
          input.client,
          input.repository,
          input.gitBranch,
          mode === 'upsert' ? 'open' : 'all',
        ),
    );
    if (pulls === undefined) return [];
    numbers = pulls.map((pull) => pull.number);
  }
  if (numbers.length === 0) {
    input.log.info(
      mode === 'upsert'
        ? `No open pull request has '${input.gitBranch}' as its head: no comment`
        : `No pull request of '${input.gitBranch}' to update`,
    );
    return [];
  }
  const results: PullRequestComment[] = [];
  for (const pullNumber of numbers) {
    const result = await bestEffort(
      { what: `Commenting on pull request #${pullNumber}`, permission: 'pull-requests: write' },
      input.log,
      () =>
        upsertStickyComment({
          client: input.client,
          repository: input.repository,
          issueNumber: pullNumber,
          gitBranch: input.gitBranch,
          body: input.body,
          log: input.log,
          mode,
        }),
    );
    if (result === undefined) continue;
    if (result.action !== 'absent')
      input.log.info(`Pull request #${pullNumber}: comment ${result.action} (${result.url})`);
    results.push({ pullNumber, ...result });
  }
  return results;
}
