import { messageOf } from '../errors.js';
import type { DeployPlan } from '../plan.js';
import type { DeployResult } from '../result.js';
import { jobOutcomeError } from './job-outcome.js';
import { amplifyOf, type ExecuteOptions } from './options.js';
import { compareWithParent } from './schema-diff.js';
import { type JobWait, waitForJob } from './wait-for-job.js';

/**
 * What follows the deploy proper, once the variable is written and the job started: the front end
 * hears that the job started, `wait-for-job` waits for it, and the schema is compared with the
 * parent's last, when the run knows it best. A build that failed or outlasted its limit fails the
 * run here, after everything else was recorded.
 */
export async function afterDeploy(
  plan: DeployPlan,
  result: DeployResult,
  options: ExecuteOptions,
): Promise<DeployResult> {
  if (result.dryRun) return result;
  const { job } = result;
  if (job !== undefined) await announceJob(result, options);

  let wait: JobWait | undefined;
  if (job !== undefined && options.settings.waitForJob) {
    const amplify = amplifyOf(options);
    const waitFor = () => waitForJob(amplify, plan.gitBranch, job, options);
    // The build has its own limit (job-timeout-minutes): the run's budget stands still meanwhile.
    wait = await (options.deadline === undefined ? waitFor() : options.deadline.excluding(waitFor));
    result.job = wait.job;
  } else if (options.settings.waitForJob && !options.neonOnly) {
    options.log.info('wait-for-job: this run started no Amplify job, so there is none to wait for');
  }

  Object.assign(result, await compareWithParent(plan, result, options));
  const failure = wait === undefined ? undefined : jobOutcomeError(result, wait, options.settings);
  if (failure !== undefined) throw failure;
  if (wait !== undefined) options.log.info(`Amplify job ${wait.job.id} on '${plan.gitBranch}' succeeded`);
  return result;
}

/** The `onJobStarted` hook: a report only, so whatever it throws is logged and the deploy goes on. */
async function announceJob(result: DeployResult, options: ExecuteOptions): Promise<void> {
  if (options.onJobStarted === undefined) return;
  try {
    await options.onJobStarted(structuredClone(result));
  } catch (error) {
    options.log.warning(`Reporting the started Amplify job failed: ${messageOf(error)}`);
  }
}
