import type { CleanupPlan } from '../plan.js';
import type { NeonBranch } from '../ports.js';
import type { CleanupResult } from '../result.js';
import { connectionVariableNames } from '../settings.js';
import { amplifyOf, type ExecuteOptions } from './options.js';
import { refuseToDelete } from './out-of-reach.js';

/**
 * Cleanup: the preview's Neon branch goes (never one refuseToDelete keeps), and the Amplify branch
 * or its variables when asked. A Neon branch that is kept, or whose delete Neon refuses (the error
 * ends the run), leaves the Amplify side as it was.
 */
export async function cleanup(plan: CleanupPlan, options: ExecuteOptions): Promise<CleanupResult> {
  const { neon, settings, log } = options;
  const result: CleanupResult = {
    kind: 'cleanup',
    gitBranch: plan.gitBranch,
    dryRun: settings.dryRun,
    deleted: false,
  };
  const branch = await neon.findBranchByName(plan.neonBranchName);
  const refusal = branch === undefined ? undefined : refuseToDelete(branch, settings);
  if (branch === undefined) {
    log.info(`Neon branch '${plan.neonBranchName}' does not exist: nothing to delete`);
  } else if (refusal !== undefined) {
    log.warning(`Not deleting Neon branch '${branch.name}' (${branch.id}): ${refusal}`);
    // The Amplify branch of a kept database is in use (with an empty prefix, it is production's):
    // its variables stay, and so does it.
    if (plan.deleteAmplifyBranch || plan.clearAmplifyVariables) {
      log.info(`Amplify branch '${plan.gitBranch}' is left alone: its Neon branch is kept`);
    }
    return { ...result, kept: refusal };
  } else {
    result.neonBranch = { id: branch.id, name: branch.name };
    result.deleted = await deleteNeonBranch(branch, options);
  }
  if (plan.deleteAmplifyBranch) await deleteAmplifyBranch(plan, options);
  if (plan.clearAmplifyVariables) await clearAmplifyVariables(plan, options);
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

/**
 * The kept Amplify branch loses the connection string, so nothing points at a deleted database:
 * one read-merge-write, every other variable kept (UpdateBranch replaces the whole map).
 */
async function clearAmplifyVariables(plan: CleanupPlan, options: ExecuteOptions): Promise<void> {
  const { settings, log } = options;
  const amplify = amplifyOf(options);
  const branch = await amplify.getBranch(plan.gitBranch);
  if (branch === undefined) {
    log.info(`Amplify branch '${plan.gitBranch}' does not exist: no variable to remove`);
    return;
  }
  const names = connectionVariableNames(settings).filter((name) => name in branch.environmentVariables);
  if (names.length === 0) {
    log.info(`Amplify branch '${plan.gitBranch}' has no ${settings.envVarName}: nothing to remove`);
    return;
  }
  if (settings.dryRun) {
    log.info(`Dry run: would remove ${names.join(', ')} from Amplify branch '${plan.gitBranch}'`);
    return;
  }
  const kept = Object.fromEntries(
    Object.entries(branch.environmentVariables).filter(([name]) => !names.includes(name)),
  );
  await amplify.setEnvironmentVariables(plan.gitBranch, kept);
  log.info(
    `Removed ${names.join(', ')} from Amplify branch '${plan.gitBranch}', keeping its ${Object.keys(kept).length} other variable(s)`,
  );
}
