import { ApiError, messageOf, UsageError } from './errors.js';
import { amplifyDisplayName, neonBranchName, previewUrl } from './naming.js';
import type { Plan } from './plan.js';
import { pollUntil, realSleep } from './poll.js';
import type { AmplifyJob, AmplifyPort, Logger, NeonBranch, NeonPort, Sleep } from './ports.js';
import type { Settings } from './settings.js';

/** The action's outputs, by their DESIGN.md names; the CLI prints the same, the summary shows them. */
export interface Outputs {
  'neon-branch-id': string;
  'neon-branch-name': string;
  created: string;
  'database-url': string;
  'database-host': string;
  'amplify-branch': string;
  'amplify-job-id': string;
  'preview-url': string;
  deleted: string;
}

export const EMPTY_OUTPUTS: Outputs = {
  'neon-branch-id': '',
  'neon-branch-name': '',
  created: '',
  'database-url': '',
  'database-host': '',
  'amplify-branch': '',
  'amplify-job-id': '',
  'preview-url': '',
  deleted: 'false',
};

/** What reconcile did, for the summary and the CLI's JSON. */
export interface ReconcileReport {
  deleted: string[];
  /** Names a dry run would delete. */
  wouldDelete: string[];
  kept: string[];
  failed: { name: string; message: string }[];
}

export interface Result {
  outputs: Outputs;
  reconcile?: ReconcileReport;
}

export interface ExecuteOptions {
  neon: NeonPort;
  /** Absent when the plan leaves Amplify alone (see `needsAmplify`), so it needs no region then. */
  amplify?: AmplifyPort | undefined;
  settings: Settings;
  log: Logger;
  /** Called with every secret the moment it is received, before any log line or output. */
  secret: (value: string) => void;
  sleep?: Sleep;
  now?: () => number;
  /** How often to look at Amplify jobs while replacing or waiting; production uses the defaults. */
  jobPollInitialMs?: number;
  jobPollMaxMs?: number;
  /**
   * Skip the Amplify variable write and the job: inside an Amplify build the build is already
   * running, and a job started from it would start another build (the CLI sets this).
   */
  neonOnly?: boolean;
}

/** Thrown when reconcile could not delete some branches; carries what it did do. */
export class ReconcileError extends Error {
  override name = 'ReconcileError';
  constructor(
    message: string,
    readonly result: Result,
  ) {
    super(message);
  }
}

/** Whether running the plan calls Amplify; the composition root creates the port only then. */
export function needsAmplify(plan: Plan, neonOnly = false): boolean {
  switch (plan.kind) {
    case 'deploy':
      return !neonOnly;
    case 'cleanup':
      return plan.deleteAmplifyBranch;
    case 'reconcile':
      return true;
    case 'none':
      return false;
  }
}

function amplifyOf(options: ExecuteOptions): AmplifyPort {
  if (options.amplify === undefined) throw new Error('Internal error: this plan needs the Amplify port');
  return options.amplify;
}

export async function execute(plan: Plan, options: ExecuteOptions): Promise<Result> {
  switch (plan.kind) {
    case 'none':
      options.log.info(`Nothing to do: ${plan.reason}`);
      return { outputs: { ...EMPTY_OUTPUTS } };
    case 'deploy':
      return { outputs: await deploy(plan, options) };
    case 'cleanup':
      return { outputs: await cleanup(plan, options) };
    case 'reconcile':
      return reconcile(plan, options);
  }
}

type DeployPlan = Extract<Plan, { kind: 'deploy' }>;

