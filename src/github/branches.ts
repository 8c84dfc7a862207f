import type { GitHubClient } from './client.js';
import type { Repository } from './repository.js';

/**
 * The commit at the head of `branch`, or undefined when GitHub has no such branch (404 "Branch not
 * found"): a deployment needs a sha, and a CLI or webhook run may know only the branch name. Other
 * failures throw, for the caller's best-effort wrapper to report.
 */
export async function readBranchHead(
  client: GitHubClient,
  repository: Repository,
  branch: string,
): Promise<string | undefined> {
  try {
    const { data } = await client.rest.repos.getBranch({ ...repository, branch });
    return data.commit.sha;
  } catch (error) {
    // Only GitHub's own "Branch not found": a plain 404 "Not Found" is a repository the token cannot see.
    const { status, response } = (error ?? {}) as {
      status?: unknown;
      response?: { data?: { message?: unknown } };
    };
    if (status === 404 && response?.data?.message === 'Branch not found') return undefined;
    throw error;
  }
}
