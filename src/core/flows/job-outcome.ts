import { amplifyTarget } from '../amplify-settings.js';
import { amplifyDeploymentsConsoleUrl } from '../console-links.js';
import { formatDuration } from '../duration.js';
import type { AmplifyJob } from '../ports.js';
import type { DeployResult } from '../result.js';
import type { Settings } from '../settings.js';
import type { JobWait } from './wait-for-job.js';

/**
 * A build that `wait-for-job` saw fail, be cancelled, or outlast `job-timeout-minutes`. It carries
 * the deploy's result, whose database and variable are in place, so that front ends still give its
 * outputs and report the outcome (the comment, the deployment) before failing the run.
 */
export class AmplifyJobError extends Error {
  override name = 'AmplifyJobError';
  constructor(
    message: string,
    readonly result: DeployResult,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

/**
 * The error for a wait that did not end in SUCCEED; undefined when it did. It names the failed step
 * and Amplify's reason, and links the branch's builds in the Amplify console, where each step's log
 * is. (The step's own `logUrl` is a presigned S3 URL that would give anyone reading the workflow log
 * the build log for as long as it is valid; it is never printed.)
 */
export function jobOutcomeError(
  result: DeployResult,
  wait: JobWait,
  settings: Pick<Settings, 'awsRegion' | 'amplifyAppId' | 'jobTimeoutMinutes'>,
): AmplifyJobError | undefined {
  const { job, timedOut } = wait;
  if (!timedOut && job.status === 'SUCCEED') return undefined;
  const target = amplifyTarget(settings);
  const link =
    'missing' in target
      ? undefined
      : amplifyDeploymentsConsoleUrl(target.region, target.appId, result.gitBranch);
  const logs = link === undefined ? '' : `. Its log: ${link} (job ${job.id})`;
  const what = `Amplify job ${job.id} on '${result.gitBranch}'`;
  if (timedOut) {
    return new AmplifyJobError(
      `${what} did not end within ${formatDuration(settings.jobTimeoutMinutes * 60_000)} (job-timeout-minutes); last seen ${describeJob(job)}. The build goes on in Amplify${logs}`,
      result,
      true,
    );
  }
  const failed = job.steps?.find((step) => step.status === 'FAILED') ?? job.steps?.at(-1);
  const at =
    failed === undefined
      ? ''
      : ` at step ${failed.name}${failed.statusReason === undefined ? '' : ` (${failed.statusReason})`}`;
  return new AmplifyJobError(`${what} ended ${job.status}${at}${logs}`, result, false);
}

/** `RUNNING (BUILD RUNNING)`: the job's status and the step it is in. */
function describeJob(job: AmplifyJob): string {
  const current = job.steps?.at(-1);
  return current === undefined ? job.status : `${job.status} (step ${current.name} ${current.status})`;
}
