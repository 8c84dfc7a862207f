import { SettingError, UsageError } from './errors.js';
import { isValidGitBranchName } from './naming.js';

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
  'delete-amplify-branch',
  'dry-run',
  'github-token',
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

export const COMMANDS = ['auto', 'deploy', 'cleanup', 'reconcile'] as const;
export type Command = (typeof COMMANDS)[number];

export const ON_RUNNING_JOB = ['replace', 'wait', 'skip'] as const;
export type OnRunningJob = (typeof ON_RUNNING_JOB)[number];

export const DEFAULT_NEON_API_HOST = 'https://console.neon.tech/api/v2';
export const DEFAULT_BRANCH_PREFIX = 'preview/';
export const DEFAULT_ENV_VAR_NAME = 'DATABASE_URL';

export interface Settings {
  neonApiKey: string;
  neonProjectId: string;
  neonApiHost: string;
  amplifyAppId: string;
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
  deleteAmplifyBranch: boolean;
  dryRun: boolean;
  githubToken: string | undefined;
  /**
   * Not an action input: the CLI's `--suspend-timeout` (neon-ci.sh's option), the new endpoint's
   * `suspend_timeout_seconds`; undefined keeps the project's default.
   */
  suspendTimeoutSeconds?: number | undefined;
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
export function parseSettings(read: ReadSetting, env: Environment = {}): Settings {
  const { text, required, matching, oneOf, boolean, plain } = readers(read);
  const neonApiKey = parseApiKey(required('neon-api-key', 'a Neon API key'));

  const awsRegion = text('aws-region') ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const gitBranch = text('git-branch')?.replace(/^refs\/heads\//, '');
  if (gitBranch !== undefined && !isValidGitBranchName(gitBranch)) {
    throw invalid('git-branch', gitBranch, 'a git branch name such as feature/login');
  }

  return {
    neonApiKey,
    neonProjectId: matching(
      'neon-project-id',
      required('neon-project-id', 'a Neon project id such as autumn-disk-484331'),
      /^[a-z0-9-]{1,60}$/,
      'a Neon project id such as autumn-disk-484331',
    ),
    neonApiHost: parseApiHost(text('neon-api-host') ?? DEFAULT_NEON_API_HOST),
    amplifyAppId: matching(
      'amplify-app-id',
      required('amplify-app-id', 'an Amplify app id such as d2a1b3c4d5e6f7'),
      /^d[a-z0-9]{1,19}$/,
      'an Amplify app id such as d2a1b3c4d5e6f7',
    ),
    awsRegion:
      awsRegion === undefined
        ? undefined
        : matching(
            'aws-region',
            awsRegion,
            /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
            'an AWS region such as us-east-1',
          ),
    command: oneOf('command', COMMANDS, 'auto'),
    gitBranch,
    branchPrefix: parseBranchPrefix(read('branch-prefix')),
    parentBranch: plain('parent-branch', 'a Neon branch name or id (br-...)'),
    database: plain('database', 'a database name'),
    role: plain('role', 'a Postgres role name'),
    pooled: boolean('pooled', true),
    envVarName: parseEnvVarName(text('env-var-name') ?? DEFAULT_ENV_VAR_NAME),
    primaryBranches: parsePrimaryBranches(text('primary-branches')),
    createAmplifyBranch: boolean('create-amplify-branch', true),
    startJob: boolean('start-job', true),
    onRunningJob: oneOf('on-running-job', ON_RUNNING_JOB, 'replace'),
    jobTimeoutMinutes: parseMinutes(text('job-timeout-minutes')),
    deleteAmplifyBranch: boolean('delete-amplify-branch', false),
    dryRun: boolean('dry-run', false),
    githubToken: text('github-token'),
  };
}

/** A Neon API key as given; the CLI checks a key read from SSM with the same rule. */
export function parseApiKey(key: string): string {
  if (/\s/.test(key)) {
    // The key itself is never quoted: it is a secret even when malformed.
    throw SettingError.invalid(
      'neon-api-key',
      undefined,
      'expected a Neon API key without spaces or line breaks',
    );
  }
  return key;
}

/** Typed reads of one setting each, every error naming the setting. */
function readers(read: ReadSetting) {
  const text = (name: InputName): string | undefined => {
    const value = read(name)?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    text,
    required: (name: InputName, form: string): string => {
      const value = text(name);
      if (value === undefined) throw SettingError.missing(name, form);
      return value;
    },
    matching: (name: InputName, value: string, pattern: RegExp, form: string): string => {
      if (!pattern.test(value)) throw invalid(name, value, form);
      return value;
    },
    oneOf: <T extends string>(name: InputName, allowed: readonly T[], fallback: T): T => {
      const value = text(name) ?? fallback;
      if (!(allowed as readonly string[]).includes(value))
        throw invalid(name, value, `one of ${allowed.join(', ')}`);
      return value as T;
    },
    boolean: (name: InputName, fallback: boolean): boolean => {
      const value = text(name);
      return value === undefined ? fallback : parseBoolean(name, value);
    },
    plain: (name: InputName, form: string): string | undefined => {
      const value = text(name);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
      if (value !== undefined && /[\u0000-\u001f\u007f]/.test(value)) throw invalid(name, value, form);
      return value;
    },
  };
}

/**
 * A setting's environment variable for the webhook and the CLI (DESIGN.md: the action's input names
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

/** The YAML 1.2 core schema booleans, as `core.getBooleanInput` accepts them; `ture` is an error. */
export function parseBoolean(name: string, value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw invalid(name, value, 'true or false');
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

function invalid(name: string, value: string, form: string): SettingError {
  return SettingError.invalid(name, value, `expected ${form}`);
}

function parseApiHost(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('neon-api-host', value, 'an http(s) URL such as https://console.neon.tech/api/v2');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid('neon-api-host', value, 'an http(s) URL such as https://console.neon.tech/api/v2');
  }
  return value.replace(/\/+$/, '');
}

function parseBranchPrefix(raw: string | undefined): string {
  // Not given at all: the default. Given as an empty string: an explicit empty prefix.
  if (raw === undefined) return DEFAULT_BRANCH_PREFIX;
  const value = raw.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\s\u0000-\u001f\u007f]/.test(value) || Array.from(value).length > 200) {
    throw invalid(
      'branch-prefix',
      raw,
      'characters allowed in a Neon branch name (no spaces or control characters), at most 200 characters',
    );
  }
  return value;
}

function parseEnvVarName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) || /^aws/i.test(value)) {
    throw invalid(
      'env-var-name',
      value,
      'an environment variable name of letters, digits and underscores that does not start with AWS (Amplify reserves it), such as DATABASE_URL',
    );
  }
  return value;
}

function parsePrimaryBranches(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(/[,\n]/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!isValidGitBranchName(name)) {
      throw invalid(
        'primary-branches',
        name,
        'git branch names separated by commas or new lines, such as main,develop',
      );
    }
  }
  return names.length === 0 ? undefined : names;
}

function parseMinutes(value: string | undefined): number {
  if (value === undefined) return 30;
  const minutes = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || minutes <= 0 || minutes > 360) {
    throw invalid('job-timeout-minutes', value, 'a number of minutes greater than 0 and at most 360');
  }
  return minutes;
}
