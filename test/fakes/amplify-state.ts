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

// Response bodies, typed with the SDK's result shapes.
export type GetAppBody = Wire<GetAppResult>;
export type BranchBody = Omit<Wire<GetBranchResult>, 'branch'> & { branch: WireBranch };
export type ListBranchesBody = Omit<Wire<ListBranchesResult>, 'branches'> & { branches: WireBranch[] };
export type StartJobBody = Wire<StartJobResult>;
export type StopJobBody = Wire<StopJobResult>;
export type GetJobBody = Wire<GetJobResult>;
export type ListJobsBody = Wire<ListJobsResult>;
