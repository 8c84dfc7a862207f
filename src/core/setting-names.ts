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

/**
 * Reads one setting. `undefined` means not given at all; an empty string counts as not given too,
 * except for `branch-prefix`, where an explicit empty value is a choice (and reconcile refuses it).
 */
export type ReadSetting = (name: InputName) => string | undefined;

/**
 * A setting's environment variable for the webhook and the CLI (README.md, "The webhook server": the action's input names
 * in upper snake case): `neon-api-key` → `NEON_API_KEY`.
 */
export function settingVariable(name: string): string {
  return name.replace(/-/g, '_').toUpperCase();
}
