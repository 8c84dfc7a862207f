/**
 * A strict stand-in for AWS Amplify's restJson1 API on 127.0.0.1, for contract and end-to-end tests.
 * Point the real SDK at it with `AWS_ENDPOINT_URL_AMPLIFY=<url>` (or `endpoint` in the client config),
 * sign with AMPLIFY_TEST_CREDENTIALS and the stand-in's region.
 *
 * What it holds the client to, as the service does: a valid SigV4 signature for service `amplify`
 * and the stand-in's region; the branch name as exactly one percent-encoded path segment; the
 * model's required members and limits; every success 200; errors as `x-amzn-ErrorType` + `{message}`;
 * an `x-amzn-RequestId` on every response; timestamps as epoch seconds.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobStatus, JobType, Stage } from '@aws-sdk/client-amplify';
import {
  ACTIVE_STATUSES,
  type ArnContext,
  type BranchBody,
  defaultDisplayName,
  type GetAppBody,
  type GetJobBody,
  type JobStepName,
  type ListBranchesBody,
  type ListJobsBody,
  type StandInApp,
  type StandInBranch,
  type StandInJob,
  type StandInState,
  type StartJobBody,
  type StopJobBody,
  wireApp,
  wireBranch,
  wireJobSteps,
  wireJobSummary,
} from './amplify-state.js';
import { type StandInCredentials, verifySigV4 } from './sigv4.js';

export type { StandInApp, StandInBranch, StandInJob, StandInState } from './amplify-state.js';
export { defaultDisplayName, JOB_STEPS, PRESIGNED_TOKEN } from './amplify-state.js';
export type { StandInCredentials } from './sigv4.js';

/**
 * The only key the stand-in accepts unless `credentials` says otherwise. Not a real AWS key. Hand the
 * SDK a copy (`{ ...AMPLIFY_TEST_CREDENTIALS }`): it writes bookkeeping onto the object it is given.
 */
export const AMPLIFY_TEST_CREDENTIALS: Readonly<StandInCredentials> = {
  accessKeyId: 'AKIASTANDINAMPLIFY01',
  secretAccessKey: 'stand-in/amplify+secret/NOT-A-REAL-KEY-0123456789',
};

export const AMPLIFY_TEST_REGION = 'us-east-1';

export type AmplifyOperation =
  | 'GetApp'
  | 'ListBranches'
  | 'CreateBranch'
  | 'GetBranch'
  | 'UpdateBranch'
  | 'DeleteBranch'
  | 'StartJob'
  | 'ListJobs'
  | 'GetJob'
  | 'StopJob';

/** One request as the stand-in saw it, in arrival order. */
export interface RecordedRequest {
  method: string;
  /** The path decoded for reading (`/apps/d1/branches/feat/x`); ambiguous by design, see rawPath. */
  path: string;
  /** The path exactly as sent (`/apps/d1/branches/feat%2Fx`). */
  rawPath: string;
  query: Record<string, string>;
  /** The parsed JSON body, undefined when there was none. */
  body: unknown;
  operation?: AmplifyOperation | undefined;
  /** Path parameters, each segment decoded exactly once. */
  params: { appId?: string; branchName?: string; jobId?: string };
  /** 0 while in flight and for a dropped connection. */
  status: number;
  /** The `x-amzn-ErrorType` sent, for errors. */
  errorType?: string | undefined;
  requestId: string;
  accessKeyId?: string | undefined;
  /** The region of the signature's credential scope. */
  region?: string | undefined;
  /** Set when an injected fault answered (or delayed) this request. */
  fault?: FaultAction['kind'] | undefined;
}

export type FaultAction =
  /** Answer with this status, `x-amzn-ErrorType` and `{message}`. */
  | { kind: 'error'; status: number; errorType: string; message?: string; retryAfterSeconds?: number }
  /** Destroy the socket without answering (the client sees ECONNRESET / socket hang up). */
  | { kind: 'drop' }
  /** Wait, then handle the request normally. */
  | { kind: 'latency'; ms: number };

export interface FaultSpec {
  /** Every given criterion must match. A string path equals the decoded or the raw path. */
  method?: string;
  path?: string | RegExp;
  operation?: AmplifyOperation;
  /** How many matching requests it hits; default 1. */
  times?: number;
  action: FaultAction;
}

export interface JobProgress {
  /** Advance one step after this many GetJob reads of the job. */
  afterPolls?: number;
  /** Advance one step each time this many ms pass (checked on every request). */
  afterMs?: number;
  /** Where RUNNING ends; default SUCCEED. */
  finalStatus?: 'SUCCEED' | 'FAILED';
  /** The step a FAILED job failed at, in GetJob's steps; default BUILD. */
  failedStep?: JobStepName;
}

