import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import type { InputName } from '../../src/core/setting-names.js';
import { parseSettings } from '../../src/core/settings.js';
import { migrationEnvironment } from '../../src/migrate/environment.js';
import { runShellMigration } from '../../src/migrate/shell.js';
import { loadWebhookConfig } from '../../src/webhook/config/config.js';

const required = {
  'neon-api-key': 'napi_secret123',
  'neon-project-id': 'calm-sun-123456',
  'amplify-app-id': 'd1a2b3c4d5e6f7',
};

function parse(inputs: Partial<Record<InputName, string>>) {
  return parseSettings((name) => inputs[name]);
}

/** What a runner, a webhook server or a developer's shell holds besides the command's needs. */
const PARENT = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/runner',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TMPDIR: '/tmp/x',
  CI: 'true',
  GITHUB_WORKSPACE: '/work/repo',
  NODE_OPTIONS: '--max-old-space-size=4096',
  npm_config_cache: '/home/runner/.npm',
  NPM_CONFIG_REGISTRY: 'https://registry.npmjs.org/',
  SHADOW_DATABASE_URL: 'postgresql://shadow',
  UNLISTED: 'not passed',
  NEON_API_KEY: 'napi_secret123',
  GITHUB_TOKEN: 'ghs_token',
  GH_TOKEN: 'ghs_token2',
  GITHUB_WEBHOOK_SECRET: 'whsec',
  AWS_ACCESS_KEY_ID: 'AKIA',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  AWS_SESSION_TOKEN: 'aws-session',
  'INPUT_NEON-API-KEY': 'napi_secret123',
  INPUT_MIGRATE_COMMAND: 'x',
  ACTIONS_RUNTIME_TOKEN: 'runtime-token',
  NODE_AUTH_TOKEN: 'npm-token',
};

describe('migrate-env', () => {
  it('is a comma (or new line) list of variable names, empty by default', () => {
    expect(parse(required).migrateEnv).toEqual([]);
    expect(
      parse({ ...required, 'migrate-env': 'SHADOW_DATABASE_URL, PRISMA_HIDE_UPDATE_MESSAGE\nX' }).migrateEnv,
    ).toEqual(['SHADOW_DATABASE_URL', 'PRISMA_HIDE_UPDATE_MESSAGE', 'X']);
  });

  it.each(['DATABASE-URL', '1X', 'A B', '$HOME'])('refuses %j with the expected form', (name) => {
    const invalid = () => parse({ ...required, 'migrate-env': `OK,${name}` });
    expect(invalid).toThrowError(UsageError);
    expect(invalid).toThrowError(
      `Invalid migrate-env '${name}': expected names of environment variables (letters, digits and underscores, not starting with a digit) separated by commas, such as SHADOW_DATABASE_URL,SENTRY_DSN`,
    );
  });

  it.each([
    'NEON_API_KEY',
    'neon_api_key',
    'GITHUB_TOKEN',
    'GH_TOKEN',
    'GITHUB_WEBHOOK_SECRET',
    'GITLAB_WEBHOOK_TOKEN',
    'BITBUCKET_WEBHOOK_SECRET',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_PROFILE',
    'INPUT_GITHUB_TOKEN',
    'ACTIONS_RUNTIME_TOKEN',
  ])('refuses to pass %s, which this tool keeps from the command', (name) => {
    expect(() => parse({ ...required, 'migrate-env': name })).toThrowError(
      `Invalid migrate-env '${name}': expected names other than the Neon API key, a GitHub token, the webhook secrets, AWS_*, ACTIONS_* and INPUT_* (migrate-command never gets them)`,
    );
  });

  it('is a setting of the webhook: MIGRATE_ENV, and a CONFIG_FILE key that may be a list', () => {
    const env = {
      GITHUB_WEBHOOK_SECRET: 'whsec-one',
      NEON_API_KEY: 'napi_env_key_0123',
      NEON_PROJECT_ID: 'calm-sun-123456',
      AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
      AWS_REGION: 'eu-west-1',
      MIGRATE_ENV: 'SENTRY_DSN',
    };
    const fromEnv = loadWebhookConfig(env, { readFile: () => '' });
    expect(fromEnv.settingsFor(undefined)?.migrateEnv).toEqual(['SENTRY_DSN']);
    const file = 'repositories:\n  o/r:\n    migrate-env: [SHADOW_DATABASE_URL, SENTRY_DSN]\n';
    const fromFile = loadWebhookConfig({ ...env, CONFIG_FILE: '/etc/w.yaml' }, { readFile: () => file });
    expect(fromFile.settingsFor('o/r')?.migrateEnv).toEqual(['SHADOW_DATABASE_URL', 'SENTRY_DSN']);
    expect(() =>
      loadWebhookConfig({ ...env, MIGRATE_ENV: 'GITHUB_WEBHOOK_SECRET' }, { readFile: () => '' }),
    ).toThrowError(/MIGRATE_ENV 'GITHUB_WEBHOOK_SECRET'/);
  });
});

describe('the environment of migrate-command', () => {
  const own = {
    DATABASE_URL: 'postgresql://u:p@h/db',
    NEON_BRANCH_ID: 'br-1',
    NEON_BRANCH_NAME: 'preview/x',
  };

  it('is the minimal set, the names listed in migrate-env and the branch variables; never a secret of this tool', () => {
    expect(migrationEnvironment(PARENT, ['SHADOW_DATABASE_URL', 'NOT_SET'], own)).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/home/runner',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TMPDIR: '/tmp/x',
      CI: 'true',
      GITHUB_WORKSPACE: '/work/repo',
      NODE_OPTIONS: '--max-old-space-size=4096',
      npm_config_cache: '/home/runner/.npm',
      NPM_CONFIG_REGISTRY: 'https://registry.npmjs.org/',
      SHADOW_DATABASE_URL: 'postgresql://shadow',
      ...own,
    });
  });

  it('drops a secret name even if one reaches it listed', () => {
    expect(migrationEnvironment(PARENT, ['GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY'], own)).not.toHaveProperty(
      'GITHUB_TOKEN',
    );
  });

  it('is what the shell gets', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { NEON_API_KEY: 'napi_in_parent', GITHUB_WEBHOOK_SECRET: 'whsec_in_parent' });
    const lines: string[] = [];
    try {
      await runShellMigration({
        command: 'env',
        env: own,
        passEnv: [],
        secrets: [],
        timeoutMs: 20_000,
        log: { info: (m) => lines.push(m), warning: () => {}, debug: () => {} },
      });
    } finally {
      process.env = saved;
    }
    expect(lines).toContain('NEON_BRANCH_NAME=preview/x');
    expect(lines.join('\n')).not.toMatch(/NEON_API_KEY|GITHUB_WEBHOOK_SECRET|VITEST/);
  });
});
