import { formatDuration } from '../duration.js';
import type { AmplifyJob, AmplifyPort, JobStatus, Logger } from '../ports.js';
import { realSleep } from '../sleep.js';
import type { ExecuteOptions } from './options.js';

/** How the wait ended: the job as it ended, or as last seen when `job-timeout-minutes` came first. */
export interface JobWait {
  job: AmplifyJob;
  timedOut: boolean;
}

/** A job in one of these changes no more (CANCELLING still becomes CANCELLED). */
export const ENDED_JOB_STATUSES: readonly JobStatus[] = ['SUCCEED', 'FAILED', 'CANCELLED'];

/** A build takes minutes: the first look comes after a few seconds, later ones at most every 15 s. */
const FIRST_LOOK_MS = 3_000;
const MAX_INTERVAL_MS = 15_000;

/**
 * `wait-for-job`: polls GetJob with backoff until the job ends or `job-timeout-minutes` passes,
 * logging the job's status and each step's as they change. Returns rather than throws on a failed
 * build or a timeout: the caller still records the outcome (the schema, the comment) before the run
 * fails.
 */
export async function waitForJob(
  amplify: AmplifyPort,
  branch: string,
  started: AmplifyJob,
  options: ExecuteOptions,
): Promise<JobWait> {
  const { log, settings } = options;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const limitMs = settings.jobTimeoutMinutes * 60_000;
  const end = now() + limitMs;
  const maxDelay = options.jobPollMaxMs ?? MAX_INTERVAL_MS;
  let delay = Math.min(options.jobPollInitialMs ?? FIRST_LOOK_MS, maxDelay);
  const report = changeLogger(log, branch, started);
  log.info(
    `Waiting for Amplify job ${started.id} on '${branch}' to end (wait-for-job; at most ${formatDuration(limitMs)}, job-timeout-minutes)`,
  );
  let job = started;
  for (let left = limitMs; left > 0; left = end - now()) {
    await sleep(Math.min(delay, left));
    delay = Math.min(Math.round(delay * 1.5), maxDelay);
    job = await amplify.getJob(branch, job.id);
    report(job);
    if (ENDED_JOB_STATUSES.includes(job.status)) return { job, timedOut: false };
  }
  return { job, timedOut: true };
}

/** Logs what changed since the last look: the job's status, and each step's. */
function changeLogger(log: Logger, branch: string, started: AmplifyJob): (job: AmplifyJob) => void {
  const last = new Map<string, string>([['job', started.status]]);
  const changed = (key: string, status: string) => {
    if (last.get(key) === status) return false;
    last.set(key, status);
    return true;
  };
  return (job) => {
    const changes: string[] = [];
    if (changed('job', job.status)) changes.push(`job ${job.status}`);
    for (const step of job.steps ?? []) {
      if (changed(`step ${step.name}`, step.status)) changes.push(`step ${step.name} ${step.status}`);
    }
    if (changes.length > 0) log.info(`Amplify job ${job.id} on '${branch}': ${changes.join(', ')}`);
  };
}
