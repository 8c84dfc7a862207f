import { messageOf } from '../../core/errors.js';
import { readBranchHead } from '../../github/branches.js';
import { parseRepository } from '../../github/repository.js';
import type { JsonLogger } from '../config/log.js';
import type { Delivery } from '../delivery/types.js';

export type Verdict = { ok: true } | { ok: false; reason: string };

export interface GuardOptions {
  /** GitHub's API root: GITHUB_API_URL, default https://api.github.com. */
  apiUrl: string | undefined;
  log: JsonLogger;
}

/**
 * GitHub signs a delivery but puts no time in the signature, and the delivery-id memory is lost on a
 * restart, so a captured `pull_request closed` could be sent again later to delete a live preview.
 * With a GitHub token configured, a cleanup first asks GitHub whether the claim still holds: the pull
 * request is still closed, the branch is still gone; and the claim must be about the branch being
 * cleaned up, or a closed pull request's number could vouch for deleting any branch. A cleanup with
 * no claim to check is refused. Without a token the delivery is taken as it is (docs/webhook.md,
 * "Replayed cleanups", says so). A check that cannot be made fails the delivery, so it is retried.
 */
export async function confirmCleanup(delivery: Delivery, options: GuardOptions): Promise<Verdict> {
  const claim = delivery.claim;
  const token = delivery.settings.githubToken;
  const repository = parseRepository(delivery.repository);
  if (delivery.plan.kind !== 'cleanup' || token === undefined) return { ok: true };
  const branch = delivery.plan.gitBranch;
  if (claim === undefined || repository === undefined) {
    return { ok: false, reason: `nothing says that branch '${branch}' was closed or deleted on GitHub` };
  }
  const fullName = `${repository.owner}/${repository.repo}`;
  if (claim.kind === 'branch-deleted' && claim.branch !== branch) {
    return { ok: false, reason: `the deletion of '${claim.branch}' is not about branch '${branch}'` };
  }
  // Octokit (and undici under it) loads with the first check, not with the server: most deliveries
  // never need it (a chunk file of its own, scripts/build.js).
  const { createGitHubClient } = await import('../../github/client.js');
  const client = createGitHubClient({
    token,
    ...(options.apiUrl === undefined ? {} : { baseUrl: options.apiUrl }),
    log: { info: () => {}, warning: (message) => options.log.warning(message), debug: () => {} },
  });
  try {
    if (claim.kind === 'pull-request-closed') {
      const { data } = await client.rest.pulls.get({ ...repository, pull_number: claim.number });
      const head = data.head.repo?.full_name ?? '';
      if (data.head.ref !== branch || head.toLowerCase() !== fullName.toLowerCase()) {
        return {
          ok: false,
          reason: `pull request #${claim.number} is not about branch '${branch}' of ${fullName}`,
        };
      }
      return data.state === 'closed'
        ? { ok: true }
        : { ok: false, reason: `pull request #${claim.number} is open again on GitHub` };
    }
    const head = await readBranchHead(client, repository, claim.branch);
    return head === undefined
      ? { ok: true }
      : { ok: false, reason: `branch '${claim.branch}' exists again on GitHub` };
  } catch (error) {
    throw new Error(
      `Checking the delivery with GitHub before deleting anything failed: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
}
