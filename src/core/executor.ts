import { afterDeploy } from './flows/after-deploy.js';
import { cleanup } from './flows/cleanup.js';
import { deploy } from './flows/deploy.js';
import { AmplifyJobError } from './flows/job-outcome.js';
import { list } from './flows/list.js';
import type { ExecuteOptions } from './flows/options.js';
import { ReconcileError, reconcile } from './flows/reconcile.js';
import type { Plan } from './plan.js';
import type { Result } from './result.js';

export { AmplifyJobError } from './flows/job-outcome.js';
export type { ExecuteOptions } from './flows/options.js';
export { ReconcileError } from './flows/reconcile.js';

/** The result a failed run still has: a reconcile's partial report, a deploy whose build failed. */
export function resultOf(error: unknown): Result | undefined {
  return error instanceof ReconcileError || error instanceof AmplifyJobError ? error.result : undefined;
}

/** Whether running the plan calls Amplify; the composition root creates the port only then. */
export function needsAmplify(plan: Plan, neonOnly = false): boolean {
  switch (plan.kind) {
    case 'deploy':
      return !neonOnly;
    case 'cleanup':
      return plan.deleteAmplifyBranch || plan.clearAmplifyVariables;
    case 'reconcile':
    case 'list':
      return true;
    case 'none':
      return false;
  }
}

/** Runs a plan through its flow; each flow lives in its own file under flows/. */
export async function execute(plan: Plan, options: ExecuteOptions): Promise<Result> {
  switch (plan.kind) {
    case 'none':
      options.log.info(`Nothing to do: ${plan.reason}`);
      return { kind: 'none', reason: plan.reason };
    case 'deploy':
      return afterDeploy(plan, await deploy(plan, options), options);
    case 'cleanup':
      return cleanup(plan, options);
    case 'reconcile':
      return reconcile(plan, options);
    case 'list':
      return list(plan, options);
  }
}
