import { UsageError } from '../errors.js';
import type { AmplifyApp, AmplifyBranch, AmplifyPort, NeonBranch } from '../ports.js';
import type { DeployPlan } from './deploy.js';
import { newExpiry } from './lifecycle.js';
import { createBranch, isNameTaken, type MadeBranch, resolveParent } from './neon-branch.js';
import { amplifyOf, type ExecuteOptions } from './options.js';

/** What Neon said in step 1. */
export interface NeonState {
  /** The preview's Neon branch, when it exists already (not looked up when the create went first). */
  existing: NeonBranch | undefined;
  /** The parent: the branch a primary uses, the one a new preview is made from or a reset goes back to. */
  parent: NeonBranch;
}

/** What Amplify said in step 1. */
export interface AmplifyState {
  amplifyBranch: AmplifyBranch | undefined;
  app: AmplifyApp;
}

/**
 * Step 1, every request sent at once and each answer awaited only where it is needed: the Neon
 * work does not wait for Amplify's answers (nor for the AWS SDK to load), and Amplify's are awaited
 * before the first Amplify write.
 */
export interface DeployReads {
  neon: Promise<NeonState>;
  /** The create sent before any lookup (see DeployPlan.newInGit); `exists` when Neon answered 409. */
  created: Promise<(MadeBranch & { expiresAt: string | undefined }) | 'exists'> | undefined;
  /** Undefined when Amplify is left alone (inside an Amplify build). */
  amplify: AmplifyPort | undefined;
  amplifyState: Promise<AmplifyState> | undefined;
}

export function startReads(plan: DeployPlan, options: ExecuteOptions): DeployReads {
  const { neon, settings, log } = options;
  const amplify = options.neonOnly ? undefined : amplifyOf(options);
  // Neon's requests first: they go out before the Amplify port loads the AWS SDK.
  const created = createsFirst(plan, options, amplify) ? createAtOnce(plan, options) : undefined;
  const neonState = Promise.all([
    plan.primary || created !== undefined ? undefined : neon.findBranchByName(plan.neonBranchName),
    resolveParent(neon, settings),
  ]).then(([existing, parent]) => ({ existing, parent }));
  const amplifyState =
    amplify &&
    Promise.all([amplify.getBranch(plan.gitBranch), amplify.getApp()]).then(([amplifyBranch, app]) => {
      if (amplifyBranch === undefined && !settings.createAmplifyBranch) {
        throw new UsageError(
          `Amplify branch '${plan.gitBranch}' does not exist in app ${settings.amplifyAppId}, and create-amplify-branch is false: connect the branch in Amplify first, or set create-amplify-branch: true`,
        );
      }
      return { amplifyBranch, app };
    });
  // Each is awaited later, or not at all when an earlier step fails: no unhandled rejection meanwhile.
  for (const read of [created, neonState, amplifyState]) read?.catch(() => undefined);
  if (created !== undefined) log.debug('The push created the git branch: creating the Neon branch first');
  return { neon: neonState, created, amplify, amplifyState };
}

/** Every read answered: for the dry run, which reports them all. */
export async function allReads(
  reads: DeployReads,
): Promise<NeonState & { amplifyBranch: AmplifyBranch | undefined; app: AmplifyApp | undefined }> {
  const [neonState, amplifyState] = await Promise.all([reads.neon, reads.amplifyState]);
  return { ...neonState, amplifyBranch: amplifyState?.amplifyBranch, app: amplifyState?.app };
}

/**
 * The push created the git branch, so the Neon branch most likely does not exist: creating it
 * before looking it up saves a round trip. Not when a parent must be looked up first, nor when a
 * missing Amplify branch must stop the deploy before Neon is written to, nor on a dry run.
 */
function createsFirst(plan: DeployPlan, options: ExecuteOptions, amplify: AmplifyPort | undefined): boolean {
  const { settings } = options;
  return (
    plan.newInGit === true &&
    !plan.primary &&
    !settings.dryRun &&
    settings.parentBranch === undefined &&
    (amplify === undefined || settings.createAmplifyBranch)
  );
}

async function createAtOnce(
  plan: DeployPlan,
  options: ExecuteOptions,
): Promise<(MadeBranch & { expiresAt: string | undefined }) | 'exists'> {
  const { neon, settings, log } = options;
  const expiresAt = newExpiry(options);
  try {
    const made = await createBranch({
      neon,
      name: plan.neonBranchName,
      parent: undefined,
      settings,
      log,
      secret: options.secret,
      expiresAt,
    });
    return { ...made, expiresAt };
  } catch (error) {
    if (isNameTaken(error)) return 'exists';
    throw error;
  }
}