async function deploy(plan: DeployPlan, options: ExecuteOptions): Promise<Outputs> {
  const { neon, settings, log } = options;
  const amplify = options.neonOnly ? undefined : amplifyOf(options);

  // Step 1: the reads, in parallel. Nothing is written before all of them have answered.
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

  // Step 2: the Neon branch.
  let branch: NeonBranch;
  let created = false;
  if (plan.primary) {
    branch = await resolveParent(neon, settings);
    log.info(`'${plan.gitBranch}' is a primary branch: it uses Neon branch '${branch.name}' (${branch.id})`);
  } else if (existing !== undefined) {
    branch = existing;
    log.info(`Reusing Neon branch '${branch.name}' (${branch.id})`);
    // It may be a branch another run created moments ago, still initialising.
    await neon.waitForOperations(await neon.pendingOperationIds(branch.id));
  } else {
    const parent = await resolveParent(neon, settings);
    if (settings.dryRun) {
      log.info(
        `Dry run: would create Neon branch '${plan.neonBranchName}' from '${parent.name}' (${parent.id})`,
      );
      return dryRunOutputs(plan, undefined, amplifyBranch?.displayName, app?.defaultDomain, options);
    }
    const outcome = await createOrReuse(neon, { name: plan.neonBranchName, parent, settings }, log);
    branch = outcome.branch;
    created = outcome.created;
  }
  if (settings.dryRun) {
    return dryRunOutputs(plan, branch, amplifyBranch?.displayName, app?.defaultDomain, options);
  }

  // Step 3: the connection string, masked before anything can print it.
  const url = await connectionString(neon, branch, settings, options.secret);
  const host = new URL(url).hostname;
  const outputs: Outputs = {
    ...EMPTY_OUTPUTS,
    'neon-branch-id': branch.id,
    'neon-branch-name': branch.name,
    created: String(created),
    'database-url': url,
    'database-host': host,
    'amplify-branch': plan.gitBranch,
  };
  if (amplify === undefined) return outputs;

  // Step 4: the variable. UpdateBranch replaces the whole map, so the map just read is merged and
  // written back whole; every other variable survives. Nothing is written when it is already right.
  const variables = { ...(amplifyBranch?.environmentVariables ?? {}), [settings.envVarName]: url };
  let displayName: string;
  if (amplifyBranch === undefined) {
    log.info(`Creating Amplify branch '${plan.gitBranch}' (auto-build off) with ${settings.envVarName}`);
    displayName = (await amplify.createBranch({ name: plan.gitBranch, environmentVariables: variables }))
      .displayName;
  } else if (amplifyBranch.environmentVariables[settings.envVarName] === url) {
    log.info(`Amplify branch '${plan.gitBranch}' already has the right ${settings.envVarName}`);
    displayName = amplifyBranch.displayName;
  } else {
    log.info(`Writing ${settings.envVarName} to Amplify branch '${plan.gitBranch}'`);
    displayName = (await amplify.setEnvironmentVariables(plan.gitBranch, variables)).displayName;
  }
  outputs['preview-url'] =
    app === undefined ? '' : previewUrl(displayName || amplifyDisplayName(plan.gitBranch), app.defaultDomain);

  // Step 5: the job, only now that the variable is written.
  if (settings.startJob) {
    const job = await startJob(amplify, plan.gitBranch, options);
    outputs['amplify-job-id'] = job?.id ?? '';
  }
  return outputs;
}

function dryRunOutputs(
  plan: DeployPlan,
  branch: NeonBranch | undefined,
  displayName: string | undefined,
  defaultDomain: string | undefined,
  options: ExecuteOptions,
): Outputs {
  const { settings, log } = options;
  if (!options.neonOnly) {
    log.info(`Dry run: would write ${settings.envVarName} to Amplify branch '${plan.gitBranch}'`);
    if (settings.startJob) log.info(`Dry run: would start a RELEASE job on '${plan.gitBranch}'`);
  }
  return {
    ...EMPTY_OUTPUTS,
    'neon-branch-id': branch?.id ?? '',
    'neon-branch-name': branch?.name ?? plan.neonBranchName,
    created: 'false',
    'amplify-branch': plan.gitBranch,
    'preview-url':
      defaultDomain === undefined
        ? ''
        : previewUrl(displayName ?? amplifyDisplayName(plan.gitBranch), defaultDomain),
  };
}

async function resolveParent(neon: NeonPort, settings: Settings): Promise<NeonBranch> {
  if (settings.parentBranch === undefined) return neon.getDefaultBranch();
  const parent = await neon.resolveBranch(settings.parentBranch);
  if (parent === undefined) {
    throw new UsageError(
      `Invalid parent-branch '${settings.parentBranch}': no Neon branch has that name or id in project ${settings.neonProjectId}`,
    );
  }
  return parent;
}

async function createOrReuse(
  neon: NeonPort,
  { name, parent, settings }: { name: string; parent: NeonBranch; settings: Settings },
  log: Logger,
): Promise<{ branch: NeonBranch; created: boolean }> {
  try {
    log.info(`Creating Neon branch '${name}' from '${parent.name}' (${parent.id})`);
    const result = await neon.createBranch({
      name,
      parentId: parent.id,
      suspendTimeoutSeconds: settings.suspendTimeoutSeconds,
    });
    await neon.waitForOperations(result.operationIds);
    return { branch: result.branch, created: true };
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) throw error;
    // Another run created it between our lookup and our create: use the winner's branch, once its
    // operations are done, so the connection string points at a ready endpoint.
    log.info(`Neon branch '${name}' was created by another run meanwhile; reusing it`);
    const winner = await neon.findBranchByName(name);
    if (winner === undefined) {
      throw new Error(
        `Creating Neon branch '${name}' failed: Neon answered 409 but no branch has that name`,
        {
          cause: error,
        },
      );
    }
    await neon.waitForOperations(await neon.pendingOperationIds(winner.id));
    return { branch: winner, created: false };
  }
}

