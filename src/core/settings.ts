import { type AmplifyTargetSettings, amplifySettings, type Environment } from './amplify-settings.js';
import { type BranchType, lifecycleSettings } from './lifecycle-settings.js';
import { anonymizeSettings, type LoadRules, type MaskingRule } from './masking-rules.js';
import { migrationSettings } from './migrate-settings.js';
import { isValidGitBranchName, shortBranchName } from './naming.js';
import {
  COMMANDS,
  type Command,
  ON_RUNNING_JOB,
  type OnRunningJob,
  type ReadSetting,
} from './setting-names.js';
import {
  invalid,
  parseApiHost,
  parseApiKey,
  parseBranchPrefix,
  parseMinutes,
  parsePrimaryBranches,
  type Readers,
  readers,
} from './setting-parsers.js';

export const DEFAULT_NEON_API_HOST = 'https://console.neon.tech/api/v2';
export const DEFAULT_BRANCH_PREFIX = 'preview/';
/** The run's budget outside Amplify job waits: far under a GitHub job's 360 minutes. */
export const DEFAULT_TIMEOUT_MINUTES = 10;

export interface Settings extends AmplifyTargetSettings {
  neonApiKey: string;
  neonProjectId: string;
  neonApiHost: string;
  command: Command;
  gitBranch: string | undefined;
  branchPrefix: string;
  parentBranch: string | undefined;
  database: string | undefined;
  role: string | undefined;
  pooled: boolean;
  envVarName: string;
  /** undefined: the repository's default branch (the CLI: `main`). */
  primaryBranches: string[] | undefined;
  createAmplifyBranch: boolean;
  startJob: boolean;
  onRunningJob: OnRunningJob;
  jobTimeoutMinutes: number;
  /** The run's budget for everything but Amplify job waits. */
  timeoutMinutes: number;
  /** Give a new preview's role a password of its own (Neon copies the parent's). */
  resetRolePassword: boolean;
  /** A shell command run against the branch's direct URL before anything is written to Amplify. */
  migrateCommand: string | undefined;
  migrateTimeoutMinutes: number;
  /** Variables of the environment passed through to migrate-command, besides its minimal set. */
  migrateEnv: string[];
  /** Also write the direct (unpooled) URL under this name. */
  unpooledEnvVarName: string | undefined;
  deleteAmplifyBranch: boolean;
  dryRun: boolean;
  githubToken: string | undefined;
  /** Seconds of idleness before a new preview's compute suspends; undefined keeps Neon's default. */
  suspendTimeoutSeconds: number | undefined;
  /** A preview's lifetime from its last deploy, in seconds (`expires-in`); undefined: no expiry. */
  expiresInSeconds: number | undefined;
  /** Reset an existing preview to its parent's latest state on every deploy. */
  resetOnPush: boolean;
  branchType: BranchType;
  /** One sticky comment per pull request and git branch (needs `github-token`). */
  commentOnPr: boolean;
  /** A GitHub deployment `preview/{B}` per deploy that starts a job (needs `github-token`). */
  createDeployment: boolean;
  /** Wait for the Amplify job to end (at most `job-timeout-minutes`); a failed build fails the run. */
  waitForJob: boolean;
  /** Compare the preview's schema with its parent's at the end of the deploy. */
  schemaDiff: boolean;
  /** Create a new preview as a Neon anonymized branch, masked by `maskingRules`. */
  anonymize: boolean;
  maskingRules: MaskingRule[] | undefined;
}

/**
 * The one parser of settings, shared by the action, the webhook and the CLI. Every error names the
 * setting, quotes the bad value and gives the expected form; nothing is sent anywhere before this
 * has passed.
 */
export function parseSettings(read: ReadSetting, env: Environment = {}, loadRules?: LoadRules): Settings {
  const r = readers(read);
  const lifecycle = lifecycleSettings(r);
  const database = r.plain('database', 'a database name');
  const given = r.text('git-branch');
  const gitBranch = given === undefined ? undefined : shortBranchName(given);
  if (gitBranch !== undefined && !isValidGitBranchName(gitBranch)) {
    throw invalid('git-branch', gitBranch, 'a git branch name such as feature/login');
  }
  return {
    ...connectionSettings(r, env),
    command: r.oneOf('command', COMMANDS, 'auto'),
    gitBranch,
    branchPrefix: parseBranchPrefix(read('branch-prefix'), DEFAULT_BRANCH_PREFIX),
    parentBranch: r.plain('parent-branch', 'a Neon branch name or id (br-...)'),
    database,
    role: r.plain('role', 'a Postgres role name'),
    pooled: r.boolean('pooled', true),
    resetRolePassword: r.boolean('reset-role-password', true),
    ...migrationSettings(r),
    ...lifecycle,
    ...anonymizeSettings({
      anonymize: r.boolean('anonymize', false),
      rulesValue: r.text('masking-rules'),
      branchType: lifecycle.branchType,
      database,
      load: loadRules,
    }),
    primaryBranches: parsePrimaryBranches(r.text('primary-branches')),
    createAmplifyBranch: r.boolean('create-amplify-branch', true),
    startJob: r.boolean('start-job', true),
    onRunningJob: r.oneOf('on-running-job', ON_RUNNING_JOB, 'replace'),
    jobTimeoutMinutes: parseMinutes('job-timeout-minutes', r.text('job-timeout-minutes'), 30),
    timeoutMinutes: parseMinutes('timeout-minutes', r.text('timeout-minutes'), DEFAULT_TIMEOUT_MINUTES),
    deleteAmplifyBranch: r.boolean('delete-amplify-branch', false),
    dryRun: r.boolean('dry-run', false),
    githubToken: r.text('github-token'),
    commentOnPr: r.boolean('comment-on-pr', true),
    createDeployment: r.boolean('create-deployment', true),
    waitForJob: r.boolean('wait-for-job', false),
    schemaDiff: r.boolean('schema-diff', true),
  };
}

/** Where the services are and who the run is: keys, ids, hosts, app, region. */
function connectionSettings(r: Readers, env: Environment) {
  return {
    neonApiKey: parseApiKey(r.required('neon-api-key', 'a Neon API key')),
    neonProjectId: r.matching(
      'neon-project-id',
      r.required('neon-project-id', 'a Neon project id such as autumn-disk-484331'),
      /^[a-z0-9-]{1,60}$/,
      'a Neon project id such as autumn-disk-484331',
    ),
    neonApiHost: parseApiHost(r.text('neon-api-host') ?? DEFAULT_NEON_API_HOST),
    ...amplifySettings(r, env),
  };
}

/** The Amplify variables that carry a connection string: written on deploy, removed on cleanup. */
export function connectionVariableNames(
  settings: Pick<Settings, 'envVarName' | 'unpooledEnvVarName'>,
): string[] {
  return settings.unpooledEnvVarName === undefined
    ? [settings.envVarName]
    : [settings.envVarName, settings.unpooledEnvVarName];
}
