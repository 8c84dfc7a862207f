import { invalid, parseEnvVarName, parseMinutes, type Readers, splitList } from './setting-parsers.js';

export const DEFAULT_ENV_VAR_NAME = 'DATABASE_URL';

/** What runs against the branch before the build, and the second variable it may need. */
export function migrationSettings(r: Readers) {
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

/**
 * Variables of this tool that `migrate-command` never gets, by name (case-insensitive): the Neon
 * API key, GitHub tokens, the webhook secrets (GITHUB_WEBHOOK_SECRET forges deliveries), every
 * AWS_* (credentials and the profile or role that selects them), the runner's ACTIONS_* tokens and
 * the action's INPUT_* (its inputs, the key and token among them).
 */
export function isWithheldVariable(name: string): boolean {
  const upper = name.toUpperCase();
  return WITHHELD_NAMES.includes(upper) || WITHHELD_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

const WITHHELD_NAMES = [
  'NEON_API_KEY',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITHUB_WEBHOOK_SECRET',
  'GITLAB_WEBHOOK_TOKEN',
  'BITBUCKET_WEBHOOK_SECRET',
];
const WITHHELD_PREFIXES = ['AWS_', 'ACTIONS_', 'INPUT_'];

/**
 * `migrate-env`: names of variables passed through to `migrate-command`. Naming one it never gets
 * is an error rather than a silent drop: the user learns at once why the command will not see it.
 */
export function parseMigrateEnv(value: string | undefined): string[] {
  if (value === undefined) return [];
  const names = splitList(value);
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw invalid(
        'migrate-env',
        name,
        'names of environment variables (letters, digits and underscores, not starting with a digit) separated by commas, such as SHADOW_DATABASE_URL,SENTRY_DSN',
      );
    }
    if (isWithheldVariable(name)) {
      throw invalid(
        'migrate-env',
        name,
        'names other than the Neon API key, a GitHub token, the webhook secrets, AWS_*, ACTIONS_* and INPUT_* (migrate-command never gets them)',
      );
    }
  }
  return names;
}