async function connectionString(
  neon: NeonPort,
  branch: NeonBranch,
  settings: Settings,
  secret: (value: string) => void,
): Promise<string> {
  let databaseName = settings.database;
  let roleName = settings.role;
  if (databaseName === undefined || roleName === undefined) {
    const databases = await neon.listDatabases(branch.id);
    const database =
      databaseName === undefined
        ? onlyDatabase(databases, branch)
        : databases.find((d) => d.name === databaseName);
    if (database === undefined) {
      throw new UsageError(
        `Invalid database '${databaseName}': Neon branch '${branch.name}' has ${databases.map((d) => `'${d.name}'`).join(', ') || 'no databases'}`,
      );
    }
    databaseName = database.name;
    roleName ??= database.ownerName;
  }
  const url = await neon.connectionUri({
    branchId: branch.id,
    databaseName,
    roleName,
    pooled: settings.pooled,
  });
  maskConnectionString(url, secret);
  return url;
}

function onlyDatabase<T extends { name: string }>(databases: T[], branch: NeonBranch): T {
  const [first, ...rest] = databases;
  if (first === undefined) throw new UsageError(`Neon branch '${branch.name}' has no database`);
  if (rest.length > 0) {
    throw new UsageError(
      `Neon branch '${branch.name}' has ${databases.length} databases (${databases.map((d) => d.name).join(', ')}): set the database input to one of them`,
    );
  }
  return first;
}

/** Masks the whole URL, the password as it appears in it and decoded. */
export function maskConnectionString(url: string, secret: (value: string) => void): void {
  secret(url);
  try {
    const password = new URL(url).password;
    if (password !== '') {
      secret(password);
      const decoded = decodeURIComponent(password);
      if (decoded !== password) secret(decoded);
    }
  } catch {
    // Not a URL: masked whole above.
  }
}

async function startJob(
  amplify: AmplifyPort,
  branch: string,
  options: ExecuteOptions,
): Promise<AmplifyJob | undefined> {
  const { settings, log } = options;
  const sleep = options.sleep ?? realSleep;
  const timeoutMs = settings.jobTimeoutMinutes * 60_000;
  const poll = {
    sleep,
    now: options.now,
    initialDelayMs: options.jobPollInitialMs ?? 2_000,
    maxDelayMs: options.jobPollMaxMs ?? 15_000,
  };

  const tryStart = async (): Promise<AmplifyJob | undefined> => {
    try {
      return await amplify.startJob(branch);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'LimitExceededException') return undefined;
      throw error;
    }
  };

  const first = await tryStart();
  if (first !== undefined) {
    log.info(`Started Amplify job ${first.id} on '${branch}'`);
    return first;
  }
  switch (settings.onRunningJob) {
    case 'skip':
      log.warning(
        `A job is already pending or running on Amplify branch '${branch}'; not starting another (on-running-job: skip). That job may have started before ${settings.envVarName} was written.`,
      );
      return undefined;
    case 'replace': {
      // The running job started before the variable was written, so it would build against the
      // wrong database: stop it and start one that sees the new value.
      const active = await amplify.listActiveJobs(branch);
      for (const job of active) {
        log.info(
          `Stopping Amplify job ${job.id} (${job.status}) on '${branch}': it started without ${settings.envVarName}`,
        );
        try {
          await amplify.stopJob(branch, job.id);
        } catch (error) {
          // The job may have ended between ListJobs and StopJob; Amplify then refuses the stop (400).
          if (!(error instanceof ApiError && error.status === 400)) throw error;
          log.info(`Amplify job ${job.id} had already ended`);
        }
      }
      const job = await pollUntil({
        ...poll,
        label: `Starting an Amplify job on '${branch}' after stopping ${active.map((j) => j.id).join(', ') || 'the running job'} (on-running-job: replace)`,
        timeoutMs,
        check: tryStart,
      });
      log.info(`Started Amplify job ${job.id} on '${branch}'`);
      return job;
    }
    case 'wait': {
      log.info(
        `A job is running on Amplify branch '${branch}'; waiting for it to end (on-running-job: wait)`,
      );
      const job = await pollUntil({
        ...poll,
        label: `Waiting for the running Amplify job on '${branch}' to end (on-running-job: wait)`,
        timeoutMs,
        check: async () => ((await amplify.listActiveJobs(branch)).length === 0 ? tryStart() : undefined),
      });
      log.info(`Started Amplify job ${job.id} on '${branch}'`);
      return job;
    }
  }
}

