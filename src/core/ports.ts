/**
 * What the executor needs from Neon and Amplify. The adapters in src/neon and src/amplify implement
 * these over the real clients; nothing in src/core performs I/O itself.
 */

import type { JobStatus } from '@aws-sdk/client-amplify';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export type Sleep = (ms: number) => Promise<void>;

export interface MigrationInput {
  command: string;
  /**
   * DATABASE_URL (direct), NEON_BRANCH_ID, NEON_BRANCH_NAME, on top of the minimal environment
   * (src/migrate/environment.ts).
   */
  env: Record<string, string>;
  /** `migrate-env`: names of variables of this process's environment the command also gets. */
  passEnv: readonly string[];
  /** Values the log masks that the command knows (the URL, its password): never cut in two. */
  secrets: readonly string[];
  timeoutMs: number;
  /** Each line of output goes here as it comes; the front end's log masks secrets. */
  log: Logger;
}

/** Runs `migrate-command`; throws a MigrationError when it fails or times out. */
export type MigrationRunner = (input: MigrationInput) => Promise<void>;

export interface NeonBranch {
  id: string;
  name: string;
  /** The project's default branch (Neon's `default: true`). */
  default: boolean;
  protected: boolean;
  parentId?: string | undefined;
  /** RFC 3339, when Neon made the branch. */
  createdAt?: string | undefined;
  /** RFC 3339, when Neon will delete the branch by itself. */
  expiresAt?: string | undefined;
  /** Neon's `current_state` is `ready` with nothing pending: no operation left to wait for. */
  ready?: boolean | undefined;
}

/** A masking rule as Neon takes it (the OpenAPI `MaskingRule`), its database resolved. */
export interface NeonMaskingRule {
  database_name: string;
  schema_name: string;
  table_name: string;
  column_name: string;
  masking_function?: string;
  masking_value?: string;
}

/** An anonymized branch's `anonymized_status`, once masking has finished. */
export interface AnonymizedStatus {
  /** `anonymized`: every other state either is waited for or throws. */
  state: string;
  message?: string | undefined;
  /** `last_run.masked_columns`, when Neon says. */
  maskedColumns?: number | undefined;
}

export interface NeonDatabase {
  name: string;
  ownerName: string;
}

export interface CreatedNeonBranch {
  branch: NeonBranch;
  /** Ids of the operations the create started (endpoint start, branch init). */
  operationIds: string[];
  /** The new branch's databases, as the create answer lists them: no second request for them. */
  databases?: NeonDatabase[] | undefined;
  /**
   * The connection the create answer carries (Neon includes one when the branch has one role and
   * one database): its URL with the parent's password, read without another request.
   */
  connection?: CreatedConnection | undefined;
}

export interface CreatedConnection {
  /** The direct (unpooled) URL, as Neon formats it. */
  uri: string;
  /** The host of the endpoint's connection pooler: the pooled URL is the direct one on this host. */
  poolerHost: string;
  databaseName: string;
  roleName: string;
}

