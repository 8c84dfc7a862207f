import { UsageError } from '../errors.js';
import type { DeployPlan } from '../plan.js';
import type { AmplifyApp, AmplifyBranch, AmplifyPort, NeonBranch } from '../ports.js';
import { newExpiry } from './lifecycle.js';
import { createBranch, isNameTaken, type MadeBranch, resolveParent } from './neon-branch.js';
import { amplifyOf, type ExecuteOptions } from './options.js';

/** What Neon said in step 1. */
export interface NeonState {
  /** The preview's Neon branch, when it exists already. */
  existing: NeonBranch | undefined;
  /**
   * The parent: the branch a primary uses, the one a new preview is made from or a reset goes back
   * to. Read in step 1 only when a step is sure to need it (see needsParent); else undefined, and
   * `readParent` reads it for a step that turns out to.
   */
  parent: NeonBranch | undefined;
  readParent: () => Promise<NeonBranch>;
}

/** The parent as step 1 read it, or read now (once). */
export function parentOf(state: NeonState): Promise<NeonBranch> {
  return state.parent === undefined ? state.readParent() : Promise.resolve(state.parent);
}

/** What Amplify said in step 1. */
export interface AmplifyState {
  amplifyBranch: AmplifyBranch | undefined;
  app: AmplifyApp;
}

/** A branch this run created, with the expiry it was created with. */
export type NewBranch = MadeBranch & { expiresAt: string | undefined };

/**
 * Step 1, every request sent at once and each answer awaited only where it is needed: the Neon
 * work does not wait for Amplify's answers (nor for the AWS SDK to load), and Amplify's are awaited
 * before the first Amplify write.
 */
export interface DeployReads {
  /**
   * The preview and the parent. When the create went first (see DeployPlan.newInGit), the preview is
   * looked up only after Neon answered 409 (it exists), and is otherwise undefined.
   */
  neon: Promise<NeonState>;
  /** The branch the create sent before any lookup made; undefined when none was sent or Neon answered 409. */
  made: Promise<NewBranch | undefined>;
  /** Undefined when Amplify is left alone (inside an Amplify build). */
  amplify: { port: AmplifyPort; state: Promise<AmplifyState> } | undefined;
}

/** Everything step 1 read, answered: for the dry run, which reports it all. */
export type AllReads = NeonState & {
  parent: NeonBranch;
  amplifyBranch: AmplifyBranch | undefined;
  app: AmplifyApp | undefined;
};

export function startReads(plan: DeployPlan, options: ExecuteOptions): DeployReads {
  const { neon, settings, log } = options;
  const port = options.neonOnly ? undefined : amplifyOf(options);
  // Neon's requests first: they go out before the Amplify port loads the AWS SDK.
  const created = createsFirst(plan, options, port) ? createAtOnce(plan, options) : undefined;
  if (created !== undefined) log.debug('The push created the git branch: creating the Neon branch first');
  const find = () => neon.findBranchByName(plan.neonBranchName);
  const existing = plan.primary
    ? undefined
    : created === undefined
      ? find()
      : created.then((made) => {
          if (made !== 'exists') return undefined;
          log.info(`Neon branch '${plan.neonBranchName}' exists already`);
          return find();
        });
  let parentRead: Promise<NeonBranch> | undefined;
  const readParent = () => {
    parentRead ??= resolveParent(neon, settings);
    return parentRead;
  };
  const neonState = Promise.all([existing, needsParent(plan, options) ? readParent() : undefined]).then(
    ([found, parent]) => ({ existing: found, parent, readParent }),
  );
  const made = (created ?? Promise.resolve(undefined)).then((c) => (c === 'exists' ? undefined : c));
  const amplifyState = port && readAmplify(plan, port, options);
  // Each is awaited later, or not at all when an earlier step fails: no unhandled rejection meanwhile.
  for (const read of [made, neonState, amplifyState]) read?.catch(() => undefined);
  return { neon: neonState, made, amplify: port && amplifyState && { port, state: amplifyState } };
}

/** GetBranch and GetApp, with the refusal of a missing branch that may not be created. */
async function readAmplify(plan: DeployPlan, port: AmplifyPort, { settings }: ExecuteOptions) {
  const [amplifyBranch, app] = await Promise.all([port.getBranch(plan.gitBranch), port.getApp()]);
  if (amplifyBranch === undefined && !settings.createAmplifyBranch) {
    throw new UsageError(
      `Amplify branch '${plan.gitBranch}' does not exist in app ${settings.amplifyAppId}, and create-amplify-branch is false: connect the branch in Amplify first, or set create-amplify-branch: true`,
    );
  }
  return { amplifyBranch, app };
}

/** The connection string the Amplify branch holds now (env-var-name); undefined without Amplify. */
export function writtenUrl(
  reads: DeployReads,
  options: ExecuteOptions,
): Promise<string | undefined> | undefined {
  const name = options.settings.envVarName;
  const url = reads.amplify?.state.then(({ amplifyBranch }) => amplifyBranch?.environmentVariables[name]);
  // Awaited only by a re-push: when the read fails, the deploy reports it where it awaits the
  // state itself; left unhandled it would end the process (every deploy of a worker's batch).
  url?.catch(() => undefined);
  return url;
}

export async function allReads(reads: DeployReads): Promise<AllReads> {
  const [neonState, amplifyState] = await Promise.all([reads.neon, reads.amplify?.state]);
  const parent = await parentOf(neonState);
  return { ...neonState, parent, amplifyBranch: amplifyState?.amplifyBranch, app: amplifyState?.app };
}

/**
 * Whether the deploy is sure to need the parent: a primary branch uses it, a dry run and masking
 * rules name it, and a parent-branch setting is checked before anything is written. A preview of
 * the default branch does not: the create leaves parent_id out and Neon branches from the default
 * branch (Neon's API reference, createProjectBranch: "By default, the branch is created from the
 * project's default branch"), and a re-push uses the branch's own parent_id. That saves a listing
 * of the project's branches on most deploys.
 */
function needsParent(plan: DeployPlan, { settings }: ExecuteOptions): boolean {
  return plan.primary || settings.dryRun || settings.anonymize || settings.parentBranch !== undefined;
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
    // Masking rules may need the parent's database first, and the masking wait dwarfs a round trip.
    !settings.anonymize &&
    (amplify === undefined || settings.createAmplifyBranch)
  );
}

async function createAtOnce(plan: DeployPlan, options: ExecuteOptions): Promise<NewBranch | 'exists'> {
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
      // Never anonymized here (createsFirst): nothing reads the branch before branchConnection.
      leavePending: true,
    });
    return { ...made, expiresAt };
  } catch (error) {
    if (isNameTaken(error)) return 'exists';
    throw error;
  }
}