export interface AmplifyStandInOptions {
  /** The region the stand-in plays; requests signed for another region are refused. Default us-east-1. */
  region?: string;
  accountId?: string;
  /** Keys it accepts; default [AMPLIFY_TEST_CREDENTIALS]. */
  credentials?: StandInCredentials[];
  /** Amplify's quota; default 50. */
  maxBranchesPerApp?: number;
  /**
   * The account's concurrent-build quota ("Concurrent jobs", 5 a region by default, lower on new
   * accounts: Amplify's service quotas page): jobs in an active status across every app and branch
   * of this stand-in, which plays one account in one region. Default 5.
   */
  concurrentJobsQuota?: number;
  /**
   * Whether a CANCELLING job keeps StartJob away from its branch, as an active one does. Not
   * published (a guess either way); default true.
   */
  cancellingBlocksStart?: boolean;
  /**
   * StopJob's answer for a job that has already ended. Not published (a guess): `BadRequest` (400,
   * the default), `NotFound` (404) or `success` (200 with the job as it is).
   */
  stopEndedJob?: 'BadRequest' | 'NotFound' | 'success';
  /**
   * Automatic job progression: CREATED/PENDING → RUNNING → SUCCEED (or FAILED). Default none: jobs
   * stay where they are until `setJobStatus`.
   */
  jobProgress?: JobProgress;
  /** How long a stopped job stays CANCELLING before it is CANCELLED; default 0 (the next request sees it). */
  cancelAfterMs?: number;
  /** The clock, in epoch ms; default Date.now. */
  now?: () => number;
}

export interface AddAppInput {
  appId?: string;
  name?: string;
  defaultDomain?: string;
  repository?: string;
}

export interface AddBranchInput {
  environmentVariables?: Record<string, string>;
  displayName?: string;
  enableAutoBuild?: boolean;
  stage?: Stage | 'NONE';
}

export interface AddJobInput {
  status?: JobStatus;
  jobType?: JobType;
}

export interface AmplifyStandIn {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_AMPLIFY or the client's `endpoint`. */
  url: string;
  region: string;
  accountId: string;
  /** The credentials a client should sign with (the first accepted key). */
  credentials: Readonly<StandInCredentials>;
  state: StandInState;
  requests: RecordedRequest[];
  /** Requests that reached the given operation (after the signature check). */
  requestsFor(operation: AmplifyOperation): RecordedRequest[];
  addApp(input?: AddAppInput): StandInApp;
  addBranch(appId: string, branchName: string, input?: AddBranchInput): StandInBranch;
  addJob(appId: string, branchName: string, input?: AddJobInput): StandInJob;
  app(appId: string): StandInApp | undefined;
  branch(appId: string, branchName: string): StandInBranch | undefined;
  job(appId: string, branchName: string, jobId: string): StandInJob | undefined;
  setJobStatus(appId: string, branchName: string, jobId: string, status: JobStatus): StandInJob;
  setJobProgress(progress: JobProgress | undefined): void;
  /** Queue a fault for the next matching request(s). */
  injectFault(fault: FaultSpec): void;
  /** Faults not yet used up. */
  pendingFaults(): number;
  /** Deny an IAM action (`amplify:UpdateBranch`): 403 AccessDeniedException. */
  denyAction(action: string): void;
  close(): Promise<void>;
}

class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

const badRequest = (message: string) => new ServiceError(400, 'BadRequestException', message);
const notFound = (message: string) => new ServiceError(404, 'NotFoundException', message);
const limitExceeded = (message: string) => new ServiceError(429, 'LimitExceededException', message);

const JOB_TYPES: readonly string[] = ['RELEASE', 'RETRY', 'MANUAL', 'WEB_HOOK'];
const STAGES: readonly string[] = ['PRODUCTION', 'BETA', 'DEVELOPMENT', 'EXPERIMENTAL', 'PULL_REQUEST'];
const MAX_VALUE_LENGTH = 5500;
const MAX_PAGE = 50;
/** A job in one of these keeps StartJob away: Amplify runs one job per branch at a time. */
const BUSY_STATUSES: readonly JobStatus[] = [...ACTIVE_STATUSES, 'CANCELLING'];

interface Route {
  operation: AmplifyOperation;
  appId: string;
  branchName?: string;
  jobId?: string;
}

interface Answer {
  status: number;
  body: unknown;
}

/**
 * The environment a child process's AWS SDK needs to reach this stand-in, and nothing of the
 * machine's own AWS setup: no profile files, no instance metadata service to wait for.
 */
