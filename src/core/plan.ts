import { SettingError } from './errors.js';
import { neonBranchName } from './naming.js';
import type { Settings } from './settings.js';

/** What an event asks for, before settings are applied. */
export type Intent =
  | { command: 'deploy' | 'cleanup'; gitBranch: string }
  | { command: 'reconcile' }
  | { command: 'none'; reason: string };

export type Plan =
  | { kind: 'none'; reason: string }
  | {
      kind: 'deploy';
      gitBranch: string;
      neonBranchName: string;
      /** A primary branch gets the parent's database, not a branch of its own. */
      primary: boolean;
    }
  | { kind: 'cleanup'; gitBranch: string; neonBranchName: string; deleteAmplifyBranch: boolean }
  | { kind: 'reconcile'; prefix: string; primaryBranches: string[] };

export interface PlanContext {
  /** The repository's default branch, when the event tells it (the CLI passes `main`). */
  defaultBranch: string | undefined;
}

/** Pure: an intent and the settings become the plan the executor runs. */
export function makePlan(intent: Intent, settings: Settings, context: PlanContext): Plan {
  const primaryBranches =
    settings.primaryBranches ?? (context.defaultBranch === undefined ? [] : [context.defaultBranch]);
  switch (intent.command) {
    case 'none':
      return { kind: 'none', reason: intent.reason };
    case 'reconcile':
      if (settings.branchPrefix === '') {
        throw SettingError.invalid(
          'branch-prefix',
          '',
          'reconcile refuses to run without a prefix, since every Neon branch would be a candidate for deletion; expected a prefix such as preview/',
        );
      }
      return { kind: 'reconcile', prefix: settings.branchPrefix, primaryBranches };
    case 'deploy':
      return {
        kind: 'deploy',
        gitBranch: intent.gitBranch,
        neonBranchName: neonBranchName(settings.branchPrefix, intent.gitBranch),
        primary: primaryBranches.includes(intent.gitBranch),
      };
    case 'cleanup':
      if (primaryBranches.includes(intent.gitBranch)) {
        return {
          kind: 'none',
          reason: `'${intent.gitBranch}' is a primary branch: it uses the parent database, which is never deleted`,
        };
      }
      return {
        kind: 'cleanup',
        gitBranch: intent.gitBranch,
        neonBranchName: neonBranchName(settings.branchPrefix, intent.gitBranch),
        deleteAmplifyBranch: settings.deleteAmplifyBranch,
      };
  }
}

/** One line a person reads before anything happens, and what dry-run prints. */
export function describePlan(plan: Plan, settings: Settings): string {
  switch (plan.kind) {
    case 'none':
      return `Nothing to do: ${plan.reason}`;
    case 'deploy':
      return plan.primary
        ? `Deploy primary branch '${plan.gitBranch}': write the parent Neon branch's connection string to Amplify branch '${plan.gitBranch}' as ${settings.envVarName}${settings.startJob ? ', then start a job' : ''}`
        : `Deploy '${plan.gitBranch}': find or create Neon branch '${plan.neonBranchName}', write its connection string to Amplify branch '${plan.gitBranch}' as ${settings.envVarName}${settings.startJob ? ', then start a job' : ''}`;
    case 'cleanup':
      return `Clean up '${plan.gitBranch}': delete Neon branch '${plan.neonBranchName}'${plan.deleteAmplifyBranch ? ` and Amplify branch '${plan.gitBranch}'` : ''}`;
    case 'reconcile':
      return `Reconcile: delete Neon branches starting with '${plan.prefix}' that no Amplify branch maps to`;
  }
}
