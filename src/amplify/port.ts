import {
  type AmplifyClientConfig,
  type Branch,
  CreateBranchCommand,
  DeleteBranchCommand,
  GetAppCommand,
  type GetAppCommandOutput,
  GetBranchCommand,
  GetJobCommand,
  type JobSummary,
  ListBranchesCommand,
  StartJobCommand,
  StopJobCommand,
  UpdateBranchCommand,
} from '@aws-sdk/client-amplify';
import { ApiError, UsageError } from '../core/errors.js';
import {
  ACTIVE_JOB_STATUSES,
  type AmplifyBranch,
  type AmplifyJob,
  type AmplifyPort,
  type JobStatus,
  type Logger,
} from '../core/ports.js';
import { createAmplifyClient } from './client.js';
import { type AmplifyCall, isServiceError, toAmplifyError } from './errors.js';

export interface AmplifyPortOptions {
  appId: string;
  region: string;
  log: Logger;
  /** Extra client config for tests (e.g. credentials, maxAttempts); production passes nothing. */
  clientConfig?: Partial<AmplifyClientConfig>;
  /** Per-request timeout; default 30 s. */
  requestTimeoutMs?: number;
}

/** ListBranches accepts at most 50 per page. */
const PAGE_SIZE = 50;

const JOB_STATUSES: readonly JobStatus[] = [
  'CREATED',
  'PENDING',
  'PROVISIONING',
  'RUNNING',
  'SUCCEED',
  'FAILED',
  'CANCELLING',
  'CANCELLED',
];

