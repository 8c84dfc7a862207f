import type { InputName } from '../core/setting-names.js';

/** The settings a flag can give: every action input but `command`, which is the positional argument. */
export type SettingName = Exclude<InputName, 'command'>;

export interface FlagSpec {
  boolean?: true;
  /** What the value looks like, for the usage. */
  value?: string;
  help: string;
}

/**
 * One flag per action input, spelled the same. The `satisfies` makes an input added to the core
 * without a flag here a compile error, so the CLI cannot fall behind the action.
 */
export const SETTING_FLAGS = {
  'neon-api-key': {
    value: 'KEY',
    help: 'Neon API key; prefer the environment or SSM, argv is visible to ps',
  },
  'neon-project-id': { value: 'ID', help: 'Neon project id, such as autumn-disk-484331' },
  'neon-api-host': { value: 'URL', help: 'Neon API base URL (default https://console.neon.tech/api/v2)' },
  'amplify-app-id': { value: 'ID', help: 'Amplify app id (inside an Amplify build: AWS_APP_ID first)' },
  'aws-region': { value: 'REGION', help: "Amplify's region (default: AWS_REGION, then AWS_DEFAULT_REGION)" },
  'git-branch': {
    value: 'BRANCH',
    help: 'git branch to act on (inside an Amplify build: AWS_BRANCH first)',
  },
  'branch-prefix': { value: 'PREFIX', help: 'Neon branch name = prefix + git branch (default preview/)' },
  'parent-branch': { value: 'NAME|ID', help: "Neon parent branch (default: the project's default branch)" },
  database: { value: 'NAME', help: "database of the connection string (default: the branch's only one)" },
  role: { value: 'NAME', help: "role of the connection string (default: the database's owner)" },
  pooled: { boolean: true, help: 'pooled (-pooler) host; --no-pooled for a direct one (default true)' },
  'env-var-name': {
    value: 'NAME',
    help: 'variable written to Amplify and --write-env (default DATABASE_URL)',
  },
  'primary-branches': {
    value: 'LIST',
    help: 'branches that use the parent itself, comma separated (default main)',
  },
  'create-amplify-branch': { boolean: true, help: 'create a missing Amplify branch (default true)' },
  'start-job': { boolean: true, help: 'start an Amplify job after writing the variable (default true)' },
  'on-running-job': { value: 'MODE', help: 'replace, wait or skip a job already running (default replace)' },
  'job-timeout-minutes': { value: 'N', help: 'how long replace and wait may take (default 30)' },
  'timeout-minutes': {
    value: 'N',
    help: 'budget for the whole run outside Amplify job waits; every retry respects it (default 10)',
  },
  'migrate-command': {
    value: 'COMMAND',
    help: 'shell command run against the branch (DATABASE_URL = its direct URL) before Amplify is written',
  },
  'migrate-timeout-minutes': {
    value: 'N',
    help: 'limit for --migrate-command; its process group is stopped (default 10)',
  },
  'migrate-env': {
    value: 'NAMES',
    help: 'variables passed to --migrate-command besides PATH, HOME, locale, CI, NODE_*, npm_config_*: NAME,NAME (never the Neon key, tokens, AWS_*)',
  },
  'unpooled-env-var-name': {
    value: 'NAME',
    help: 'also write the direct URL under this name, e.g. DATABASE_URL_UNPOOLED (and into --write-env)',
  },
  'expires-in': {
    value: 'DURATION',
    help: 'a new preview expires this long after its last deploy: 90m, 36h, 7d (at most 30d)',
  },
  'reset-on-push': {
    boolean: true,
    help: "reset an existing preview to its parent's latest state (default false)",
  },
  'branch-type': {
    value: 'TYPE',
    help: 'parent-data or schema-only: the parent schema and no rows (default parent-data)',
  },
  'suspend-timeout': {
    value: 'SECONDS',
    help: "seconds of idleness before the new branch's compute suspends (Neon's suspend_timeout_seconds; -1 never, 0 the project's default)",
  },
  'reset-role-password': {
    boolean: true,
    help: "give a new preview's role its own password; Neon copies the parent's (default true)",
  },
  'delete-amplify-branch': { boolean: true, help: 'cleanup: also delete the Amplify branch (default false)' },
  'dry-run': { boolean: true, help: 'print the plan and change nothing (default false)' },
  'github-token': {
    value: 'TOKEN',
    help: 'with GITHUB_REPOSITORY set: comment on the pull request and create a deployment, as the action does',
  },
  'comment-on-pr': {
    boolean: true,
    help: 'sticky pull request comment (needs a GitHub token; default true)',
  },
  'create-deployment': {
    boolean: true,
    help: 'GitHub deployment preview/<branch> (needs a GitHub token; default true)',
  },
  'wait-for-job': {
    boolean: true,
    help: 'wait for the Amplify job to end; a failed build is exit 1 (default false)',
  },
  'schema-diff': { boolean: true, help: "compare the preview's schema with its parent's (default true)" },
  anonymize: {
    boolean: true,
    help: 'create a new preview masked by --masking-rules (Neon Beta; default false)',
  },
  'masking-rules': { value: 'FILE', help: 'JSON or YAML masking rules, relative to the working directory' },
} satisfies Record<SettingName, FlagSpec>;

/** Flags of the CLI itself; none of them has an action input. `deploy` marks the deploy-only ones. */
export const CLI_FLAGS = {
  'neon-api-key-ssm-parameter': {
    value: 'NAME',
    help: 'read the Neon API key from this SSM parameter (SecureString)',
  },
  'write-env': { value: 'FILE', help: 'write ENV_VAR_NAME="<connection string>" into this dotenv file' },
  output: { value: 'text|json', help: 'json: print one JSON result on stdout (default text)' },
  'include-database-url': { boolean: true, help: 'put database-url into the JSON result (default false)' },
  verbose: { boolean: true, help: 'also print debug lines (retries, requests) on stderr' },
  help: { boolean: true, help: 'show this help' },
  version: { boolean: true, help: 'print the version' },
} satisfies Record<string, FlagSpec>;

export type CliFlagName = keyof typeof CLI_FLAGS;

/** Flags that only mean something to deploy: anywhere else they would silently do nothing. */
export const DEPLOY_ONLY: readonly CliFlagName[] = ['write-env'];

/** The option names of neon-ci.sh, as other spellings of ours. */
export const SCRIPT_ALIASES = {
  'app-id': 'amplify-app-id',
  'branch-name': 'git-branch',
  'api-key-param': 'neon-api-key-ssm-parameter',
  'role-name': 'role',
  'database-name': 'database',
} as const satisfies Record<string, SettingName | CliFlagName>;

/** Environment variables of the CLI's own flags (settings use the upper-snake of their name). */
export const CLI_FLAG_ENV: Partial<Record<CliFlagName, string>> = {
  'neon-api-key-ssm-parameter': 'NEON_API_KEY_SSM_PARAMETER',
};
