import { cleanup } from './flows/cleanup.js';
import { deploy } from './flows/deploy.js';
import type { ExecuteOptions } from './flows/options.js';
import { reconcile } from './flows/reconcile.js';
import type { Plan } from './plan.js';
import type { Result } from './result.js';

export type { ExecuteOptions } from './flows/options.js';
export { ReconcileError } from './flows/reconcile.js';

/** Whether running the plan calls Amplify; the composition root creates the port only then. */
export function needsAmplify(plan: Plan, neonOnly = false): boolean {
  switch (plan.kind) {
    case 'deploy':
      return !neonOnly;
    case 'cleanup':
      return plan.deleteAmplifyBranch || plan.clearAmplifyVariables;
    case 'reconcile':
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
      return deploy(plan, options);
    case 'cleanup':
      return cleanup(plan, options);
    case 'reconcile':
      return reconcile(plan, options);
  }
}
