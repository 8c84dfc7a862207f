import { formatDuration } from '../duration.js';
import { ApiError, TimeoutError } from '../errors.js';
import { type PollOptions, pollUntil } from '../poll.js';
import { ACTIVE_JOB_STATUSES, type AmplifyJob, type AmplifyPort } from '../ports.js';
import { realSleep } from '../sleep.js';
import type { ExecuteOptions } from './options.js';

type Poll = Omit<PollOptions<AmplifyJob>, 'label' | 'check'>;

interface JobContext {
  amplify: AmplifyPort;
  branch: string;
  options: ExecuteOptions;
  poll: Poll;
}

/**
 * What keeps StartJob from starting (its LimitExceededException says only "a quota"): a job of this
 * branch, this branch's job still being cancelled, or, when the branch has neither, the account's
 * concurrent-build quota (README.md, "Amplify app settings").
 */
type Holder =
  | { kind: 'active'; job: AmplifyJob }
  | { kind: 'cancelling'; job: AmplifyJob }
  | { kind: 'quota' };

/**
 * Starts a RELEASE job on the branch; called only once the variable is written. A job that is already
 * pending or running on the branch is handled as `on-running-job` says; a full account quota is
 * waited for whatever it says.
 */
export async function startJob(
  amplify: AmplifyPort,
  branch: string,
  options: ExecuteOptions,
): Promise<AmplifyJob | undefined> {
  const { settings, log } = options;
  const context: JobContext = {
    amplify,
    branch,
    options,
    poll: {
      sleep: options.sleep ?? realSleep,
      now: options.now,
      initialDelayMs: options.jobPollInitialMs ?? 2_000,
      maxDelayMs: options.jobPollMaxMs ?? 15_000,
      timeoutMs: settings.jobTimeoutMinutes * 60_000,
    },
  };

  const first = await tryStart(context);
  if (first !== undefined) return started(context, first);
  const holder = await holderOf(context);
  // Only this branch's own running job is what on-running-job is about; a cancelled job or another
  // branch's builds are waited for, since skipping would leave the branch without a build.
  if (holder.kind !== 'active') {
    return started(context, await outsideBudget(options, () => startWhenFree(context, holder)));
  }
  switch (settings.onRunningJob) {
    case 'skip':
      log.warning(
        `A job is already pending or running on Amplify branch '${branch}'; not starting another (on-running-job: skip). That job may have started before ${settings.envVarName} was written.`,
      );
      return undefined;
    // Waiting for Amplify has its own limit (job-timeout-minutes): outside the run's budget.
    case 'replace':
      return started(context, await outsideBudget(options, () => replace(context)));
    case 'wait':
      return started(context, await outsideBudget(options, () => waitThenStart(context)));
  }
}

/** StartJob, or undefined while Amplify answers LimitExceeded (a job in the way, or the quota). */
async function tryStart({ amplify, branch }: JobContext): Promise<AmplifyJob | undefined> {
  try {
    return await amplify.startJob(branch);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'LimitExceededException') return undefined;
    throw error;
  }
}

async function holderOf({ amplify, branch }: JobContext): Promise<Holder> {
  const job = await amplify.latestJob(branch);
  if (job !== undefined && ACTIVE_JOB_STATUSES.includes(job.status)) return { kind: 'active', job };
  if (job?.status === 'CANCELLING') return { kind: 'cancelling', job };
  return { kind: 'quota' };
}

function outsideBudget<T>(options: ExecuteOptions, wait: () => Promise<T>): Promise<T> {
  return options.deadline === undefined ? wait() : options.deadline.excluding(wait);
}

function started({ options, branch }: JobContext, job: AmplifyJob): AmplifyJob {
  options.log.info(`Started Amplify job ${job.id} on '${branch}'`);
  return job;
}

/**
 * The running job started before the variable was written, so it would build against the wrong
 * database: stop it (only this branch's own jobs, never another branch's) and start one that sees
 * the new value.
 */
