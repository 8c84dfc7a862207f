import type { Plan } from '../plan.js';
import type { NeonBranch } from '../ports.js';
import type { CleanupResult } from '../result.js';
import { refuseToDelete } from './never-delete.js';
import { amplifyOf, type ExecuteOptions } from './options.js';

export type CleanupPlan = Extract<Plan, { kind: 'cleanup' }>;

/** Cleanup: the preview's Neon branch goes (never one the never-delete rule keeps), and the Amplify branch when asked. */
export async function cleanup(plan: CleanupPlan, options: ExecuteOptions): Promise<CleanupResult> {
  const { neon, settings, log } = options;
  const result: CleanupResult = {
    kind: 'cleanup',
    gitBranch: plan.gitBranch,
    dryRun: settings.dryRun,
    deleted: false,
  };
  const branch = await neon.findBranchByName(plan.neonBranchName);
  const refusal = branch === undefined ? undefined : refuseToDelete(branch, settings.branchPrefix);
  if (branch === undefined) {
    log.info(`Neon branch '${plan.neonBranchName}' does not exist: nothing to delete`);
  } else if (refusal !== undefined) {
    log.warning(`Not deleting Neon branch '${branch.name}' (${branch.id}): ${refusal}`);
  } else {
    result.neonBranch = { id: branch.id, name: branch.name };
    result.deleted = await deleteNeonBranch(branch, options);
  }
  if (plan.deleteAmplifyBranch) await deleteAmplifyBranch(plan, options);
  return result;
}

async function deleteNeonBranch(
  branch: NeonBranch,
  { neon, settings, log }: ExecuteOptions,
): Promise<boolean> {
  if (settings.dryRun) {
    log.info(`Dry run: would delete Neon branch '${branch.name}' (${branch.id})`);
    return false;
  }
  const outcome = await neon.deleteBranch(branch.id);
  log.info(
    outcome === 'deleted'
      ? `Deleted Neon branch '${branch.name}' (${branch.id})`
      : `Neon branch '${branch.name}' (${branch.id}) was already gone`,
  );
  return outcome === 'deleted';
}

async function deleteAmplifyBranch(plan: CleanupPlan, options: ExecuteOptions): Promise<void> {
  const { settings, log } = options;
  if (settings.dryRun) {
    log.info(`Dry run: would delete Amplify branch '${plan.gitBranch}'`);
    return;
  }
  const outcome = await amplifyOf(options).deleteBranch(plan.gitBranch);
  log.info(
    outcome === 'deleted'
      ? `Deleted Amplify branch '${plan.gitBranch}'`
      : `Amplify branch '${plan.gitBranch}' was already gone`,
  );
}
