import {
  type AmplifyClient,
  type AmplifyClientConfig,
  CreateBranchCommand,
  DeleteBranchCommand,
  GetAppCommand,
  type GetAppCommandOutput,
  GetBranchCommand,
  GetJobCommand,
  paginateListBranches,
  StartJobCommand,
  StopJobCommand,
  UpdateBranchCommand,
} from '@aws-sdk/client-amplify';
import { requireRegion } from '../core/amplify-settings.js';
import type { Deadline } from '../core/deadline.js';
import { ApiError, messageOf } from '../core/errors.js';
import { ACTIVE_JOB_STATUSES, type AmplifyPort, type Logger } from '../core/ports.js';
import { createAmplifyClient } from './client.js';
import { type AmplifyCall, toAmplifyError } from './errors.js';
import { passLimitExceededThrough, toBranch, toJob, unwrapLimitExceeded } from './shapes.js';

export interface AmplifyPortOptions {
  appId: string;
  region: string;
  log: Logger;
  /** Extra client config for tests (e.g. credentials, maxAttempts); production passes nothing. */
  clientConfig?: Partial<AmplifyClientConfig>;
  /** Per-request timeout; default 30 s. */
  /** The run's budget (timeout-minutes): every call, with the SDK's retries, fits in it. */
  deadline?: Deadline | undefined;
  requestTimeoutMs?: number;
}

/** What each SDK call is sent with: the run budget's abort signal. */
interface SendOptions {
  abortSignal?: AbortSignal;
}

/**
 * The map that clears every variable. Amplify reads an empty map as "unchanged" and refuses an
 * empty key ("Environment variables cannot have an empty key."); one key of a single space with an
 * empty value clears the map (README.md, "Safety rules", cleanup).
 */
const CLEARED: Readonly<Record<string, string>> = { ' ': '' };

/** ListBranches accepts at most 50 per page. */
const PAGE_SIZE = 50;

export function createAmplifyPort(options: AmplifyPortOptions): AmplifyPort {
  return new AmplifyApiPort(options);
}

/** The Amplify port over the real SDK client; every failure leaves as an ApiError naming its step. */
class AmplifyApiPort implements AmplifyPort {
  private readonly appId: string;
  private readonly log: Logger;
  private readonly client: AmplifyClient;
  private readonly deadline: Deadline | undefined;
  /** GetApp's answer, kept once it came; see readApp. */
  private app: Promise<GetAppCommandOutput> | undefined;

  constructor(options: AmplifyPortOptions) {
    // The settings never give an empty region; a caller that builds the options itself gets the same error.
    requireRegion({ awsRegion: options.region === '' ? undefined : options.region });
    this.appId = options.appId;
    this.log = options.log;
    this.deadline = options.deadline;
    this.client = createAmplifyClient({
      region: options.region,
      log: options.log,
      clientConfig: options.clientConfig,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    });
  }

  async getApp() {
    const output = await this.readApp(`Reading Amplify app '${this.appId}'`);
    const defaultDomain = output.app?.defaultDomain;
    if (defaultDomain === undefined || defaultDomain === '') {
      throw new ApiError(`Reading Amplify app '${this.appId}'`, 'the answer has no defaultDomain', {
        service: 'Amplify',
        requestId: output.$metadata.requestId,
      });
    }
    return { defaultDomain };
  }