async function replace(context: JobContext): Promise<AmplifyJob> {
  const { amplify, branch, options } = context;
  const active = await amplify.listActiveJobs(branch);
  for (const job of active) {
    options.log.info(
      `Stopping Amplify job ${job.id} (${job.status}) on '${branch}': it started without ${options.settings.envVarName}`,
    );
    await stopEnded(context, job);
  }
  return startWhenFree(context);
}

/**
 * StopJob on a job that ended between the lookup and the stop has no published answer: a 400, a 404
 * and a success all mean the job is over, and the start is tried again either way.
 */
async function stopEnded({ amplify, branch, options }: JobContext, job: AmplifyJob): Promise<void> {
  try {
    await amplify.stopJob(branch, job.id);
  } catch (error) {
    if (!(error instanceof ApiError && (error.status === 400 || error.status === 404))) throw error;
    options.log.info(`Amplify job ${job.id} had already ended`);
  }
}

async function waitThenStart(context: JobContext): Promise<AmplifyJob> {
  const { amplify, branch, options } = context;
  options.log.info(
    `A job is running on Amplify branch '${branch}'; waiting for it to end (on-running-job: wait)`,
  );
  const attempt = attempter(context);
  return untilStarted(context, attempt, async () =>
    (await amplify.listActiveJobs(branch)).length === 0 ? attempt.start() : undefined,
  );
}

/** Tries StartJob until it starts, saying what is in the way each time that changes. */
function startWhenFree(context: JobContext, first?: Holder): Promise<AmplifyJob> {
  const attempt = attempter(context);
  if (first !== undefined) attempt.explain(first);
  return untilStarted(context, attempt, attempt.start);
}

interface Attempter {
  start: () => Promise<AmplifyJob | undefined>;
  explain: (holder: Holder) => void;
  last: () => Holder | undefined;
}

function attempter(context: JobContext): Attempter {
  let last: Holder | undefined;
  let said = '';
  const explain = (holder: Holder) => {
    last = holder;
    const line = holderLine(context, holder);
    if (line !== said) context.options.log.info(line);
    said = line;
  };
  return {
    explain,
    last: () => last,
    start: async () => {
      const job = await tryStart(context);
      if (job === undefined) explain(await holderOf(context));
      return job;
    },
  };
}

function holderLine({ branch, options }: JobContext, holder: Holder): string {
  const limit = `up to job-timeout-minutes (${formatDuration(options.settings.jobTimeoutMinutes * 60_000)})`;
  switch (holder.kind) {
    case 'active':
      return `Amplify job ${holder.job.id} (${holder.job.status}) is still in the way on '${branch}'; starting once it has ended, ${limit}`;
    case 'cancelling':
      return `Amplify job ${holder.job.id} on '${branch}' is being cancelled (CANCELLING); starting a new job once it has ended, ${limit}`;
    case 'quota':
      return `Amplify refused to start a job on '${branch}' while the branch has no job of its own: the AWS account's concurrent-build quota (Amplify's "Concurrent jobs", 5 a region by default, lower on new accounts) is full. Waiting for a free slot whatever on-running-job says, ${limit}; no other branch's job is stopped.`;
  }
}

/** Polls `check`; a timeout while the quota was in the way says so instead of naming a job. */
async function untilStarted(
  context: JobContext,
  attempt: Attempter,
  check: () => Promise<AmplifyJob | undefined>,
): Promise<AmplifyJob> {
  const { branch } = context;
  try {
    return await pollUntil({ ...context.poll, label: `Starting an Amplify job on '${branch}'`, check });
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    const holder = attempt.last();
    const within = formatDuration(context.poll.timeoutMs);
    if (holder?.kind === 'quota') {
      throw new TimeoutError(
        `Starting an Amplify job on '${branch}' waited for a free slot in the AWS account's concurrent-build quota, and none came free within ${within} (job-timeout-minutes). Raise Amplify's "Concurrent jobs" quota in Service Quotas, or start fewer builds at once; nothing was stopped.`,
      );
    }
    const what =
      holder === undefined ? 'the running Amplify job' : `job ${holder.job.id} (${holder.job.status})`;
    throw new TimeoutError(
      `Waiting for ${what} on '${branch}' to end so that a new Amplify job can start: it did not end within ${within} (job-timeout-minutes)`,
    );
  }
}