export interface NeonPort {
  /** The branch named exactly `name` (Neon's `search` is a partial match, so names are compared here). */
  findBranchByName(name: string): Promise<NeonBranch | undefined>;
  /** A branch given by id (`br-...`) or by exact name. */
  resolveBranch(nameOrId: string): Promise<NeonBranch | undefined>;
  getDefaultBranch(): Promise<NeonBranch>;
  /** Every branch whose name starts with `prefix`, across all pages. */
  listBranches(prefix: string): Promise<NeonBranch[]>;
  /**
   * Creates `name` from `parentId` with a read-write endpoint (suspending after
   * `suspendTimeoutSeconds` when given, else the project's default). A duplicate name throws an
   * ApiError with status 409.
   */
  createBranch(input: {
    name: string;
    /** Undefined: Neon's default branch. */
    parentId: string | undefined;
    suspendTimeoutSeconds?: number | undefined;
    /** RFC 3339 to the second. */
    expiresAt?: string | undefined;
    /** `schema-only`: the parent's schema and no rows (a root branch in Neon). */
    schemaOnly?: boolean | undefined;
    /** An anonymized branch (`branch_anonymized`) masked by these rules, its masking started. */
    maskingRules?: NeonMaskingRule[] | undefined;
  }): Promise<CreatedNeonBranch>;
  /** An anonymized branch's rules; undefined for a branch that is not anonymized. */
  maskingRules(branchId: string): Promise<NeonMaskingRule[] | undefined>;
  /** Replaces an anonymized branch's rules (`PATCH masking_rules`); nothing is masked until started. */
  replaceMaskingRules(branchId: string, rules: NeonMaskingRule[]): Promise<void>;
  /** `POST anonymize`: masks the branch again with its rules. */
  startAnonymization(branchId: string): Promise<void>;
  /**
   * Polls `anonymized_status` until `anonymized`; throws with Neon's `status_message` on `error` or
   * `initialization_error`, or past the time limit.
   */
  waitForAnonymized(branchId: string): Promise<AnonymizedStatus>;
  /** PATCHes `expires_at`; Neon refuses it (400) on a branch that has children. */
  setExpiry(branchId: string, expiresAt: string): Promise<void>;
  /**
   * Resets the branch to `sourceBranchId`'s latest state and waits for the operations. Neon refuses
   * it without `preserve_under_name` when the branch has children.
   */
  restoreBranch(branchId: string, sourceBranchId: string): Promise<void>;
  /** Ids of the branch's operations that have not reached a final state. */
  pendingOperationIds(branchId: string): Promise<string[]>;
  /** Resolves when every operation has finished; throws on a failed one or past the time limit. */
  waitForOperations(operationIds: string[]): Promise<void>;
  /** 'gone' when the branch did not exist (404, or Neon's 204 for an already deleted branch). */
  deleteBranch(branchId: string): Promise<'deleted' | 'gone'>;
  listDatabases(branchId: string): Promise<NeonDatabase[]>;
  /**
   * Gives the role on this branch a new password; resolves once Neon's operations for it finished,
   * with the new password when Neon's answer carries it. The caller masks it before anything prints.
   * `after`: operations a create started that nobody waited for: the reset is sent when they
   * typically end (Neon refuses it, 423, while they run, and it is tried again), and they are
   * waited for with the reset's own, so the branch is ready when this resolves.
   */
  resetRolePassword(branchId: string, roleName: string, after?: string[]): Promise<string | undefined>;
  connectionUri(input: {
    branchId: string;
    databaseName: string;
    roleName: string;
    pooled: boolean;
  }): Promise<string>;
  /**
   * The schema difference from `baseBranchId` to `branchId` for one database, as a unified diff
   * (`compare_schema`); `''` when the schemas are equal.
   */
  compareSchema(branchId: string, baseBranchId: string, databaseName: string): Promise<string>;
}

/** Amplify's job statuses, as the SDK names them (a type only: core performs no I/O). */
export type { JobStatus } from '@aws-sdk/client-amplify';

export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['CREATED', 'PENDING', 'PROVISIONING', 'RUNNING'];

export interface AmplifyJob {
  id: string;
  status: JobStatus;
  /** The job's steps (BUILD, DEPLOY, VERIFY, ...) as GetJob lists them; StartJob has none yet. */
  steps?: AmplifyJobStep[] | undefined;
}

/** One step of a job. Its `logUrl` is a presigned S3 URL and is deliberately not carried. */
export interface AmplifyJobStep {
  name: string;
  status: JobStatus;
  /** Amplify's reason for a failed step, when it gives one. */
  statusReason?: string | undefined;
}

export interface AmplifyBranch {
  name: string;
  displayName: string;
  environmentVariables: Record<string, string>;
}

export interface AmplifyApp {
  defaultDomain: string;
}

export interface AmplifyPort {
  getApp(): Promise<AmplifyApp>;
  /** undefined when Amplify answers NotFoundException. */
  getBranch(name: string): Promise<AmplifyBranch | undefined>;
  /** CreateBranch with `enableAutoBuild: false`, so creating it does not start a build by itself. */
  createBranch(input: { name: string; environmentVariables: Record<string, string> }): Promise<AmplifyBranch>;
  /** UpdateBranch with the complete map: Amplify replaces the whole map, it does not merge. */
  setEnvironmentVariables(name: string, variables: Record<string, string>): Promise<AmplifyBranch>;
  /** 'gone' when Amplify answers NotFoundException. */
  deleteBranch(name: string): Promise<'deleted' | 'gone'>;
  /** Every branch name of the app, across all pages. */
  listBranchNames(): Promise<string[]>;
  /**
   * StartJob RELEASE. When a job is already pending or running on the branch, or the account's
   * concurrent-build quota is full, throws an ApiError with code `LimitExceededException`.
   */
  startJob(branch: string): Promise<AmplifyJob>;
  /** Jobs of the branch in an active status (CREATED, PENDING, PROVISIONING, RUNNING). */
  listActiveJobs(branch: string): Promise<AmplifyJob[]>;
  /** The branch's newest job in whatever status (CANCELLING included); undefined when it has none. */
  latestJob(branch: string): Promise<AmplifyJob | undefined>;
  getJob(branch: string, jobId: string): Promise<AmplifyJob>;
  stopJob(branch: string, jobId: string): Promise<void>;
}
