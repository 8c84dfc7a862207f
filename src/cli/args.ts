import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';
import type { InputName } from '../core/setting-names.js';
import { joinList } from '../core/setting-parsers.js';
import { explainParseError, normalizeArgv } from './argv.js';

/** The commands the core runs. `auto` is the action's: a CLI has no event to read it from. */
export type CliCommand = 'deploy' | 'cleanup' | 'reconcile' | 'list';

/** Every accepted command name; the script's names are the same commands under other spellings. */
export const COMMAND_NAMES: Record<string, CliCommand> = {
  deploy: 'deploy',
  cleanup: 'cleanup',
  reconcile: 'reconcile',
  list: 'list',
  'create-branch': 'deploy',
  'cleanup-branches': 'reconcile',
};

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

export interface CliOptions {
  /** Settings given as flags, by input name; booleans as `true` / `false`. */
  settings: Partial<Record<SettingName, string>>;
  ssmParameter: string | undefined;
  writeEnv: string | undefined;
  output: 'text' | 'json';
  includeDatabaseUrl: boolean;
  verbose: boolean;
}

export type CliRequest =
  | { kind: 'help'; command: CliCommand | undefined }
  | { kind: 'version' }
  | { kind: 'run'; command: CliCommand; spelledAs: string; options: CliOptions };

/** Bad usage: exit 2 with the usage of `command` (the general one when unknown). */
export class CliUsageError extends UsageError {
  constructor(
    message: string,
    readonly command?: CliCommand,
  ) {
    super(message);
  }
}

const ALL_FLAGS: Record<string, FlagSpec> = { ...SETTING_FLAGS, ...CLI_FLAGS };

/** Reads argv (without `node` and the script); throws CliUsageError for anything it cannot take. */
export function parseCli(argv: readonly string[]): CliRequest {
  // For the usage shown with an error that stops parsing; the command is usually the first word.
  const guessed = commandOf(argv[0]);
  const { values, positionals } = readArgv(argv, guessed);
  // `--version` anywhere, as `--help`; `version` as a word, as `help` (git and npm take both).
  if (values.version === true || (positionals[0] === 'version' && positionals.length === 1)) {
    return { kind: 'version' };
  }

  const helpWanted = positionals[0] === 'help';
  const words = helpWanted ? positionals.slice(1) : positionals;
  const spelledAs = words[0];
  const command = commandOf(spelledAs);
  if (spelledAs !== undefined && command === undefined) {
    throw new CliUsageError(
      `Unknown command '${spelledAs}': expected ${Object.keys(COMMAND_NAMES).join(', ')}`,
    );
  }
  if (helpWanted || values.help === true) return { kind: 'help', command };
  if (command === undefined || spelledAs === undefined) {
    throw new CliUsageError('No command given: expected deploy, cleanup or reconcile');
  }
  const extra = words.slice(1);
  if (extra.length > 0) {
    const booleanHint = ['true', 'false'].includes(extra[0] ?? '')
      ? ' (a boolean takes --name, --name=false or --no-name)'
      : '';
    throw new CliUsageError(`Unexpected argument '${extra[0]}'${booleanHint}`, command);
  }
  if (command !== 'deploy') {
    const misplaced = DEPLOY_ONLY.find((name) => values[name] !== undefined);
    if (misplaced !== undefined) throw new CliUsageError(`--${misplaced} applies to deploy only`, command);
  }

  return { kind: 'run', command, spelledAs, options: optionsOf(values, command) };
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** parseArgs over every flag, its aliases, --help and --version, strictly. */
function readArgv(argv: readonly string[], guessed: CliCommand | undefined) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(ALL_FLAGS)) {
    options[name] = { type: spec.boolean ? 'boolean' : 'string' };
  }
  for (const alias of Object.keys(SCRIPT_ALIASES)) options[alias] = { type: 'string' };
  options.help = { type: 'boolean', short: 'h' };
  options.version = { type: 'boolean', short: 'V' };
  // Several --primary-branches add up, like a comma list.
  options['primary-branches'] = { type: 'string', multiple: true };
  const kinds = Object.fromEntries(Object.entries(options).map(([name, option]) => [name, option.type]));
  try {
    const parsed = parseArgs({
      args: normalizeArgv(argv, kinds),
      options,
      allowPositionals: true,
      allowNegative: true,
      strict: true,
    });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (error) {
    throw new CliUsageError(explainParseError(error, kinds), guessed);
  }
}

/** The parsed flags as options: aliases folded in, settings by input name, the CLI's own flags checked. */
function optionsOf(values: Values, command: CliCommand): CliOptions {
  for (const [alias, name] of Object.entries(SCRIPT_ALIASES)) {
    if (values[alias] === undefined) continue;
    if (values[name] !== undefined) {
      throw new CliUsageError(`--${alias} and --${name} are the same option: give one of them`, command);
    }
    values[name] = values[alias];
  }

  const settings: Partial<Record<SettingName, string>> = {};
  for (const name of Object.keys(SETTING_FLAGS) as SettingName[]) {
    const value = values[name];
    if (value === undefined) continue;
    settings[name] = Array.isArray(value) ? joinList(value) : String(value);
  }
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') {
    throw new CliUsageError(`Invalid output '${String(output)}': expected text or json`, command);
  }
  return {
    settings,
    ssmParameter: stringValue(values['neon-api-key-ssm-parameter']),
    writeEnv: parseWriteEnv(stringValue(values['write-env']), command),
    output,
    includeDatabaseUrl: values['include-database-url'] === true,
    verbose: values.verbose === true,
  };
}

function commandOf(word: string | undefined): CliCommand | undefined {
  return word !== undefined && Object.hasOwn(COMMAND_NAMES, word) ? COMMAND_NAMES[word] : undefined;
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function parseWriteEnv(value: string | undefined, command: CliCommand): string | undefined {
  if (value !== undefined && value.trim() === '') {
    throw new CliUsageError("Invalid write-env '': expected a file path such as .env", command);
  }
  return value;
}
