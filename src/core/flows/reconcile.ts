import { forEachConcurrently } from '../concurrency.js';
import { messageOf } from '../errors.js';
import { neonBranchName } from '../naming.js';
import type { ReconcilePlan } from '../plan.js';
import type { NeonBranch } from '../ports.js';
import type { ReconcileReport, ReconcileResult } from '../result.js';
import { amplifyOf, type ExecuteOptions } from './options.js';
import { refuseToDelete } from './out-of-reach.js';

/**
 * Deletions in flight at once. The Neon port paces every request to Neon's rate limit; this only
 * needs to be enough to keep that pace when each request takes a while (40 a second at 250 ms
 * each is 10 in flight), and few enough that a 429 finds few others already on their way.
 */
const DELETE_CONCURRENCY = 10;

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
  // Concurrently, each branch once (by id); reported in the listing's order whatever the timing.
  const branches = [...new Map(neonBranches.map((branch) => [branch.id, branch])).values()];
  const outcomes: Outcome[] = [];
  await forEachConcurrently(branches, DELETE_CONCURRENCY, async (branch, index) => {
    outcomes[index] = await settle(branch, { plan, wanted, options });
  });
  const report: ReconcileReport = { deleted: [], gone: [], wouldDelete: [], kept: [], failed: [] };
  for (const outcome of outcomes) {
    if (outcome.kind === 'failed') report.failed.push({ name: outcome.name, message: outcome.message });
    else report[outcome.kind].push(outcome.name);
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
  options: ExecuteOptions;
}

type Outcome =
  | { kind: 'kept' | 'deleted' | 'gone' | 'wouldDelete'; name: string }
  | { kind: 'failed'; name: string; message: string };

/** Keeps, deletes or (dry run) would delete one branch, and says which. */
async function settle(branch: NeonBranch, { plan, wanted, options }: Settle): Promise<Outcome> {
  const { neon, settings, log } = options;
  const { name } = branch;
  if (wanted.has(name)) return { kind: 'kept', name };
  const refusal = refuseToDelete(branch, { branchPrefix: plan.prefix, parentBranch: settings.parentBranch });
  if (refusal !== undefined) {
    log.info(`Keeping Neon branch '${name}' (${branch.id}): ${refusal}`);
    return { kind: 'kept', name };
  }
  if (settings.dryRun) {
    log.info(`Dry run: would delete Neon branch '${name}' (${branch.id}): no Amplify branch maps to it`);
    return { kind: 'wouldDelete', name };
  }
  try {
    // One call per branch: the port's retries end a DELETE that already went through as 'gone'.
    if ((await neon.deleteBranch(branch.id)) === 'gone') {
      // Neon deleted it by itself meanwhile (its expires_at passed), or someone else did: not a failure.
      log.info(`Neon branch '${name}' (${branch.id}) was already gone (expired, or deleted elsewhere)`);
      return { kind: 'gone', name };
    }
    log.info(`Deleted Neon branch '${name}' (${branch.id}): no Amplify branch maps to it`);
    return { kind: 'deleted', name };
  } catch (error) {
    // Keep going: one refusal (a branch with children, say) must not spare the others.
    log.warning(messageOf(error));
    return { kind: 'failed', name, message: messageOf(error) };
  }
}