export function amplifyClientEnv(standIn: AmplifyStandIn): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_AMPLIFY: standIn.url,
    AWS_ACCESS_KEY_ID: standIn.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: standIn.credentials.secretAccessKey,
    AWS_REGION: standIn.region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  };
}

export async function startAmplifyStandIn(options: AmplifyStandInOptions = {}): Promise<AmplifyStandIn> {
  const region = options.region ?? AMPLIFY_TEST_REGION;
  const accountId = options.accountId ?? '123456789012';
  const credentials = options.credentials ?? [AMPLIFY_TEST_CREDENTIALS];
  const maxBranches = options.maxBranchesPerApp ?? 50;
  const jobsQuota = options.concurrentJobsQuota ?? 5;
  const holdingStatuses = options.cancellingBlocksStart === false ? ACTIVE_STATUSES : BUSY_STATUSES;
  const stopEndedJob = options.stopEndedJob ?? 'BadRequest';
  const cancelAfterMs = options.cancelAfterMs ?? 0;
  const now = options.now ?? Date.now;
  const arn: ArnContext = { region, accountId };
  let jobProgress = options.jobProgress;

  const state: StandInState = { apps: new Map(), deniedActions: new Set() };
  const requests: RecordedRequest[] = [];
  const faults: { spec: FaultSpec; left: number }[] = [];
  /** nextToken → where the next page starts; only tokens the stand-in issued are accepted. */
  const pageTokens = new Map<string, { scope: string; offset: number }>();

  const requireApp = (appId: string): StandInApp => {
    const app = state.apps.get(appId);
    if (app === undefined) throw notFound(`App ${appId} not found.`);
    return app;
  };
  const requireBranch = (app: StandInApp, branchName: string): StandInBranch => {
    const branch = app.branches.get(branchName);
    if (branch === undefined) throw notFound(`Branch ${branchName} not found.`);
    return branch;
  };
  const requireJob = (branch: StandInBranch, jobId: string): StandInJob => {
    const job = branch.jobs.find((candidate) => candidate.jobId === jobId);
    if (job === undefined) throw notFound(`Job ${jobId} not found.`);
    return job;
  };

  const setStatus = (job: StandInJob, status: JobStatus, at: number): void => {
    job.status = status;
    job.statusSince = at;
    job.polls = 0;
    if (!BUSY_STATUSES.includes(status)) job.endTime = at;
  };

  const advance = (job: StandInJob, at: number): void => {
    if (job.status === 'RUNNING') setStatus(job, jobProgress?.finalStatus ?? 'SUCCEED', at);
    else if (ACTIVE_STATUSES.includes(job.status)) setStatus(job, 'RUNNING', at);
  };

  /** Time-based transitions, applied lazily at the start of every request. */
  const tick = (at: number): void => {
    for (const app of state.apps.values()) {
      for (const branch of app.branches.values()) {
        for (const job of branch.jobs) {
          if (job.status === 'CANCELLING' && at - job.statusSince >= cancelAfterMs) {
            setStatus(job, 'CANCELLED', at);
          }
          const step = jobProgress?.afterMs;
          while (step !== undefined && ACTIVE_STATUSES.includes(job.status) && at - job.statusSince >= step) {
            advance(job, job.statusSince + step);
          }
        }
      }
    }
  };

  const page = <T>(
    scope: string,
    items: T[],
    query: Record<string, string>,
  ): { items: T[]; nextToken?: string } => {
    let size = MAX_PAGE;
    const rawMax = query.maxResults;
    if (rawMax !== undefined) {
      const value = Number(rawMax);
      if (!/^\d+$/.test(rawMax) || value > MAX_PAGE) {
        throw badRequest(
          `1 validation error detected: Value '${rawMax}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE}`,
        );
      }
      if (value > 0) size = value;
    }
    let offset = 0;
    const token = query.nextToken;
    if (token !== undefined) {
      const position = pageTokens.get(token);
      if (position === undefined || position.scope !== scope) throw badRequest('Invalid nextToken.');
      offset = position.offset;
    }
    const slice = items.slice(offset, offset + size);
    if (offset + size >= items.length) return { items: slice };
    const next = randomBytes(24).toString('base64');
    pageTokens.set(next, { scope, offset: offset + size });
    return { items: slice, nextToken: next };
  };

  const operations: Record<
    AmplifyOperation,
    (route: Route, body: Record<string, unknown>, query: Record<string, string>) => Answer
  > = {
    GetApp: (route) => {
      const app = requireApp(route.appId);
      const body: GetAppBody = { app: wireApp(arn, app) };
      return { status: 200, body };
    },
    ListBranches: (route, _body, query) => {
      const app = requireApp(route.appId);
      const result = page(`branches:${app.appId}`, [...app.branches.values()], query);
      const body: ListBranchesBody = {
        branches: result.items.map((branch) => wireBranch(arn, app, branch)),
        ...(result.nextToken === undefined ? {} : { nextToken: result.nextToken }),
      };
      return { status: 200, body };
    },
    CreateBranch: (route, input) => {
      const app = requireApp(route.appId);
      const branchName = input.branchName;
      if (branchName === undefined || branchName === null) {
        throw badRequest(
          `1 validation error detected: Value null at 'branchName' failed to satisfy constraint: Member must not be null`,
        );
      }
      if (typeof branchName !== 'string')
        throw badRequest(`Invalid type for 'branchName': expected a string.`);
      checkBranchName(branchName);
      if (app.branches.has(branchName)) {
        throw badRequest(
          `Failed to create branch. The branch ${branchName} already exists for the app ${app.appId}`,
        );
      }
      if (app.branches.size >= maxBranches) {
        // The operation and the exception are the model's (LimitExceededException: "A resource could
        // not be created because service quotas were exceeded"). The wording is a guess, after
        // CreateApp's published one ("Failed to create app. You have reached the maximum number of
        // apps in this account.", aws-amplify/amplify-hosting#3790); the product does not read it.
        throw limitExceeded(
          `Failed to create branch. You have reached the maximum number of branches for the app ${app.appId}.`,
        );
      }
      const fields = readBranchFields(input);
      const variables =
        fields.environmentVariables === undefined ? {} : storedVariables(fields.environmentVariables);
      const at = now();
      const branch: StandInBranch = {
        branchName,
        displayName: fields.displayName ?? defaultDisplayName(branchName),
        description: fields.description ?? '',
        stage: fields.stage ?? 'NONE',
        framework: fields.framework ?? '',
        // Amplify's default: a new branch builds on every push unless told otherwise.
        enableAutoBuild: fields.enableAutoBuild ?? true,
        environmentVariables: variables,
        createTime: at,
        updateTime: at,
        jobs: [],
        jobCounter: 0,
      };
      app.branches.set(branchName, branch);
      const body: BranchBody = { branch: wireBranch(arn, app, branch) };
      return { status: 200, body };
    },
    GetBranch: (route) => {
      const app = requireApp(route.appId);
      const branch = requireBranch(app, route.branchName ?? '');
      const body: BranchBody = { branch: wireBranch(arn, app, branch) };
      return { status: 200, body };
    },
    UpdateBranch: (route, input) => {
      const app = requireApp(route.appId);
      const branch = requireBranch(app, route.branchName ?? '');
      const fields = readBranchFields(input);
      // Amplify replaces the whole map, but reads an empty map as "leave it alone" (see storedVariables
      // for how a map is cleared).
      if (fields.environmentVariables !== undefined && Object.keys(fields.environmentVariables).length > 0) {
        branch.environmentVariables = storedVariables(fields.environmentVariables);
      }
      if (fields.displayName !== undefined) branch.displayName = fields.displayName;
      if (fields.description !== undefined) branch.description = fields.description;
      if (fields.stage !== undefined) branch.stage = fields.stage;
      if (fields.framework !== undefined) branch.framework = fields.framework;
      if (fields.enableAutoBuild !== undefined) branch.enableAutoBuild = fields.enableAutoBuild;
      branch.updateTime = now();
      const body: BranchBody = { branch: wireBranch(arn, app, branch) };
      return { status: 200, body };
    },
    DeleteBranch: (route) => {
      const app = requireApp(route.appId);
      const branch = requireBranch(app, route.branchName ?? '');
      app.branches.delete(branch.branchName);
      const body: BranchBody = { branch: wireBranch(arn, app, branch) };
      return { status: 200, body };
    },
    StartJob: (route, input) => {
      const app = requireApp(route.appId);
      const branch = requireBranch(app, route.branchName ?? '');
      const jobType = input.jobType;
      if (jobType === undefined || jobType === null) {
        throw badRequest(
          `1 validation error detected: Value null at 'jobType' failed to satisfy constraint: Member must not be null`,
        );
      }
      if (typeof jobType !== 'string' || !JOB_TYPES.includes(jobType)) {
        throw badRequest(
          `1 validation error detected: Value '${String(jobType)}' at 'jobType' failed to satisfy constraint: Member must satisfy enum value set: [RELEASE, RETRY, MANUAL, WEB_HOOK]`,
        );
      }
      if (jobType === 'RETRY') {
        if (typeof input.jobId !== 'string') throw badRequest('jobId is required when jobType is RETRY.');
        requireJob(branch, input.jobId);
      }
      if (jobType === 'RELEASE' && app.repository === '') {
        throw badRequest(`The job type RELEASE is only available for apps connected to a repository.`);
      }
      if (branch.jobs.some((job) => holdingStatuses.includes(job.status))) {
        throw limitExceeded('branch already have pending or running jobs');
      }
      if (activeJobsOfAccount() >= jobsQuota) {
        // The quota is Amplify's ("Concurrent jobs", its service quotas page) and StartJob's model
        // lists LimitExceededException ("service quotas were exceeded"). That a full quota refuses
        // the start, rather than queueing the job as PENDING, is a guess (aws-amplify/amplify-backend
        // #2587 saw builds wait in PENDING at the limit), and so is the wording, which the product
        // does not read.
        throw limitExceeded(
          `You have reached the maximum number of concurrent jobs (${jobsQuota}) for this account.`,
        );
      }
      const job = createJob(branch, jobType as JobType, 'PENDING', now());
      const body: StartJobBody = { jobSummary: wireJobSummary(arn, app, branch, job) };
      return { status: 200, body };
    },
    ListJobs: (route, _body, query) => {
      const app = requireApp(route.appId);
      const branch = requireBranch(app, route.branchName ?? '');
      // Newest first, as Amplify lists them.
      const result = page(`jobs:${app.appId}:${branch.branchName}`, [...branch.jobs].reverse(), query);
      const body: ListJobsBody = {
        jobSummaries: result.items.map((job) => wireJobSummary(arn, app, branch, job)),
        ...(result.nextToken === undefined ? {} : { nextToken: result.nextToken }),
      };
      return { status: 200, body };
    },
    GetJob: (route) => {
      const app = requireApp(route.appId);
      const branch = requireBranch(app, route.branchName ?? '');
      const job = requireJob(branch, route.jobId ?? '');
      const afterPolls = jobProgress?.afterPolls;
      if (afterPolls !== undefined && ACTIVE_STATUSES.includes(job.status)) {
        job.polls += 1;
        if (job.polls >= afterPolls) advance(job, now());
      }
      const steps = wireJobSteps(arn, app, branch, job, jobProgress?.failedStep);
      const body: GetJobBody = { job: { summary: wireJobSummary(arn, app, branch, job), steps } };
      return { status: 200, body };
    },
    StopJob: (route) => {
      const app = requireApp(route.appId);
      const branch = requireBranch(app, route.branchName ?? '');
      const job = requireJob(branch, route.jobId ?? '');
      if (ACTIVE_STATUSES.includes(job.status)) setStatus(job, 'CANCELLING', now());
      else if (job.status !== 'CANCELLING') stoppedAfterItEnded(job);
      const body: StopJobBody = { jobSummary: wireJobSummary(arn, app, branch, job) };
      return { status: 200, body };
    },
  };

  const activeJobsOfAccount = (): number => {
    let count = 0;
    for (const app of state.apps.values()) {
      for (const branch of app.branches.values()) {
        count += branch.jobs.filter((job) => ACTIVE_STATUSES.includes(job.status)).length;
      }
    }
    return count;
  };

  /** StopJob on a job that has ended: each answer the product must survive (see stopEndedJob). */
  const stoppedAfterItEnded = (job: StandInJob): void => {
    if (stopEndedJob === 'NotFound') throw notFound(`Job ${job.jobId} is not running.`);
    if (stopEndedJob === 'BadRequest') {
      throw badRequest(`Job ${job.jobId} is in status ${job.status} and cannot be stopped.`);
    }
  };

  const createJob = (branch: StandInBranch, jobType: JobType, status: JobStatus, at: number): StandInJob => {
    branch.jobCounter += 1;
    const job: StandInJob = {
      jobId: String(branch.jobCounter),
      jobType,
      status,
      commitId: 'HEAD',
      commitMessage: '',
      commitTime: at,
      startTime: at,
      statusSince: at,
      polls: 0,
    };
    if (!BUSY_STATUSES.includes(status)) job.endTime = at;
    branch.jobs.push(job);
    return job;
  };

  const takeFault = (entry: RecordedRequest): FaultAction | undefined => {
    const index = faults.findIndex(({ spec }) => faultMatches(spec, entry));
    const found = faults[index];
    if (found === undefined) return undefined;
    found.left -= 1;
    if (found.left <= 0) faults.splice(index, 1);
    return found.spec.action;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
    const query = parseQuery(queryAt < 0 ? '' : url.slice(queryAt + 1));
    const method = (req.method ?? 'GET').toUpperCase();
    const entry: RecordedRequest = {
      method,
      path: safeDecode(rawPath) ?? rawPath,
      rawPath,
      query: Object.fromEntries(Object.entries(query).map(([key, value]) => [key, String(value.at(-1))])),
      body: undefined,
      params: {},
      status: 0,
      requestId,
    };
    requests.push(entry);

    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      entry.status = status;
      entry.errorType = headers['x-amzn-ErrorType'];
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-amzn-RequestId': requestId,
        ...headers,
      });
      res.end(JSON.stringify(body));
    };
    const fail = (error: ServiceError, headers: Record<string, string> = {}) =>
      answer(error.status, { message: error.message }, { 'x-amzn-ErrorType': error.errorType, ...headers });

    const verdict = await verifySigV4(
      {
        method,
        rawPath,
        query: Object.fromEntries(
          Object.entries(query).map(([k, v]) => [k, v.length === 1 ? (v[0] ?? '') : v]),
        ),
        headers: req.headers,
        body: rawBody,
      },
      { service: 'amplify', credentials, region, now: new Date(now()) },
    );
    if ('errorType' in verdict) {
      fail(new ServiceError(verdict.status, verdict.errorType, verdict.message));
      return;
    }
    entry.accessKeyId = verdict.accessKeyId;
    entry.region = verdict.region;

    let route: Route | undefined;
    try {
      route = matchRoute(method, rawPath);
    } catch (error) {
      if (error instanceof ServiceError) return fail(error);
      throw error;
    }
    if (route !== undefined) {
      entry.operation = route.operation;
      entry.params = {
        appId: route.appId,
        ...(route.branchName === undefined ? {} : { branchName: route.branchName }),
        ...(route.jobId === undefined ? {} : { jobId: route.jobId }),
      };
    }
    let input: Record<string, unknown> = {};
    if (rawBody.length > 0) {
      try {
        const parsed: unknown = JSON.parse(rawBody.toString('utf8'));
        entry.body = parsed;
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
          input = parsed as Record<string, unknown>;
        } else {
          return fail(badRequest('The request body must be a JSON object.'));
        }
      } catch {
        return fail(new ServiceError(400, 'SerializationException', 'The request body is not valid JSON.'));
      }
    }

    const fault = takeFault(entry);
    if (fault !== undefined) {
      entry.fault = fault.kind;
      if (fault.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'error') {
        const headers: Record<string, string> =
          fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
        return fail(
          new ServiceError(fault.status, fault.errorType, fault.message ?? fault.errorType),
          headers,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
    }

    if (route === undefined) {
      return fail(
        new ServiceError(404, 'UnknownOperationException', `No operation matches ${method} ${rawPath}`),
      );
    }
    const action = `amplify:${route.operation}`;
    if (state.deniedActions.has(action)) {
      return fail(
        new ServiceError(
          403,
          'AccessDeniedException',
          `User: arn:aws:iam::${accountId}:user/amplify-stand-in is not authorized to perform: ${action} on resource: ${resourceArn(arn, route)}`,
        ),
      );
    }
    if (method === 'POST' && !String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return fail(new ServiceError(415, 'UnsupportedMediaTypeException', 'Unsupported Media Type'));
    }
    tick(now());
    try {
      const result = operations[route.operation](route, input, entry.query);
      answer(result.status, result.body);
    } catch (error) {
      if (error instanceof ServiceError) return fail(error);
      throw error;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, {
          'content-type': 'application/json',
          'x-amzn-ErrorType': 'InternalFailureException',
        });
        res.end(
          JSON.stringify({
            message: `stand-in failure: ${error instanceof Error ? error.message : String(error)}`,
          }),
        );
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const standIn: AmplifyStandIn = {
    url: `http://127.0.0.1:${port}`,
    region,
    accountId,
    credentials: credentials[0] ?? AMPLIFY_TEST_CREDENTIALS,
    state,
    requests,
    requestsFor: (operation) => requests.filter((request) => request.operation === operation),
    addApp: (input = {}) => {
      const appId = input.appId ?? `d${randomBytes(16).toString('hex').slice(0, 13)}`;
      if (state.apps.has(appId)) throw new Error(`stand-in: app ${appId} already exists`);
      const at = now();
      const app: StandInApp = {
        appId,
        name: input.name ?? 'stand-in-app',
        defaultDomain: input.defaultDomain ?? `${appId}.amplifyapp.com`,
        repository: input.repository ?? 'https://github.com/example/app',
        createTime: at,
        updateTime: at,
        branches: new Map(),
      };
      state.apps.set(appId, app);
      return app;
    },
    addBranch: (appId, branchName, input = {}) => {
      const app = state.apps.get(appId);
      if (app === undefined) throw new Error(`stand-in: no app ${appId}`);
      if (app.branches.has(branchName)) throw new Error(`stand-in: branch ${branchName} already exists`);
      const at = now();
      const branch: StandInBranch = {
        branchName,
        displayName: input.displayName ?? defaultDisplayName(branchName),
        description: '',
        stage: input.stage ?? 'NONE',
        framework: '',
        enableAutoBuild: input.enableAutoBuild ?? true,
        environmentVariables: { ...(input.environmentVariables ?? {}) },
        createTime: at,
        updateTime: at,
        jobs: [],
        jobCounter: 0,
      };
      app.branches.set(branchName, branch);
      return branch;
    },
    addJob: (appId, branchName, input = {}) => {
      const branch = state.apps.get(appId)?.branches.get(branchName);
      if (branch === undefined) throw new Error(`stand-in: no branch ${branchName} in app ${appId}`);
      return createJob(branch, input.jobType ?? 'RELEASE', input.status ?? 'RUNNING', now());
    },
    app: (appId) => state.apps.get(appId),
    branch: (appId, branchName) => state.apps.get(appId)?.branches.get(branchName),
    job: (appId, branchName, jobId) =>
      state.apps
        .get(appId)
        ?.branches.get(branchName)
        ?.jobs.find((job) => job.jobId === jobId),
    setJobStatus: (appId, branchName, jobId, status) => {
      const job = standIn.job(appId, branchName, jobId);
      if (job === undefined) throw new Error(`stand-in: no job ${jobId} on ${branchName}`);
      setStatus(job, status, now());
      return job;
    },
    setJobProgress: (progress) => {
      jobProgress = progress;
    },
    injectFault: (spec) => {
      faults.push({ spec, left: spec.times ?? 1 });
    },
    pendingFaults: () => faults.reduce((sum, fault) => sum + fault.left, 0),
    denyAction: (action) => {
      state.deniedActions.add(action);
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return standIn;
}

/** Routes by raw segments, so `feat%2Fx` is one segment and a raw `/` makes a different path. */
function matchRoute(method: string, rawPath: string): Route | undefined {
  const raw = rawPath.split('/').slice(1);
  if (raw[0] !== 'apps' || raw.length < 2) return undefined;
  const segments = raw.map((segment) => {
    const decoded = safeDecode(segment);
    if (decoded === undefined) throw badRequest(`Malformed percent-encoding in path segment '${segment}'.`);
    return decoded;
  });
  const [, appId = '', branches, branchName, jobs, jobId, stop] = segments;
  if (appId === '' || segments.some((segment, index) => index > 0 && segment === '')) return undefined;
  if (raw.length === 2) return method === 'GET' ? { operation: 'GetApp', appId } : undefined;
  if (branches !== 'branches') return undefined;
  if (raw.length === 3) {
    if (method === 'GET') return { operation: 'ListBranches', appId };
    if (method === 'POST') return { operation: 'CreateBranch', appId };
    return undefined;
  }
  if (branchName === undefined) return undefined;
  if (raw.length === 4) {
    const operation = ({ GET: 'GetBranch', POST: 'UpdateBranch', DELETE: 'DeleteBranch' } as const)[
      method as 'GET' | 'POST' | 'DELETE'
    ];
    return operation === undefined ? undefined : { operation, appId, branchName };
  }
  if (jobs !== 'jobs') return undefined;
  if (raw.length === 5) {
    if (method === 'POST') return { operation: 'StartJob', appId, branchName };
    if (method === 'GET') return { operation: 'ListJobs', appId, branchName };
    return undefined;
  }
  if (jobId === undefined) return undefined;
  if (raw.length === 6)
    return method === 'GET' ? { operation: 'GetJob', appId, branchName, jobId } : undefined;
  if (raw.length === 7 && stop === 'stop' && method === 'DELETE') {
    return { operation: 'StopJob', appId, branchName, jobId };
  }
  return undefined;
}

function resourceArn(ctx: ArnContext, route: Route): string {
  let resource = `arn:aws:amplify:${ctx.region}:${ctx.accountId}:apps/${route.appId}`;
  if (route.branchName !== undefined) resource += `/branches/${encodeURIComponent(route.branchName)}`;
  if (route.jobId !== undefined) resource += `/jobs/${route.jobId}`;
  return resource;
}

function faultMatches(spec: FaultSpec, entry: RecordedRequest): boolean {
  if (spec.method !== undefined && spec.method.toUpperCase() !== entry.method) return false;
  if (spec.operation !== undefined && spec.operation !== entry.operation) return false;
  if (spec.path !== undefined) {
    if (typeof spec.path === 'string') {
      if (spec.path !== entry.path && spec.path !== entry.rawPath) return false;
    } else if (!spec.path.test(entry.path) && !spec.path.test(entry.rawPath)) {
      return false;
    }
  }
  return true;
}

function parseQuery(raw: string): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  if (raw === '') return query;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const key = safeDecode(at < 0 ? pair : pair.slice(0, at)) ?? pair;
    const value = at < 0 ? '' : (safeDecode(pair.slice(at + 1)) ?? '');
    query[key] = [...(query[key] ?? []), value];
  }
  return query;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function checkBranchName(name: string): void {
  if (name.length < 1 || name.length > 255) {
    throw badRequest(
      `1 validation error detected: Value '${name}' at 'branchName' failed to satisfy constraint: Member must have length between 1 and 255`,
    );
  }
}

interface BranchFields {
  environmentVariables?: Record<string, string>;
  displayName?: string;
  description?: string;
  stage?: Stage;
  framework?: string;
  enableAutoBuild?: boolean;
}

/** The members this stand-in keeps, type-checked; other members of the model are accepted and ignored. */
function readBranchFields(input: Record<string, unknown>): BranchFields {
  const fields: BranchFields = {};
  const variables = input.environmentVariables;
  if (variables !== undefined && variables !== null) {
    if (typeof variables !== 'object' || Array.isArray(variables)) {
      throw badRequest(`Invalid type for 'environmentVariables': expected a map of strings.`);
    }
    const map: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables)) {
      // AWS's wording, as reported in hashicorp/terraform-provider-aws#39327 (UpdateApp) and #49858
      // (UpdateBranch): the `{"": ""}` that once cleared a map is refused since 2024.
      if (name === '') throw badRequest('Environment variables cannot have an empty key.');
      if (typeof value !== 'string') {
        throw badRequest(`Invalid type for environment variable '${name}': expected a string.`);
      }
      if (name.startsWith('AWS')) {
        throw badRequest(
          `Environment variable names cannot start with the reserved prefix 'AWS': '${name}'.`,
        );
      }
      if (name.length > 255) {
        throw badRequest(
          `1 validation error detected: Value at 'environmentVariables' failed to satisfy constraint: Map keys must have length less than or equal to 255`,
        );
      }
      if (value.length > MAX_VALUE_LENGTH) {
        throw badRequest(
          `1 validation error detected: Value at 'environmentVariables.${name}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_VALUE_LENGTH}`,
        );
      }
      map[name] = value;
    }
    fields.environmentVariables = map;
  }
  for (const key of ['displayName', 'description', 'framework'] as const) {
    const value = input[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw badRequest(`Invalid type for '${key}': expected a string.`);
    if (value.length > 255 && key !== 'description') {
      throw badRequest(
        `1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must have length less than or equal to 255`,
      );
    }
    fields[key] = value;
  }
  if (input.stage !== undefined && input.stage !== null) {
    if (typeof input.stage !== 'string' || !STAGES.includes(input.stage)) {
      throw badRequest(
        `1 validation error detected: Value '${String(input.stage)}' at 'stage' failed to satisfy constraint: Member must satisfy enum value set: [${STAGES.join(', ')}]`,
      );
    }
    fields.stage = input.stage as Stage;
  }
  if (input.enableAutoBuild !== undefined && input.enableAutoBuild !== null) {
    if (typeof input.enableAutoBuild !== 'boolean') {
      throw badRequest(`Invalid type for 'enableAutoBuild': expected a boolean.`);
    }
    fields.enableAutoBuild = input.enableAutoBuild;
  }
  return fields;
}

/**
 * The map Amplify keeps for the one it was sent. The map `{" ": ""}` (one key, a single space, an
 * empty value) is how a map is cleared: aws/aws-sdk-go-v2#2788, and the Terraform provider's fix
 * (hashicorp/terraform-provider-aws#39397, #49858) whose acceptance tests check the map is empty
 * afterwards. What Amplify does with a space key next to other keys is not published: kept verbatim
 * here (a guess; the product never sends that).
 */
function storedVariables(variables: Record<string, string>): Record<string, string> {
  const entries = Object.entries(variables);
  const [only] = entries;
  if (entries.length === 1 && only?.[0] === ' ' && only[1] === '') return {};
  return { ...variables };
}
