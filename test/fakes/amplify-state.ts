import type {
  App,
  Branch,
  GetAppResult,
  GetBranchResult,
  GetJobResult,
  JobStatus,
  JobSummary,
  JobType,
  ListBranchesResult,
  ListJobsResult,
  Stage,
  StartJobResult,
  Step,
  StopJobResult,
} from '@aws-sdk/client-amplify';

/**
 * The SDK's own shapes as they travel: restJson1 sends timestamps as epoch seconds. Typing every
 * response with these makes a stand-in that drifts from the client's model fail to compile (a
 * member the model requires cannot be left out).
 */
export type Wire<T> = T extends Date
  ? number
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** Amplify answers `stage: "NONE"` for a branch created without one, a value the model's enum lacks. */
export type WireBranch = Omit<Wire<Branch>, 'stage'> & { stage: Stage | 'NONE' };

export interface StandInJob {
  jobId: string;
  jobType: JobType;
  status: JobStatus;
  commitId: string;
  commitMessage: string;
  /** Epoch milliseconds. */
  commitTime: number;
  startTime: number;
  endTime?: number | undefined;
  /** When the job reached its current status (epoch ms), for time-based progression. */
  statusSince: number;
  /** GetJob reads of this job since its last status change. */
  polls: number;
}

export interface StandInBranch {
  branchName: string;
  displayName: string;
  description: string;
  stage: Stage | 'NONE';
  framework: string;
  enableAutoBuild: boolean;
  environmentVariables: Record<string, string>;
  createTime: number;
  updateTime: number;
  /** Newest last; ListJobs answers newest first, as Amplify does. */
  jobs: StandInJob[];
  jobCounter: number;
}

export interface StandInApp {
  appId: string;
  name: string;
  /** `{appId}.amplifyapp.com`; the preview URL is `https://{displayName}.{defaultDomain}`. */
  defaultDomain: string;
  /** Empty for an app without a connected repository (RELEASE jobs are refused there). */
  repository: string;
  createTime: number;
  updateTime: number;
  /** In creation order, which is also ListBranches' order. */
  branches: Map<string, StandInBranch>;
}

export interface StandInState {
  apps: Map<string, StandInApp>;
  /** IAM actions (`amplify:UpdateBranch`) the caller is denied: 403 AccessDeniedException. */
  deniedActions: Set<string>;
}

export const ACTIVE_STATUSES: readonly JobStatus[] = ['CREATED', 'PENDING', 'PROVISIONING', 'RUNNING'];

