import { ApiError } from '../errors.js';
import { amplifyDisplayName, previewUrl } from '../naming.js';
import type { DeployPlan } from '../plan.js';
import type { AmplifyApp, AmplifyBranch, NeonBranch } from '../ports.js';
import type { Anonymization, DeployResult } from '../result.js';
import { startJob } from './amplify-job.js';
import { awaitMasking, neonRules, notAnonymized, remask } from './anonymize.js';
import {
  type AllReads,
  allReads,
  type DeployReads,
  type NeonState,
  parentOf,
  startReads,
  writtenUrl,
} from './deploy-reads.js';
import { newExpiry, refreshPreview } from './lifecycle.js';
import { runMigration } from './migrate.js';
import { createOrReuse, type MadeBranch } from './neon-branch.js';
import { amplifyOf, type ExecuteOptions } from './options.js';
import { outOfReach } from './out-of-reach.js';
import { type BranchConnection, branchConnection, type Urls } from './role-password.js';

/**
 * Deploy: the reads, then the Neon branch, its connection string, the Amplify variable, and only then
 * the job. A dry run stops after the reads and says what the rest would do.
 */
export async function deploy(plan: DeployPlan, options: ExecuteOptions): Promise<DeployResult> {
  const { settings } = options;
  const reads = startReads(plan, options);
  if (settings.dryRun) return dryRun(plan, await allReads(reads), options);

  const outcome = await neonBranch(plan, reads, options);
  const { branch, created, expiresAt, databases, connection, pending, parent, production } = outcome;
  const known = { databases, known: connection, pending, written: writtenUrl(reads, options) };
  const found = await branchConnection({ plan, branch, created, ...known, options });
  // Read-only: not even the user's migration runs on production unless primary-branches says so.
  if (production === undefined) await runMigration(plan, { branch, direct: found.direct }, options);
  const result: DeployResult = {
    kind: 'deploy',
    gitBranch: plan.gitBranch,
    dryRun: false,
    neonBranch: { id: branch.id, name: branch.name, parentId: branch.parentId },
    created,
    expiresAt,
    // Known from the reads when they needed it: the report names the parent without asking again.
    parent:
      parent !== undefined && branch.parentId === parent.id
        ? { id: parent.id, name: parent.name }
        : undefined,
    connection: found.connection,
    directConnection: options.settings.unpooledEnvVarName === undefined ? undefined : found.direct,
    ...(production === undefined ? {} : { production }),
    ...(outcome.anonymized === undefined ? {} : { anonymized: outcome.anonymized }),
  };
  if (reads.amplify === undefined) return result;

  const { amplifyBranch, app } = await reads.amplify.state;
  const written = await writeSettled(plan, amplifyBranch, found, options);
  result.connection = written.urls.connection;
  if (result.directConnection !== undefined) result.directConnection = written.urls.direct;
  result.previewUrl = preview(plan, app, written.branch.displayName);
  // The job only now that the variable is written.
  if (settings.startJob) result.job = await startJob(reads.amplify.port, plan.gitBranch, options);
  return result;
}

interface NeonOutcome extends MadeBranch {
  expiresAt: string | undefined;
  /** As step 1 read it; undefined when no step needed it (see needsParent in deploy-reads.ts). */
  parent: NeonBranch | undefined;
  /** Why the branch is production although the git branch is not primary (see outOfReach). */
  production?: string | undefined;
  anonymized?: Anonymization | undefined;
}

