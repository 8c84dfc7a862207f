import type { Branch, CreateBranchCommand, JobSummary, StartJobCommand, Step } from '@aws-sdk/client-amplify';
import { JobStatus } from '@aws-sdk/client-amplify';
import { ApiError } from '../core/errors.js';
import { amplifyDisplayName } from '../core/naming.js';
import type { AmplifyBranch, AmplifyJob, AmplifyJobStep } from '../core/ports.js';
import { isServiceError } from './errors.js';

/**
 * The SDK counts LimitExceededException as throttling and would retry it (three attempts, with
 * about a second of backoff each) before giving up. Amplify's model describes it as a quota ("A
 * resource could not be created because service quotas were exceeded"), which a second later is as
 * full as before. On StartJob a job is already pending or running on the branch, or the account's
 * concurrent-job quota is full, which the executor handles itself (on-running-job, the quota wait);
 * on CreateBranch the app holds its 50 branches, which no retry changes. So it is passed through on
 * the first answer.
 */
export function passLimitExceededThrough(command: StartJobCommand | CreateBranchCommand): void {
  // The middleware reads neither input nor output, so either command's stack takes it; TypeScript
  // cannot pick an `add` overload on the union of the two stacks.
  const stack = command.middlewareStack as StartJobCommand['middlewareStack'];
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (isServiceError(error) && error.name === 'LimitExceededException')
          throw new PassedLimitExceeded(error);
        throw error;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'amplifyLimitExceededNoRetry' },
  );
}

/** Carries a LimitExceededException past the SDK's retry (which only retries errors it knows). */
export class PassedLimitExceeded extends Error {
  override name = 'PassedLimitExceeded';
  constructor(readonly original: Error) {
    super(original.message);
  }
}

export function unwrapLimitExceeded(error: unknown): unknown {
  return error instanceof PassedLimitExceeded ? error.original : error;
}

export function toBranch(branch: Branch | undefined, requested: string): AmplifyBranch {
  const name = branch?.branchName ?? requested;
  return {
    name,
    // Amplify always sends displayName; the fallback is its documented default.
    displayName: branch?.displayName ?? amplifyDisplayName(name),
    environmentVariables: { ...(branch?.environmentVariables ?? {}) },
  };
}

export function toJob(summary: JobSummary | undefined, step: string, steps?: Step[]): AmplifyJob {
  const id = summary?.jobId;
  const status = summary?.status;
  if (id === undefined || status === undefined) {
    throw new ApiError(step, 'the answer has no job summary', { service: 'Amplify' });
  }
  // A status this code does not know could be active or final; guessing either way could start a
  // second build or wait forever, so it stops here with a clear error.
  if (!(Object.values(JobStatus) as string[]).includes(status)) {
    throw new ApiError(step, `job ${id} has an unknown status '${status}'`, { service: 'Amplify' });
  }
  return steps === undefined ? { id, status } : { id, status, steps: steps.flatMap(toStep) };
}

/** A step as the core sees it; its presigned `logUrl` is left behind, so no log line can carry it. */
function toStep(step: Step): AmplifyJobStep[] {
  const { stepName, status, statusReason } = step;
  if (stepName === undefined || status === undefined) return [];
  return [{ name: stepName, status, ...(statusReason ? { statusReason } : {}) }];
}
