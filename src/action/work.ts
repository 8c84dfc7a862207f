import { ReconcileError } from '../core/executor.js';
import type { Plan } from '../core/plan.js';
import type { Result } from '../core/result.js';
import { type RunOptions, runPlan } from '../runner.js';

export interface WorkOptions extends RunOptions {
  /** Writes the outputs and summary; called here only for a reconcile that failed part-way. */
  report(plan: Plan, result: Result): Promise<void>;
}

/**
 * The part of the action that talks to Neon and Amplify, imported by main.ts only when the plan
 * has work: it brings the AWS SDK, the Neon client and every flow with it.
 */
export async function work(plan: Plan, { report, ...options }: WorkOptions): Promise<Result> {
  try {
    return await runPlan(plan, options);
  } catch (error) {
    // What was deleted before the failure is still reported: the outputs and the summary list it.
    if (error instanceof ReconcileError) await report(plan, error.result);
    throw error;
  }
}
