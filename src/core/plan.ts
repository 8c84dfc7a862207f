import { SettingError } from './errors.js';
import { AMPLIFY_BRANCH_NAME_LIMIT, isValidGitBranchName, neonBranchName } from './naming.js';
import { connectionVariableNames, type Settings } from './settings.js';

/** What an event asks for, before settings are applied. */
export type Intent =
  | {
      command: 'deploy' | 'cleanup';
      gitBranch: string;
      /** The push that created the git branch (its `created: true`): its Neon branch is likely new too. */
      newInGit?: boolean | undefined;
    }
  | { command: 'reconcile' | 'list' }
  | { command: 'none'; reason: string };

export type Plan =
  | { kind: 'none'; reason: string }
  | {
      kind: 'deploy';
      gitBranch: string;
      neonBranchName: string;
      /** A primary branch gets the parent's database, not a branch of its own. */
      primary: boolean;
      /**
       * The push created the git branch: the deploy tries to create the Neon branch before looking
       * for it (a 409 then means it exists), which saves a round trip on the first push.
       */
      newInGit?: boolean | undefined;
    }
  | {
      kind: 'cleanup';
      gitBranch: string;
      neonBranchName: string;
      deleteAmplifyBranch: boolean;
      /**
       * Remove the connection string from the kept Amplify branch, so nothing points at a deleted
       * database; only when an Amplify app is configured.
       */
      clearAmplifyVariables: boolean;
    }
  | { kind: 'reconcile'; prefix: string; primaryBranches: string[] }
  /** Read only: the previews as they stand, one row per Neon branch under the prefix. */
  | { kind: 'list'; prefix: string };

/** Each plan by its kind, for the flow that runs it and whatever reports it. */
export type DeployPlan = Extract<Plan, { kind: 'deploy' }>;
export type CleanupPlan = Extract<Plan, { kind: 'cleanup' }>;
export type ReconcilePlan = Extract<Plan, { kind: 'reconcile' }>;
export type ListPlan = Extract<Plan, { kind: 'list' }>;

/** A plan about one git branch, which a delivery runs and GitHub is told of: a deploy or a cleanup. */
export type WorkPlan = DeployPlan | CleanupPlan;

export function isWorkPlan(plan: Plan): plan is WorkPlan {
  return plan.kind === 'deploy' || plan.kind === 'cleanup';
}

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
    case 'list':
      return { kind: 'list', prefix: settings.branchPrefix };
    case 'deploy':
      checkBranchName(intent.gitBranch, { amplify: true });
      return {
        kind: 'deploy',
        gitBranch: intent.gitBranch,
        neonBranchName: neonBranchName(settings.branchPrefix, intent.gitBranch),
        primary: primaryBranches.includes(intent.gitBranch),
        ...(intent.newInGit === true ? { newInGit: true } : {}),
      };
    case 'cleanup':
      checkBranchName(intent.gitBranch, { amplify: false });
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
        clearAmplifyVariables: !settings.deleteAmplifyBranch && settings.amplifyAppId !== undefined,
      };
  }
}

/**
 * The one check of a git branch name for every front end, before anything is created: git's own
 * rules (a webhook payload is not to be trusted more than an input), and for a deploy Amplify's
 * 255-character limit, which would otherwise fail only after the Neon branch was made.
 */
function checkBranchName(name: string, { amplify }: { amplify: boolean }): void {
  if (!isValidGitBranchName(name)) {
    throw SettingError.invalid(
      'git-branch',
      name,
      'a git branch name such as feature/login (git check-ref-format rules)',
    );
  }
  if (amplify && name.length > AMPLIFY_BRANCH_NAME_LIMIT) {
    throw SettingError.invalid(
      'git-branch',
      `${name.slice(0, 40)}...`,
      `${name.length} characters; an Amplify branch name holds at most ${AMPLIFY_BRANCH_NAME_LIMIT}, so nothing was created`,
    );
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
      return `Clean up '${plan.gitBranch}': delete Neon branch '${plan.neonBranchName}'${plan.deleteAmplifyBranch ? ` and Amplify branch '${plan.gitBranch}'` : ''}${plan.clearAmplifyVariables ? `, and remove ${connectionVariableNames(settings).join(' and ')} from Amplify branch '${plan.gitBranch}'` : ''}`;
    case 'reconcile':
      return `Reconcile: delete Neon branches starting with '${plan.prefix}' that no Amplify branch maps to`;
    case 'list':
      return `List the previews: Neon branches starting with '${plan.prefix}', their Amplify branches and last jobs`;
  }
}
