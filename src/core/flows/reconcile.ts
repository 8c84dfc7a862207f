import { messageOf } from '../errors.js';
import { neonBranchName } from '../naming.js';
import type { Plan } from '../plan.js';
import type { NeonBranch } from '../ports.js';
import type { ReconcileReport, ReconcileResult } from '../result.js';
import { refuseToDelete } from './never-delete.js';
import { amplifyOf, type ExecuteOptions } from './options.js';

export type ReconcilePlan = Extract<Plan, { kind: 'reconcile' }>;

/** Thrown when reconcile could not delete some branches; carries what it did do. */
export class ReconcileError extends Error {
  override name = 'ReconcileError';
  constructor(
    message: string,
    readonly result: ReconcileResult,
  ) {
    super(message);
  }
}

/**
 * Reconcile: every prefixed Neon branch that no Amplify branch (nor primary branch) maps to goes.
 * Names are mapped forward through the naming function; nothing parses a git branch back out.
 */
export async function reconcile(plan: ReconcilePlan, options: ExecuteOptions): Promise<ReconcileResult> {
  const { neon, settings } = options;
  const [neonBranches, amplifyNames] = await Promise.all([
    neon.listBranches(plan.prefix),
    amplifyOf(options).listBranchNames(),
  ]);
  const wanted = new Set(
    [...amplifyNames, ...plan.primaryBranches].map((name) => neonBranchName(plan.prefix, name)),
  );
  const report: ReconcileReport = { deleted: [], gone: [], wouldDelete: [], kept: [], failed: [] };
  for (const branch of neonBranches) {
    await settle(branch, { plan, wanted, report, options });
  }

  const result: ReconcileResult = { kind: 'reconcile', dryRun: settings.dryRun, report };
  if (report.failed.length > 0) {
    throw new ReconcileError(
      `Reconcile deleted ${report.deleted.length} Neon branch(es) but could not delete ${report.failed.length}: ${report.failed.map((f) => f.message).join('; ')}`,
      result,
    );
  }
  return result;
}

interface Settle {
  plan: ReconcilePlan;
  wanted: Set<string>;
  report: ReconcileReport;
  options: ExecuteOptions;
}

/** Keeps, deletes or (dry run) would delete one branch, and records which in the report. */
async function settle(branch: NeonBranch, { plan, wanted, report, options }: Settle): Promise<void> {
  const { neon, settings, log } = options;
  if (wanted.has(branch.name)) {
    report.kept.push(branch.name);
    return;
  }
  const refusal = refuseToDelete(branch, plan.prefix);
  if (refusal !== undefined) {
    log.info(`Keeping Neon branch '${branch.name}' (${branch.id}): ${refusal}`);
    report.kept.push(branch.name);
    return;
  }
  if (settings.dryRun) {
    log.info(
      `Dry run: would delete Neon branch '${branch.name}' (${branch.id}): no Amplify branch maps to it`,
    );
    report.wouldDelete.push(branch.name);
    return;
  }
  try {
    if ((await neon.deleteBranch(branch.id)) === 'gone') {
      // Neon deleted it by itself meanwhile (its expires_at passed), or someone else did: not a failure.
      log.info(
        `Neon branch '${branch.name}' (${branch.id}) was already gone (expired, or deleted elsewhere)`,
      );
      report.gone.push(branch.name);
      return;
    }
    log.info(`Deleted Neon branch '${branch.name}' (${branch.id}): no Amplify branch maps to it`);
    report.deleted.push(branch.name);
  } catch (error) {
    // Keep going: one refusal (a branch with children, say) must not spare the others.
    log.warning(messageOf(error));
    report.failed.push({ name: branch.name, message: messageOf(error) });
  }
}
