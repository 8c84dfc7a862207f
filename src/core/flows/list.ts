import { forEachConcurrently } from '../concurrency.js';
import { neonBranchName } from '../naming.js';
import type { ListPlan } from '../plan.js';
import type { AmplifyPort, NeonBranch } from '../ports.js';
import type { ListResult, PreviewRow } from '../result.js';
import { amplifyOf, type ExecuteOptions } from './options.js';

/** GetBranch + GetJob per preview at once: few enough to stay clear of Amplify's throttling. */
const JOB_CONCURRENCY = 5;

/**
 * List: one row per Neon branch under the prefix, with the Amplify branch that maps to it (found
 * forward through the naming function, as reconcile does: nothing parses a git branch back out of
 * a Neon name) and that branch's last job. Reads only; a connection string is never asked for.
 */
export async function list(plan: ListPlan, options: ExecuteOptions): Promise<ListResult> {
  const amplify = amplifyOf(options);
  const [neonBranches, amplifyNames] = await Promise.all([
    options.neon.listBranches(plan.prefix),
    amplify.listBranchNames(),
  ]);
  const byNeonName = new Map(amplifyNames.map((name) => [neonBranchName(plan.prefix, name), name]));
  const branches = [...new Map(neonBranches.map((branch) => [branch.id, branch])).values()];
  const previews: PreviewRow[] = [];
  await forEachConcurrently(branches, JOB_CONCURRENCY, async (branch, index) => {
    previews[index] = await row(branch, byNeonName.get(branch.name), amplify);
  });
  options.log.info(`${previews.length} preview(s) under '${plan.prefix}'`);
  return { kind: 'list', previews };
}

async function row(
  branch: NeonBranch,
  gitBranch: string | undefined,
  amplify: AmplifyPort,
): Promise<PreviewRow> {
  const job = gitBranch === undefined ? undefined : await amplify.latestJob(gitBranch);
  return {
    gitBranch,
    neonBranch: { id: branch.id, name: branch.name },
    createdAt: branch.createdAt,
    expiresAt: branch.expiresAt,
    amplifyBranch: gitBranch,
    lastJob: job === undefined ? undefined : { id: job.id, status: job.status },
  };
}