export function createAmplifyPort(options: AmplifyPortOptions): AmplifyPort {
  const { appId, log } = options;
  if (options.region === '') {
    throw new UsageError('Amplify needs a region: set aws-region, AWS_REGION or AWS_DEFAULT_REGION');
  }
  const client = createAmplifyClient({
    region: options.region,
    log,
    clientConfig: options.clientConfig,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
  });

  /** Runs one SDK call; every failure leaves as an ApiError naming the step. */
  const call = async <T>(what: AmplifyCall, run: () => Promise<T>): Promise<T> => {
    log.debug(`Amplify ${what.operation}: ${what.step}`);
    try {
      return await run();
    } catch (error) {
      throw toAmplifyError(unwrapBusyBranch(error), what);
    }
  };
  const at = (operation: string, step: string): AmplifyCall => ({ operation, step, appId });

  const isNotFound = (error: unknown): boolean =>
    error instanceof ApiError && error.code === 'NotFoundException';

  /**
   * Amplify answers NotFoundException for a missing app as well as for a missing branch. Before a
   * NotFound is read as "no such branch", the app is looked up, so that a wrong app id fails loudly
   * instead of looking like a branch that is not there (and a cleanup that "succeeded").
   */
  const confirmApp = async (step: string): Promise<void> => {
    await readApp(step);
  };

  /**
   * GetApp at most once per port: a deploy reads the app for its domain while it reads the branch,
   * and a missing branch confirms the app again. Only an answer is kept; a failure is not, so each
   * caller that meets one reports it under its own step.
   */
  let app: Promise<GetAppCommandOutput> | undefined;
  const readApp = (step: string): Promise<GetAppCommandOutput> => {
    app ??= call(at('GetApp', step), () => client.send(new GetAppCommand({ appId }))).catch(
      (error: unknown) => {
        app = undefined;
        throw error;
      },
    );
    return app;
  };

  const readJob = async (branch: string, jobId: string): Promise<AmplifyJob> => {
    const step = `Reading Amplify job ${jobId} of branch '${branch}'`;
    const output = await call(at('GetJob', step), () =>
      client.send(new GetJobCommand({ appId, branchName: branch, jobId })),
    );
    return toJob(output.job?.summary, step);
  };

  return {
    async getApp() {
      const output = await readApp(`Reading Amplify app '${appId}'`);
      const defaultDomain = output.app?.defaultDomain;
      if (defaultDomain === undefined || defaultDomain === '') {
        throw new ApiError(`Reading Amplify app '${appId}'`, 'the answer has no defaultDomain', {
          service: 'Amplify',
          requestId: output.$metadata.requestId,
        });
      }
      return { defaultDomain };
    },

    async getBranch(name) {
      const step = `Reading Amplify branch '${name}'`;
      try {
        const output = await call(at('GetBranch', step), () =>
          client.send(new GetBranchCommand({ appId, branchName: name })),
        );
        return toBranch(output.branch, name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await confirmApp(step);
        return undefined;
      }
    },

    async createBranch({ name, environmentVariables }) {
      const output = await call(at('CreateBranch', `Creating Amplify branch '${name}'`), () =>
        client.send(
          new CreateBranchCommand({
            appId,
            branchName: name,
            // Off, so that creating the branch (or a later push) does not build it before the
            // variables are in place; this tool starts the job itself.
            enableAutoBuild: false,
            environmentVariables,
          }),
        ),
      );
      return toBranch(output.branch, name);
    },

    async setEnvironmentVariables(name, variables) {
      const output = await call(
        at('UpdateBranch', `Updating the environment variables of Amplify branch '${name}'`),
        () =>
          client.send(
            new UpdateBranchCommand({
              appId,
              branchName: name,
              // UpdateBranch replaces the whole map, so this is the complete map, never a patch.
              // An empty map means "unchanged" to Amplify; `{"": ""}` is how to clear it.
              environmentVariables: Object.keys(variables).length === 0 ? { '': '' } : variables,
            }),
          ),
      );
      return toBranch(output.branch, name);
    },

    async deleteBranch(name) {
      const step = `Deleting Amplify branch '${name}'`;
      try {
        await call(at('DeleteBranch', step), () =>
          client.send(new DeleteBranchCommand({ appId, branchName: name })),
        );
        return 'deleted';
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await confirmApp(step);
        return 'gone';
      }
    },

    async listBranchNames() {
      const step = `Listing the branches of Amplify app '${appId}'`;
      const names: string[] = [];
      const seen = new Set<string>();
      let nextToken: string | undefined;
      do {
        const token = nextToken;
        const output = await call(at('ListBranches', step), () =>
          client.send(new ListBranchesCommand({ appId, maxResults: PAGE_SIZE, nextToken: token })),
        );
        for (const branch of output.branches ?? []) {
          if (branch.branchName !== undefined) names.push(branch.branchName);
        }
        nextToken = output.nextToken === '' ? undefined : output.nextToken;
        if (nextToken !== undefined) {
          // A token seen before would page forever; stop with an error instead.
          if (seen.has(nextToken)) {
            throw new ApiError(step, 'Amplify returned the same nextToken twice', {
              service: 'Amplify',
              requestId: output.$metadata.requestId,
            });
          }
          seen.add(nextToken);
        }
      } while (nextToken !== undefined);
      return names;
    },

    async startJob(branch) {
      const command = new StartJobCommand({ appId, branchName: branch, jobType: 'RELEASE' });
      // The SDK counts LimitExceededException as throttling and would retry it (three attempts, with
      // about a second of backoff each) before giving up. On StartJob it means a job is already
      // pending or running on the branch (or the account's concurrent-job quota is full), which the
      // executor handles itself (on-running-job), so it is passed through on the first answer.
      command.middlewareStack.add(
        (next) => async (args) => {
          try {
            return await next(args);
          } catch (error) {
            if (isServiceError(error) && error.name === 'LimitExceededException') throw new BusyBranch(error);
            throw error;
          }
        },
        { step: 'deserialize', priority: 'high', name: 'amplifyStartJobNoThrottleRetry' },
      );
      const output = await call(at('StartJob', `Starting an Amplify job on branch '${branch}'`), () =>
        client.send(command),
      );
      return toJob(output.jobSummary, `Starting an Amplify job on branch '${branch}'`);
    },

    async listActiveJobs(branch) {
      const step = `Reading the active job of Amplify branch '${branch}'`;
      // The branch's activeJobId names its newest job, and Amplify runs at most one job per branch
      // at a time (StartJob refuses a second), so GetBranch + GetJob find every active job with
      // only the routes DESIGN.md lists; ListJobs is not needed.
      const output = await call(at('GetBranch', step), () =>
        client.send(new GetBranchCommand({ appId, branchName: branch })),
      );
      const jobId = output.branch?.activeJobId;
      if (jobId === undefined || jobId === '' || jobId === '0') return [];
      try {
        const job = await readJob(branch, jobId);
        return ACTIVE_JOB_STATUSES.includes(job.status) ? [job] : [];
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
    },

    getJob: readJob,

    async stopJob(branch, jobId) {
      await call(at('StopJob', `Stopping Amplify job ${jobId} of branch '${branch}'`), () =>
        client.send(new StopJobCommand({ appId, branchName: branch, jobId })),
      );
    },
  };
}

/** Carries a StartJob LimitExceededException past the SDK's retry (which only retries errors it knows). */
class BusyBranch extends Error {
  override name = 'BusyBranch';
  constructor(readonly original: Error) {
    super(original.message);
  }
}

function unwrapBusyBranch(error: unknown): unknown {
  return error instanceof BusyBranch ? error.original : error;
}

function toBranch(branch: Branch | undefined, requested: string): AmplifyBranch {
  const name = branch?.branchName ?? requested;
  return {
    name,
    // Amplify always sends displayName; the fallback is its documented default.
    displayName: branch?.displayName ?? name.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
    environmentVariables: { ...(branch?.environmentVariables ?? {}) },
  };
}

function toJob(summary: JobSummary | undefined, step: string): AmplifyJob {
  const id = summary?.jobId;
  const status = summary?.status;
  if (id === undefined || status === undefined) {
    throw new ApiError(step, 'the answer has no job summary', { service: 'Amplify' });
  }
  // A status this code does not know could be active or final; guessing either way could start a
  // second build or wait forever, so it stops here with a clear error.
  if (!(JOB_STATUSES as readonly string[]).includes(status)) {
    throw new ApiError(step, `job ${id} has an unknown status '${status}'`, { service: 'Amplify' });
  }
  return { id, status: status as JobStatus };
}