/** Step 2: the parent for a primary branch, the existing preview, or a new one. */
async function neonBranch(
  plan: DeployPlan,
  reads: DeployReads,
  options: ExecuteOptions,
): Promise<NeonOutcome> {
  const { neon, settings, log } = options;
  const early = await reads.made;
  if (early !== undefined) return { ...early, parent: (await reads.neon).parent };
  // A missing Amplify branch that may not be created stops the deploy before Neon is written to.
  if (!settings.createAmplifyBranch) await reads.amplify?.state;
  const state = await reads.neon;
  const existing = announceExisting(plan, state, options);
  const parent = () => parentOf(state);
  if (existing !== undefined) {
    const { branch, production } = existing;
    if (production !== undefined || plan.primary) {
      notAnonymized(options, branch.name, production ?? 'a primary branch uses its parent itself');
      return { branch, created: false, expiresAt: undefined, parent: state.parent, production };
    }
    // It may be a branch another run created moments ago, still initialising; one that Neon lists
    // as ready with nothing pending has nothing to wait for, which saves a request on every push.
    if (!plan.primary && branch.ready !== true) {
      await neon.waitForOperations(await neon.pendingOperationIds(branch.id));
    }
    const expiresAt = await refreshPreview(plan, { branch, parent }, options);
    const rules = await neonRules(parent, options);
    const reset = settings.resetOnPush;
    const anonymized = rules && (await remask(branch, rules, { reset }, options));
    return { branch, created: false, expiresAt, parent: state.parent, anonymized };
  }
  const expiresAt = newExpiry(options);
  const maskingRules = await neonRules(parent, options);
  const made = await createOrReuse({
    neon,
    name: plan.neonBranchName,
    parent: state.parent,
    settings,
    log,
    secret: options.secret,
    expiresAt,
    maskingRules,
    leavePending: maskingRules === undefined, // else the masking wait reads the branch first
  });
  // Another run's branch (Neon's 409) is asked the same as one found by the lookup.
  const production = made.created ? undefined : readOnlyUse(plan, made.branch, options);
  if (production !== undefined) {
    notAnonymized(options, made.branch.name, production);
    return { ...made, expiresAt: undefined, parent: state.parent, production };
  }
  const anonymized =
    maskingRules &&
    (made.created
      ? await awaitMasking(made.branch, maskingRules, options)
      : await remask(made.branch, maskingRules, { reset: false }, options));
  const expiry = made.created ? expiresAt : made.branch.expiresAt;
  return { ...made, expiresAt: expiry, parent: state.parent, anonymized };
}

/**
 * The branch the deploy uses without creating one, said in the log, and why it is production when
 * it is; undefined when one is to be made.
 */
function announceExisting(
  plan: DeployPlan,
  state: NeonState,
  options: ExecuteOptions,
): { branch: NeonBranch; production?: string | undefined } | undefined {
  const { log } = options;
  if (plan.primary) {
    const { parent } = state;
    // Read in step 1 for every primary branch (needsParent in deploy-reads.ts).
    if (parent === undefined)
      throw new Error(`The parent of primary branch '${plan.gitBranch}' was not read`);
    log.info(`'${plan.gitBranch}' is a primary branch: it uses Neon branch '${parent.name}' (${parent.id})`);
    return { branch: parent };
  }
  const { existing } = state;
  if (existing === undefined) return undefined;
  const production = readOnlyUse(plan, existing, options);
  if (production === undefined) log.info(`Reusing Neon branch '${existing.name}' (${existing.id})`);
  return { branch: existing, production };
}

/**
 * A preview's Neon name can be production's (an empty branch-prefix, a git branch named like the
 * default branch): then the deploy uses it read-only, as a primary branch uses its parent, and says
 * why. Returns the reason, or undefined for a branch a preview may change.
 */
function readOnlyUse(plan: DeployPlan, branch: NeonBranch, options: ExecuteOptions): string | undefined {
  const { settings, log } = options;
  const production = outOfReach(branch, settings);
  if (production === undefined) return undefined;
  const migrate = settings.migrateCommand === undefined ? '' : '; migrate-command does not run';
  log.warning(
    `Neon branch '${branch.name}' is ${production}: the deploy of '${plan.gitBranch}' uses it read-only, as a primary branch (no reset, expiry or new password${migrate}). Set a branch-prefix that gives previews names of their own, or list '${plan.gitBranch}' in primary-branches (a primary branch uses the parent-branch)`,
  );
  return production;
}

/** The Amplify variables a deploy writes: the connection string, and the direct one when asked. */
function variablesOf(urls: Urls, settings: ExecuteOptions['settings']): Record<string, string> {
  const values: Record<string, string> = { [settings.envVarName]: urls.connection.url };
  if (settings.unpooledEnvVarName !== undefined && urls.direct !== undefined) {
    values[settings.unpooledEnvVarName] = urls.direct.url;
  }
  return values;
}

/**
 * Step 4: UpdateBranch replaces the whole map, so the map just read is merged and written back
 * whole; every other variable survives. Nothing is written when it is already right. Returns the
 * Amplify branch as it is now.
 */
