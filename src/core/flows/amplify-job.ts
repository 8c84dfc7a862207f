import { ApiError } from '../errors.js';
import { type PollOptions, pollUntil, realSleep } from '../poll.js';
import type { AmplifyJob, AmplifyPort } from '../ports.js';
import type { ExecuteOptions } from './options.js';

type Poll = Omit<PollOptions<AmplifyJob>, 'label' | 'check'>;

interface JobContext {
  amplify: AmplifyPort;
  branch: string;
  options: ExecuteOptions;
  poll: Poll;
  /** StartJob, or undefined while Amplify answers that a job is already pending or running. */
  tryStart: () => Promise<AmplifyJob | undefined>;
}

/**
 * Starts a RELEASE job on the branch; called only once the variable is written. A job that is already
 * pending or running is handled as `on-running-job` says.
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
    tryStart: async () => {
      try {
        return await amplify.startJob(branch);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'LimitExceededException') return undefined;
        throw error;
      }
    },
  };

  const first = await context.tryStart();
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
    // Waiting for Amplify has its own limit (job-timeout-minutes): outside the run's budget.
    case 'replace':
      return started(context, await outsideBudget(options, () => replace(context)));
    case 'wait':
      return started(context, await outsideBudget(options, () => waitThenStart(context)));
  }
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
 * database: stop it and start one that sees the new value.
 */
async function replace(context: JobContext): Promise<AmplifyJob> {
  const { amplify, branch, options } = context;
  const active = await amplify.listActiveJobs(branch);
  for (const job of active) {
    options.log.info(
      `Stopping Amplify job ${job.id} (${job.status}) on '${branch}': it started without ${options.settings.envVarName}`,
    );
    try {
      await amplify.stopJob(branch, job.id);
    } catch (error) {
      // The job may have ended between the lookup and StopJob; Amplify then refuses the stop (400).
      if (!(error instanceof ApiError && error.status === 400)) throw error;
      options.log.info(`Amplify job ${job.id} had already ended`);
    }
  }
  return pollUntil({
    ...context.poll,
    label: `Starting an Amplify job on '${branch}' after stopping ${active.map((j) => j.id).join(', ') || 'the running job'} (on-running-job: replace)`,
    check: context.tryStart,
  });
}

async function waitThenStart(context: JobContext): Promise<AmplifyJob> {
  const { amplify, branch, options } = context;
  options.log.info(
    `A job is running on Amplify branch '${branch}'; waiting for it to end (on-running-job: wait)`,
  );
  return pollUntil({
    ...context.poll,
    label: `Waiting for the running Amplify job on '${branch}' to end (on-running-job: wait)`,
    check: async () => ((await amplify.listActiveJobs(branch)).length === 0 ? context.tryStart() : undefined),
  });
}
