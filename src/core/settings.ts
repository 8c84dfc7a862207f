import { SettingError, UsageError } from './errors.js';
import { type BranchType, lifecycleSettings } from './lifecycle-settings.js';
import { anonymizeSettings, type LoadRules, type MaskingRule } from './masking-rules.js';
import { isValidGitBranchName } from './naming.js';
import {
  invalid,
  parseApiHost,
  parseApiKey,
  parseBranchPrefix,
  parseEnvVarName,
  parseMigrateEnv,
  parseMinutes,
  parsePrimaryBranches,
  type Readers,
  readers,
} from './setting-parsers.js';

export { BRANCH_TYPES, type BranchType } from './lifecycle-settings.js';
export { parseApiKey, parseBoolean } from './setting-parsers.js';

/** Every setting, by its action input name. The CLI flags and the webhook's variables use the same names. */
export const INPUT_NAMES = [
  'neon-api-key',
  'neon-project-id',
  'neon-api-host',
  'amplify-app-id',
  'aws-region',
  'command',
  'git-branch',
  'branch-prefix',
  'parent-branch',
  'database',
  'role',
  'pooled',
  'env-var-name',
  'primary-branches',
  'create-amplify-branch',
  'start-job',
  'on-running-job',
  'job-timeout-minutes',
  'timeout-minutes',
  'reset-role-password',
  'migrate-command',
  'migrate-timeout-minutes',
  'migrate-env',
  'unpooled-env-var-name',
  'expires-in',
  'reset-on-push',
  'branch-type',
  'suspend-timeout',
  'delete-amplify-branch',
  'dry-run',
  'github-token',
  'comment-on-pr',
  'create-deployment',
  'wait-for-job',
  'schema-diff',
  'anonymize',
  'masking-rules',
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

export const COMMANDS = ['auto', 'deploy', 'cleanup', 'reconcile', 'list'] as const;
export type Command = (typeof COMMANDS)[number];

export const ON_RUNNING_JOB = ['replace', 'wait', 'skip'] as const;

export type OnRunningJob = (typeof ON_RUNNING_JOB)[number];

export const DEFAULT_NEON_API_HOST = 'https://console.neon.tech/api/v2';
export const DEFAULT_BRANCH_PREFIX = 'preview/';
export const DEFAULT_ENV_VAR_NAME = 'DATABASE_URL';
/** The run's budget outside Amplify job waits: far under a GitHub job's 360 minutes. */
export const DEFAULT_TIMEOUT_MINUTES = 10;

export interface Settings {
  neonApiKey: string;
  neonProjectId: string;
  neonApiHost: string;
  /** Required only when the plan calls Amplify (see requireAmplify). */
  amplifyAppId: string | undefined;
  /** Checked when a plan touches Amplify: a cleanup that leaves Amplify alone needs no region. */
  awsRegion: string | undefined;
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
 * Reads one setting. `undefined` means not given at all; an empty string counts as not given too,
 * except for `branch-prefix`, where an explicit empty value is a choice (and reconcile refuses it).
 */
export type ReadSetting = (name: InputName) => string | undefined;

export interface Environment {
  AWS_REGION?: string | undefined;
  AWS_DEFAULT_REGION?: string | undefined;
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
  const gitBranch = r.text('git-branch')?.replace(/^refs\/heads\//, '');
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

/** What runs against the branch before the build, and the second variable it may need. */
function migrationSettings(r: Readers) {
  const envVarName = parseEnvVarName(r.text('env-var-name') ?? DEFAULT_ENV_VAR_NAME);
  const unpooled = r.text('unpooled-env-var-name');
  if (unpooled !== undefined && parseEnvVarName(unpooled, 'unpooled-env-var-name') === envVarName) {
    throw invalid(
      'unpooled-env-var-name',
      unpooled,
      `a name other than env-var-name (${envVarName}), such as DATABASE_URL_UNPOOLED`,
    );
  }
  const command = r.text('migrate-command');
  if (command?.includes('\u0000'))
    throw invalid('migrate-command', command, 'a shell command without NUL characters');
  return {
    envVarName,
    migrateCommand: command,
    migrateTimeoutMinutes: parseMinutes('migrate-timeout-minutes', r.text('migrate-timeout-minutes'), 10),
    migrateEnv: parseMigrateEnv(r.text('migrate-env')),
    unpooledEnvVarName: unpooled,
  };
}

/** Where the services are and who the run is: keys, ids, hosts, region. */
function connectionSettings(r: Readers, env: Environment) {
  const awsRegion = r.text('aws-region') ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const appId = r.text('amplify-app-id');
  return {
    neonApiKey: parseApiKey(r.required('neon-api-key', 'a Neon API key')),
    neonProjectId: r.matching(
      'neon-project-id',
      r.required('neon-project-id', 'a Neon project id such as autumn-disk-484331'),
      /^[a-z0-9-]{1,60}$/,
      'a Neon project id such as autumn-disk-484331',
    ),
    neonApiHost: parseApiHost(r.text('neon-api-host') ?? DEFAULT_NEON_API_HOST),
    amplifyAppId:
      appId === undefined ? undefined : r.matching('amplify-app-id', appId, /^d[a-z0-9]{1,19}$/, APP_ID_FORM),
    awsRegion:
      awsRegion === undefined
        ? undefined
        : r.matching(
            'aws-region',
            awsRegion,
            /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
            'an AWS region such as us-east-1',
          ),
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

/**
 * A setting's environment variable for the webhook and the CLI (README.md, "The webhook server": the action's input names
 * in upper snake case): `neon-api-key` → `NEON_API_KEY`.
 */
export function settingVariable(name: string): string {
  return name.replace(/-/g, '_').toUpperCase();
}

/** A value with its surrounding white space trimmed; empty or blank counts as not given. */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}

const APP_ID_FORM = 'an Amplify app id such as d2a1b3c4d5e6f7';

/**
 * The app and region, or a clear error before any request: the plan is about to call Amplify. The
 * app id is optional elsewhere, so that a cleanup with no Amplify app touches Neon only.
 */
export function requireAmplify(settings: Settings): { appId: string; region: string } {
  if (settings.amplifyAppId === undefined) throw SettingError.missing('amplify-app-id', APP_ID_FORM);
  return { appId: settings.amplifyAppId, region: requireRegion(settings) };
}

/** The region, or a clear error: Amplify is about to be called. */
export function requireRegion(settings: Settings): string {
  if (settings.awsRegion === undefined) {
    throw new UsageError(
      'No AWS region: set the aws-region input, or AWS_REGION / AWS_DEFAULT_REGION in the environment (e.g. us-east-1)',
    );
  }
  return settings.awsRegion;
}