type CleanupPlan = Extract<Plan, { kind: 'cleanup' }>;

async function cleanup(plan: CleanupPlan, options: ExecuteOptions): Promise<Outputs> {
  const { neon, settings, log } = options;
  const outputs: Outputs = { ...EMPTY_OUTPUTS, 'amplify-branch': plan.gitBranch };
  const branch = await neon.findBranchByName(plan.neonBranchName);
  const refusal = branch === undefined ? undefined : refuseToDelete(branch, settings.branchPrefix);
  if (branch === undefined) {
    log.info(`Neon branch '${plan.neonBranchName}' does not exist: nothing to delete`);
  } else if (refusal !== undefined) {
    log.warning(`Not deleting Neon branch '${branch.name}' (${branch.id}): ${refusal}`);
  } else if (settings.dryRun) {
    log.info(`Dry run: would delete Neon branch '${branch.name}' (${branch.id})`);
    outputs['neon-branch-id'] = branch.id;
    outputs['neon-branch-name'] = branch.name;
  } else {
    const result = await neon.deleteBranch(branch.id);
    outputs['neon-branch-id'] = branch.id;
    outputs['neon-branch-name'] = branch.name;
    outputs.deleted = String(result === 'deleted');
    log.info(
      result === 'deleted'
        ? `Deleted Neon branch '${branch.name}' (${branch.id})`
        : `Neon branch '${branch.name}' (${branch.id}) was already gone`,
    );
  }

  if (plan.deleteAmplifyBranch) {
    if (settings.dryRun) {
      log.info(`Dry run: would delete Amplify branch '${plan.gitBranch}'`);
    } else {
      const result = await amplifyOf(options).deleteBranch(plan.gitBranch);
      log.info(
        result === 'deleted'
          ? `Deleted Amplify branch '${plan.gitBranch}'`
          : `Amplify branch '${plan.gitBranch}' was already gone`,
      );
    }
  }
  return outputs;
}

/** Why a branch must not be deleted, or undefined when it may. */
function refuseToDelete(branch: NeonBranch, prefix: string): string | undefined {
  if (branch.default) return "it is the project's default branch";
  if (branch.protected) return 'it is a protected branch';
  if (!branch.name.startsWith(prefix)) return `its name does not start with the prefix '${prefix}'`;
  return undefined;
}

type ReconcilePlan = Extract<Plan, { kind: 'reconcile' }>;

async function reconcile(plan: ReconcilePlan, options: ExecuteOptions): Promise<Result> {
  const { neon, settings, log } = options;
  const [neonBranches, amplifyNames] = await Promise.all([
    neon.listBranches(plan.prefix),
    amplifyOf(options).listBranchNames(),
  ]);
  // Map forward: the Neon name every Amplify branch (and every primary branch) would have.
  const wanted = new Set(
    [...amplifyNames, ...plan.primaryBranches].map((name) => neonBranchName(plan.prefix, name)),
  );
  const report: ReconcileReport = { deleted: [], wouldDelete: [], kept: [], failed: [] };

  for (const branch of neonBranches) {
    if (wanted.has(branch.name)) {
      report.kept.push(branch.name);
      continue;
    }
    const refusal = refuseToDelete(branch, plan.prefix);
    if (refusal !== undefined) {
      log.info(`Keeping Neon branch '${branch.name}' (${branch.id}): ${refusal}`);
      report.kept.push(branch.name);
    } else if (settings.dryRun) {
      log.info(
        `Dry run: would delete Neon branch '${branch.name}' (${branch.id}): no Amplify branch maps to it`,
      );
      report.wouldDelete.push(branch.name);
    } else {
      try {
        await neon.deleteBranch(branch.id);
        log.info(`Deleted Neon branch '${branch.name}' (${branch.id}): no Amplify branch maps to it`);
        report.deleted.push(branch.name);
      } catch (error) {
        // Keep going: one refusal (a branch with children, say) must not spare the others.
        log.warning(messageOf(error));
        report.failed.push({ name: branch.name, message: messageOf(error) });
      }
    }
  }

  const result: Result = {
    outputs: { ...EMPTY_OUTPUTS, deleted: String(report.deleted.length > 0) },
    reconcile: report,
  };
  if (report.failed.length > 0) {
    throw new ReconcileError(
      `Reconcile deleted ${report.deleted.length} Neon branch(es) but could not delete ${report.failed.length}: ${report.failed.map((f) => f.message).join('; ')}`,
      result,
    );
  }
  return result;
}
