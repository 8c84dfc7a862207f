import type { GitHubClient } from './client.js';
import type { Repository } from './repository.js';

export interface BranchPullRequest {
  number: number;
  url: string;
  state: 'open' | 'closed';
  headSha: string;
}

/**
 * The pull requests whose head is `branch` in this same repository (`open` by default; `all` for a
 * cleanup, whose pull request may be closed already), newest first.
 *
 * GitHub's `head` filter takes `owner:branch`; without the owner it is silently ignored and every pull
 * request comes back. The answer is checked again here (head ref and head repository), so that a
 * filter GitHub ever ignores, or a fork owned by an account of the same name, never gets a comment
 * meant for our branch.
 */
export async function findBranchPullRequests(
  client: GitHubClient,
  repository: Repository,
  branch: string,
  state: 'open' | 'all' = 'open',
): Promise<BranchPullRequest[]> {
  const fullName = `${repository.owner}/${repository.repo}`.toLowerCase();
  const pulls = await client.paginate(client.rest.pulls.list, {
    ...repository,
    head: `${repository.owner}:${branch}`,
    state,
    per_page: 100,
  });
  return pulls
    .filter((pull) => pull.head.ref === branch && pull.head.repo?.full_name.toLowerCase() === fullName)
    .map((pull) => ({
      number: pull.number,
      url: pull.html_url,
      state: pull.state === 'closed' ? 'closed' : 'open',
      headSha: pull.head.sha,
    }));
}