/** Amplify's default display name: lower case, every character outside [a-z0-9-] turned into `-`. */
export function defaultDisplayName(branchName: string): string {
  return branchName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

const seconds = (ms: number): number => ms / 1000;

export interface ArnContext {
  region: string;
  accountId: string;
}

export function appArn(ctx: ArnContext, app: StandInApp): string {
  return `arn:aws:amplify:${ctx.region}:${ctx.accountId}:apps/${app.appId}`;
}

export function branchArn(ctx: ArnContext, app: StandInApp, branch: StandInBranch): string {
  return `${appArn(ctx, app)}/branches/${encodeURIComponent(branch.branchName)}`;
}

export function wireApp(ctx: ArnContext, app: StandInApp): Wire<App> {
  return {
    appId: app.appId,
    appArn: appArn(ctx, app),
    name: app.name,
    description: '',
    repository: app.repository,
    platform: 'WEB_COMPUTE',
    createTime: seconds(app.createTime),
    updateTime: seconds(app.updateTime),
    environmentVariables: {},
    defaultDomain: app.defaultDomain,
    enableBranchAutoBuild: false,
    enableBasicAuth: false,
  };
}

export function wireBranch(ctx: ArnContext, app: StandInApp, branch: StandInBranch): WireBranch {
  const latest = branch.jobs.at(-1);
  return {
    branchArn: branchArn(ctx, app, branch),
    branchName: branch.branchName,
    description: branch.description,
    stage: branch.stage,
    displayName: branch.displayName,
    enableNotification: false,
    createTime: seconds(branch.createTime),
    updateTime: seconds(branch.updateTime),
    environmentVariables: { ...branch.environmentVariables },
    enableAutoBuild: branch.enableAutoBuild,
    customDomains: [],
    framework: branch.framework,
    activeJobId: latest?.jobId ?? '0',
    totalNumberOfJobs: String(branch.jobs.length),
    enableBasicAuth: false,
    ttl: '5',
    enablePullRequestPreview: false,
    enablePerformanceMode: false,
    enableSkewProtection: false,
  };
}

export function wireJobSummary(
  ctx: ArnContext,
  app: StandInApp,
  branch: StandInBranch,
  job: StandInJob,
): Wire<JobSummary> {
  return {
    jobArn: `${branchArn(ctx, app, branch)}/jobs/${job.jobId.padStart(10, '0')}`,
    jobId: job.jobId,
    commitId: job.commitId,
    commitMessage: job.commitMessage,
    commitTime: seconds(job.commitTime),
    startTime: seconds(job.startTime),
    status: job.status,
    jobType: job.jobType,
    ...(job.endTime === undefined ? {} : { endTime: seconds(job.endTime) }),
  };
}

/** The steps of a RELEASE job, in order. */
export const JOB_STEPS = ['BUILD', 'DEPLOY', 'VERIFY'] as const;
export type JobStepName = (typeof JOB_STEPS)[number];

/**
 * GetJob's steps for a job's status, as Amplify lists them: none before it runs, BUILD while it
 * runs, every step once it succeeded; a failed job's steps end at `failedStep` (default BUILD), the
 * steps before it succeeded. Each has a presigned-looking `logUrl` whose query is a credential, so a
 * test can check that it never reaches a log line.
 */
export function wireJobSteps(
  ctx: ArnContext,
  app: StandInApp,
  branch: StandInBranch,
  job: StandInJob,
  failedStep: JobStepName = 'BUILD',
): Wire<Step>[] {
  const step = (stepName: JobStepName, status: JobStatus, statusReason?: string): Wire<Step> => ({
    stepName,
    startTime: seconds(job.startTime),
    endTime: seconds(job.endTime ?? job.statusSince),
    status,
    logUrl: `https://aws-amplify-prod-${ctx.region}-artifacts.s3.${ctx.region}.amazonaws.com/${app.appId}/${encodeURIComponent(branch.branchName)}/${job.jobId}/${stepName}/log.txt?X-Amz-Security-Token=${PRESIGNED_TOKEN}&X-Amz-Signature=0f1e2d`,
    ...(statusReason === undefined ? {} : { statusReason }),
  });
  switch (job.status) {
    case 'RUNNING':
      return [step('BUILD', 'RUNNING')];
    case 'SUCCEED':
      return JOB_STEPS.map((name) => step(name, 'SUCCEED'));
    case 'FAILED': {
      const until = JOB_STEPS.indexOf(failedStep);
      return [
        ...JOB_STEPS.slice(0, until).map((name) => step(name, 'SUCCEED')),
        step(failedStep, 'FAILED', `${failedStep} failed: command exited with code 1`),
      ];
    }
    case 'CANCELLING':
    case 'CANCELLED':
      return [step('BUILD', job.status)];
    default:
      return [];
  }
}

/** The credential inside every step's `logUrl`. */
export const PRESIGNED_TOKEN = 'IQoJb3JpZ2luX2VjEFakeSessionToken';

// Response bodies, typed with the SDK's result shapes.
export type GetAppBody = Wire<GetAppResult>;
export type BranchBody = Omit<Wire<GetBranchResult>, 'branch'> & { branch: WireBranch };
export type ListBranchesBody = Omit<Wire<ListBranchesResult>, 'branches'> & { branches: WireBranch[] };
export type StartJobBody = Wire<StartJobResult>;
export type StopJobBody = Wire<StopJobResult>;
export type GetJobBody = Wire<GetJobResult>;
export type ListJobsBody = Wire<ListJobsResult>;