  async getBranch(name: string) {
    const step = `Reading Amplify branch '${name}'`;
    try {
      const output = await this.call('GetBranch', step, (sendOptions) =>
        this.client.send(new GetBranchCommand({ appId: this.appId, branchName: name }), sendOptions),
      );
      return toBranch(output.branch, name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.readApp(step);
      return undefined;
    }
  }

  async createBranch({
    name,
    environmentVariables,
  }: {
    name: string;
    environmentVariables: Record<string, string>;
  }) {
    const command = new CreateBranchCommand({
      appId: this.appId,
      branchName: name,
      // Off, so that creating the branch (or a later push) does not build it before the
      // variables are in place; this tool starts the job itself.
      enableAutoBuild: false,
      environmentVariables,
    });
    // The app is full: no retry makes room.
    passLimitExceededThrough(command);
    const output = await this.call('CreateBranch', `Creating Amplify branch '${name}'`, (sendOptions) =>
      this.client.send(command, sendOptions),
    );
    return toBranch(output.branch, name);
  }

  async setEnvironmentVariables(name: string, variables: Record<string, string>) {
    const step = `Updating the environment variables of Amplify branch '${name}'`;
    const output = await this.call('UpdateBranch', step, (sendOptions) =>
      this.client.send(
        new UpdateBranchCommand({
          appId: this.appId,
          branchName: name,
          // UpdateBranch replaces the whole map, so this is the complete map, never a patch.
          environmentVariables: Object.keys(variables).length === 0 ? CLEARED : variables,
        }),
        sendOptions,
      ),
    );
    return toBranch(output.branch, name);
  }

  async deleteBranch(name: string): Promise<'deleted' | 'gone'> {
    const step = `Deleting Amplify branch '${name}'`;
    try {
      await this.call('DeleteBranch', step, (sendOptions) =>
        this.client.send(new DeleteBranchCommand({ appId: this.appId, branchName: name }), sendOptions),
      );
      return 'deleted';
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.readApp(step);
      return 'gone';
    }
  }

  async listBranchNames() {
    const step = `Listing the branches of Amplify app '${this.appId}'`;
    const names: string[] = [];
    const seen = new Set<string>();
    const pages = paginateListBranches({ client: this.client, pageSize: PAGE_SIZE }, { appId: this.appId });
    await this.call('ListBranches', step, async () => {
      for await (const page of pages) {
        for (const branch of page.branches ?? []) {
          if (branch.branchName !== undefined) names.push(branch.branchName);
        }
        const token = page.nextToken;
        if (token === undefined || token === '') continue;
        // A token seen before would page forever (the paginator only notices one repeated at once).
        if (seen.has(token)) {
          throw new ApiError(step, 'Amplify returned the same nextToken twice', {
            service: 'Amplify',
            requestId: page.$metadata.requestId,
          });
        }
        seen.add(token);
      }
    });
    return names;
  }

  async startJob(branch: string) {
    const step = `Starting an Amplify job on branch '${branch}'`;
    const command = new StartJobCommand({ appId: this.appId, branchName: branch, jobType: 'RELEASE' });
    passLimitExceededThrough(command);
    const output = await this.call('StartJob', step, (sendOptions) => this.client.send(command, sendOptions));
    return toJob(output.jobSummary, step);
  }

  async listActiveJobs(branch: string) {
    const job = await this.latestJob(branch);
    return job !== undefined && ACTIVE_JOB_STATUSES.includes(job.status) ? [job] : [];
  }

  async latestJob(branch: string) {
    const step = `Reading the active job of Amplify branch '${branch}'`;
    // The branch's activeJobId names its newest job, and Amplify runs at most one job per branch
    // at a time (StartJob refuses a second), so GetBranch + GetJob find every active job with
    // only the routes the README's IAM policy allows; ListJobs is not needed.
    const output = await this.call('GetBranch', step, (sendOptions) =>
      this.client.send(new GetBranchCommand({ appId: this.appId, branchName: branch }), sendOptions),
    );
    const jobId = output.branch?.activeJobId;
    if (jobId === undefined || jobId === '' || jobId === '0') return undefined;
    try {
      return await this.getJob(branch, jobId);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async getJob(branch: string, jobId: string) {
    const step = `Reading Amplify job ${jobId} of branch '${branch}'`;
    const output = await this.call('GetJob', step, (sendOptions) =>
      this.client.send(new GetJobCommand({ appId: this.appId, branchName: branch, jobId }), sendOptions),
    );
    return toJob(output.job?.summary, step, output.job?.steps);
  }

  async stopJob(branch: string, jobId: string) {
    await this.call('StopJob', `Stopping Amplify job ${jobId} of branch '${branch}'`, (sendOptions) =>
      this.client.send(new StopJobCommand({ appId: this.appId, branchName: branch, jobId }), sendOptions),
    );
  }

  /** Runs one SDK call; every failure leaves as an ApiError naming the step. */
  private async call<T>(
    operation: string,
    step: string,
    run: (sendOptions: SendOptions) => Promise<T>,
  ): Promise<T> {
    const what: AmplifyCall = { operation, step, appId: this.appId };
    const { deadline } = this;
    this.log.debug(`Amplify ${operation}: ${step}`);
    deadline?.check(step);
    try {
      // The SDK's retries and each attempt's timeout, cut to what is left of the run's budget.
      return await run(deadline === undefined ? {} : { abortSignal: deadline.signal() });
    } catch (error) {
      // An ApiError raised inside the call (a repeated page token) is already worded.
      if (error instanceof ApiError) throw error;
      deadline?.check(step, messageOf(error));
      throw toAmplifyError(unwrapLimitExceeded(error), what);
    }
  }

  /**
   * GetApp at most once per port: a deploy reads the app for its domain while it reads the branch,
   * and a missing branch confirms the app again. Amplify answers NotFoundException for a missing app
   * as well as for a missing branch, so before a NotFound is read as "no such branch" the app is
   * looked up: a wrong app id fails loudly instead of looking like a branch that is not there. Only
   * an answer is kept; a failure is not, so each caller that meets one reports it under its own step.
   */
  private readApp(step: string): Promise<GetAppCommandOutput> {
    this.app ??= this.call('GetApp', step, (sendOptions) =>
      this.client.send(new GetAppCommand({ appId: this.appId }), sendOptions),
    ).catch((error: unknown) => {
      this.app = undefined;
      throw error;
    });
    return this.app;
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'NotFoundException';
}