async function writeVariables(
  plan: DeployPlan,
  current: AmplifyBranch | undefined,
  values: Record<string, string>,
  options: ExecuteOptions,
): Promise<AmplifyBranch> {
  const { log } = options;
  const amplify = amplifyOf(options);
  const names = Object.keys(values).join(' and ');
  const variables = { ...(current?.environmentVariables ?? {}), ...values };
  if (current === undefined) {
    log.info(`Creating Amplify branch '${plan.gitBranch}' (auto-build off) with ${names}`);
    try {
      return await amplify.createBranch({ name: plan.gitBranch, environmentVariables: variables });
    } catch (error) {
      if (isAppFull(error)) throw appFull(plan, options, error);
      // Another run created it since this one read it: merge into the winner's map instead.
      if (!isAlreadyExists(error)) throw error;
      const winner = await amplify.getBranch(plan.gitBranch);
      if (winner === undefined) throw error;
      log.info(`Amplify branch '${plan.gitBranch}' was created by another run meanwhile; merging into it`);
      return writeVariables(plan, winner, values, options);
    }
  }
  if (Object.entries(values).every(([name, value]) => current.environmentVariables[name] === value)) {
    log.info(`Amplify branch '${plan.gitBranch}' already has the right ${names}`);
    return current;
  }
  log.info(`Writing ${names} to Amplify branch '${plan.gitBranch}'`);
  return amplify.setEnvironmentVariables(plan.gitBranch, variables);
}

/**
 * Writes the variables; after a password reset, reads the URLs once more and writes again if they
 * moved: two first runs for one branch may both have reset the password, and the one whose write
 * lands last must not leave an older password in Amplify.
 */
async function writeSettled(
  plan: DeployPlan,
  current: AmplifyBranch | undefined,
  found: BranchConnection,
  options: ExecuteOptions,
): Promise<{ branch: AmplifyBranch; urls: Urls }> {
  const branch = await writeVariables(plan, current, variablesOf(found, options.settings), options);
  if (!found.passwordReset) return { branch, urls: found };
  const now = await found.reread();
  if (now.connection.url === found.connection.url) return { branch, urls: now };
  options.log.info(
    `The password of ${plan.neonBranchName} changed meanwhile (another run); writing it again`,
  );
  return {
    branch: await writeVariables(plan, branch, variablesOf(now, options.settings), options),
    urls: now,
  };
}

/**
 * Amplify's answer to CreateBranch when the app holds its 50 branches already: the operation and the
 * exception say it (Amplify publishes no wording for it, so the message is not read).
 */
function isAppFull(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'LimitExceededException';
}

function appFull(plan: DeployPlan, options: ExecuteOptions, cause: unknown): Error {
  options.log.warning(
    `Neon branch '${plan.neonBranchName}' is kept: the next run, once Amplify has room, reuses it`,
  );
  return new Error(
    `Amplify app ${options.settings.amplifyAppId} is full: Amplify holds at most 50 branches per app, a quota AWS does not raise, so branch '${plan.gitBranch}' cannot be created. Nothing was written to Amplify and no job was started. Free a branch: delete Amplify branches whose git branch is gone (cleanup with delete-amplify-branch: true does it when a pull request closes), then run reconcile to delete their Neon branches. The Neon branch '${plan.neonBranchName}' made for it is kept; the next run reuses it.`,
    { cause },
  );
}

/** Amplify's answer to CreateBranch for a branch that exists: BadRequestException, "already exists". */
function isAlreadyExists(error: unknown): boolean {
  return error instanceof ApiError && error.status === 400 && /already exists/i.test(error.message);
}

function dryRun(plan: DeployPlan, state: AllReads, options: ExecuteOptions): DeployResult {
  const { settings, log } = options;
  const existing = announceExisting(plan, state, options)?.branch;
  if (existing === undefined) {
    const { parent } = state;
    const masked = settings.anonymize
      ? `, anonymized with ${settings.maskingRules?.length} masking rules`
      : '';
    log.info(
      `Dry run: would create Neon branch '${plan.neonBranchName}' from '${parent.name}' (${parent.id})${masked}`,
    );
  }
  if (settings.migrateCommand !== undefined) log.info('Dry run: would run migrate-command on the branch');
  if (state.app !== undefined) {
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
