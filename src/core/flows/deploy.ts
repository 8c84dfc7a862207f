import { ApiError, UsageError } from '../errors.js';
import { amplifyDisplayName, previewUrl } from '../naming.js';
import type { Plan } from '../plan.js';
import type { AmplifyApp, AmplifyBranch, AmplifyPort, NeonBranch } from '../ports.js';
import type { Connection, DeployResult } from '../result.js';
import { startJob } from './amplify-job.js';
import { createOrReuse, resolveParent } from './neon-branch.js';
import { amplifyOf, type ExecuteOptions } from './options.js';
import { type BranchConnection, branchConnection } from './role-password.js';

export type DeployPlan = Extract<Plan, { kind: 'deploy' }>;

/** What step 1 found, before anything is written. */
interface DeployState {
  /** The preview's Neon branch, when it exists already. */
  existing: NeonBranch | undefined;
  /** The parent: the branch a primary uses, or the one a new preview is made from. */
  parent: NeonBranch | undefined;
  /** Undefined when Amplify is left alone (inside an Amplify build). */
  amplify: AmplifyPort | undefined;
  amplifyBranch: AmplifyBranch | undefined;
  app: AmplifyApp | undefined;
}

/**
 * Deploy: the reads, then the Neon branch, its connection string, the Amplify variable, and only then
 * the job. A dry run stops after the reads and says what the rest would do.
 */
export async function deploy(plan: DeployPlan, options: ExecuteOptions): Promise<DeployResult> {
  const { settings } = options;
  const state = await readState(plan, options);
  if (settings.dryRun) return dryRun(plan, state, options);

  const { branch, created } = await neonBranch(plan, state, options);
  const found = await branchConnection({ plan, branch, created, options });
  const { connection } = found;
  const result: DeployResult = {
    kind: 'deploy',
    gitBranch: plan.gitBranch,
    dryRun: false,
    neonBranch: { id: branch.id, name: branch.name, parentId: branch.parentId },
    created,
    connection,
  };
  if (state.amplify === undefined) return result;

  const written = await writeSettled(plan, state.amplifyBranch, found, options);
  result.connection = written.connection;
  result.previewUrl = preview(plan, state.app, written.branch.displayName);
  // The job only now that the variable is written.
  if (settings.startJob) result.job = await startJob(state.amplify, plan.gitBranch, options);
  return result;
}

/** Step 1: the reads, in parallel. Nothing is written before all of them have answered. */
async function readState(plan: DeployPlan, options: ExecuteOptions): Promise<DeployState> {
  const { neon, settings } = options;
  const amplify = options.neonOnly ? undefined : amplifyOf(options);
  const [existing, amplifyBranch, app] = await Promise.all([
    plan.primary ? Promise.resolve(undefined) : neon.findBranchByName(plan.neonBranchName),
    amplify?.getBranch(plan.gitBranch),
    amplify?.getApp(),
  ]);
  if (amplify !== undefined && amplifyBranch === undefined && !settings.createAmplifyBranch) {
    throw new UsageError(
      `Amplify branch '${plan.gitBranch}' does not exist in app ${settings.amplifyAppId}, and create-amplify-branch is false: connect the branch in Amplify first, or set create-amplify-branch: true`,
    );
  }
  const parent = existing === undefined ? await resolveParent(neon, settings) : undefined;
  return { existing, parent, amplify, amplifyBranch, app };
}

/** Step 2: the parent for a primary branch, the existing preview, or a new one. */
async function neonBranch(
  plan: DeployPlan,
  state: DeployState,
  options: ExecuteOptions,
): Promise<{ branch: NeonBranch; created: boolean }> {
  const { neon, settings, log } = options;
  const existing = announceExisting(plan, state, options);
  if (existing !== undefined) {
    // It may be a branch another run created moments ago, still initialising.
    if (!plan.primary) await neon.waitForOperations(await neon.pendingOperationIds(existing.id));
    return { branch: existing, created: false };
  }
  const parent = required(state.parent);
  return createOrReuse({ neon, name: plan.neonBranchName, parent, settings, log });
}

/** The branch the deploy uses without creating one, said in the log; undefined when one is to be made. */
function announceExisting(
  plan: DeployPlan,
  state: DeployState,
  { log }: ExecuteOptions,
): NeonBranch | undefined {
  if (plan.primary) {
    const parent = required(state.parent);
    log.info(`'${plan.gitBranch}' is a primary branch: it uses Neon branch '${parent.name}' (${parent.id})`);
    return parent;
  }
  if (state.existing !== undefined) {
    log.info(`Reusing Neon branch '${state.existing.name}' (${state.existing.id})`);
  }
  return state.existing;
}

/**
 * Step 4: UpdateBranch replaces the whole map, so the map just read is merged and written back
 * whole; every other variable survives. Nothing is written when it is already right. Returns the
 * Amplify branch as it is now.
 */
async function writeVariable(
  plan: DeployPlan,
  current: AmplifyBranch | undefined,
  connection: Connection,
  options: ExecuteOptions,
): Promise<AmplifyBranch> {
  const { settings, log } = options;
  const amplify = amplifyOf(options);
  const name = settings.envVarName;
  const variables = { ...(current?.environmentVariables ?? {}), [name]: connection.url };
  if (current === undefined) {
    log.info(`Creating Amplify branch '${plan.gitBranch}' (auto-build off) with ${name}`);
    try {
      return await amplify.createBranch({ name: plan.gitBranch, environmentVariables: variables });
    } catch (error) {
      // Another run created it since this one read it: merge into the winner's map instead.
      if (!isAlreadyExists(error)) throw error;
      const winner = await amplify.getBranch(plan.gitBranch);
      if (winner === undefined) throw error;
      log.info(`Amplify branch '${plan.gitBranch}' was created by another run meanwhile; merging into it`);
      return writeVariable(plan, winner, connection, options);
    }
  }
  if (current.environmentVariables[name] === connection.url) {
    log.info(`Amplify branch '${plan.gitBranch}' already has the right ${name}`);
    return current;
  }
  log.info(`Writing ${name} to Amplify branch '${plan.gitBranch}'`);
  return amplify.setEnvironmentVariables(plan.gitBranch, variables);
}

/**
 * Writes the connection string; after a password reset, reads it once more and writes again if it
 * moved: two first runs for one branch may both have reset it, and the one whose write lands last
 * must not leave an older password in Amplify.
 */
async function writeSettled(
  plan: DeployPlan,
  current: AmplifyBranch | undefined,
  found: BranchConnection,
  options: ExecuteOptions,
): Promise<{ branch: AmplifyBranch; connection: Connection }> {
  const branch = await writeVariable(plan, current, found.connection, options);
  if (!found.passwordReset) return { branch, connection: found.connection };
  const now = await found.reread();
  if (now.url === found.connection.url) return { branch, connection: now };
  options.log.info(
    `The password of ${plan.neonBranchName} changed meanwhile (another run); writing it again`,
  );
  return { branch: await writeVariable(plan, branch, now, options), connection: now };
}

/** Amplify's answer to CreateBranch for a branch that exists: BadRequestException, "already exists". */
function isAlreadyExists(error: unknown): boolean {
  return error instanceof ApiError && error.status === 400 && /already exists/i.test(error.message);
}

function dryRun(plan: DeployPlan, state: DeployState, options: ExecuteOptions): DeployResult {
  const { settings, log } = options;
  const existing = announceExisting(plan, state, options);
  if (existing === undefined) {
    const parent = required(state.parent);
    log.info(
      `Dry run: would create Neon branch '${plan.neonBranchName}' from '${parent.name}' (${parent.id})`,
    );
  }
  if (state.amplify !== undefined) {
    log.info(`Dry run: would write ${settings.envVarName} to Amplify branch '${plan.gitBranch}'`);
    if (settings.startJob) log.info(`Dry run: would start a RELEASE job on '${plan.gitBranch}'`);
  }
  return {
    kind: 'deploy',
    gitBranch: plan.gitBranch,
    dryRun: true,
    neonBranch: { id: existing?.id ?? '', name: existing?.name ?? plan.neonBranchName },
    created: false,
    previewUrl: preview(plan, state.app, state.amplifyBranch?.displayName),
  };
}

function preview(plan: DeployPlan, app: AmplifyApp | undefined, displayName: string | undefined) {
  if (app === undefined) return undefined;
  return previewUrl(displayName || amplifyDisplayName(plan.gitBranch), app.defaultDomain);
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('Internal error: deploy state incomplete');
  return value;
}
