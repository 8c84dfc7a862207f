import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readSettings } from '../../src/action/inputs.js';
import { EXIT_USAGE, main } from '../../src/cli/main.js';
import { SettingError, UsageError } from '../../src/core/errors.js';
import { parseMaskingRules, toNeonRules } from '../../src/core/masking-rules.js';
import type { InputName } from '../../src/core/setting-names.js';
import { parseSettings } from '../../src/core/settings.js';
import { rulesFileLoader } from '../../src/masking-rules-file.js';
import { loadWebhookConfig } from '../../src/webhook/config/config.js';

const BASE: Partial<Record<InputName, string>> = {
  'neon-api-key': 'napi_test',
  'neon-project-id': 'calm-sun-123456',
};
const EMAIL = '[{"table_name": "people", "column_name": "email", "masking_function": "anon.fake_email()"}]';

function settings(inputs: Partial<Record<InputName, string>>) {
  return parseSettings((name) => ({ ...BASE, ...inputs })[name]);
}

function rules(text: string, database?: string) {
  return parseMaskingRules({ text, source: 'rules.yml' }, database);
}

describe('parseMaskingRules', () => {
  it('reads JSON, filling database_name from the database setting and schema_name with public', () => {
    expect(rules(EMAIL, 'shop')).toEqual([
      {
        databaseName: 'shop',
        schemaName: 'public',
        tableName: 'people',
        columnName: 'email',
        maskingFunction: 'anon.fake_email()',
      },
    ]);
  });

  it('reads YAML, keeping a rule own database and schema, and literal values of any scalar', () => {
    const parsed = rules(
      [
        '- database_name: crm',
        '  schema_name: sales',
        '  table_name: people',
        '  column_name: phone',
        "  masking_value: ''",
        '- table_name: people',
        '  column_name: age',
        '  masking_value: 42',
      ].join('\n'),
      undefined,
    );
    expect(parsed).toEqual([
      {
        databaseName: 'crm',
        schemaName: 'sales',
        tableName: 'people',
        columnName: 'phone',
        maskingValue: '',
      },
      {
        databaseName: undefined,
        schemaName: 'public',
        tableName: 'people',
        columnName: 'age',
        maskingValue: '42',
      },
    ]);
    expect(toNeonRules(parsed, 'neondb')).toEqual([
      {
        database_name: 'crm',
        schema_name: 'sales',
        table_name: 'people',
        column_name: 'phone',
        masking_value: '',
      },
      {
        database_name: 'neondb',
        schema_name: 'public',
        table_name: 'people',
        column_name: 'age',
        masking_value: '42',
      },
    ]);
  });

  it.each([
    ['[{"table_name": ', 'does not parse'],
    ['[]', 'names no column'],
    ['{"table_name": "people"}', 'names no column'],
    ['', 'names no column'],
    ['- people.email', 'rule 1'],
    ['- {table_name: people, masking_function: anon.hash(email)}', 'column_name'],
    ['- {table_name: people, column: email, masking_function: anon.hash(email)}', "not 'column'"],
    ['- {table_name: people, column_name: email}', 'exactly one of masking_function and masking_value'],
    [
      '- {table_name: people, column_name: email, masking_function: anon.fake_email(), masking_value: x}',
      'exactly one',
    ],
    ['- {table_name: people, column_name: "  ", masking_value: x}', 'column_name'],
  ])('refuses %j as a masking-rules error (%s)', (text, message) => {
    const error = (() => {
      try {
        rules(text);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SettingError);
    expect((error as SettingError).setting).toBe('masking-rules');
    expect((error as Error).message).toContain(message);
  });
});

describe('anonymize settings', () => {
  it('default to no anonymization and no rules', () => {
    expect(settings({})).toMatchObject({ anonymize: false, maskingRules: undefined });
  });

  it('take the rules and the flag; database_name defaults to the database setting', () => {
    expect(settings({ anonymize: 'true', 'masking-rules': EMAIL, database: 'shop' })).toMatchObject({
      anonymize: true,
      maskingRules: [{ databaseName: 'shop', tableName: 'people', columnName: 'email' }],
    });
  });

  it('refuse anonymize without masking-rules, and anonymize with branch-type schema-only', () => {
    expect(() => settings({ anonymize: 'true' })).toThrow(/Invalid anonymize 'true'.*masking-rules/);
    expect(() =>
      settings({ anonymize: 'true', 'masking-rules': EMAIL, 'branch-type': 'schema-only' }),
    ).toThrow(/Invalid anonymize 'true'.*schema-only/);
    expect(() => settings({ anonymize: 'ture', 'masking-rules': EMAIL })).toThrow(/true or false/);
  });

  it('check rules given without anonymize too, so that turning it on later cannot fail late', () => {
    expect(() => settings({ 'masking-rules': '[]' })).toThrow(/names no column/);
  });
});

describe('rulesFileLoader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  writeFileSync(
    join(dir, 'rules.yml'),
    `- {table_name: people, column_name: email, masking_value: hidden}\n`,
  );

  it('reads a path relative to its base, or an absolute one', () => {
    expect(rulesFileLoader(dir)('rules.yml').text).toContain('hidden');
    expect(rulesFileLoader('/nowhere')(join(dir, 'rules.yml'))).toMatchObject({
      source: join(dir, 'rules.yml'),
    });
  });

  it('makes a missing file a usage error naming the path it tried', () => {
    expect(() => rulesFileLoader(dir)('missing.yml')).toThrow(
      new RegExp(`Invalid masking-rules 'missing.yml'.*${join(dir, 'missing.yml')}: ENOENT`),
    );
  });
});

describe('every front end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'front-'));
  writeFileSync(join(dir, 'masking.json'), EMAIL);
  afterEach(() => vi.unstubAllEnvs());

  it('the action reads masking-rules relative to GITHUB_WORKSPACE', () => {
    const env = {
      'INPUT_NEON-API-KEY': 'napi_test',
      'INPUT_NEON-PROJECT-ID': 'calm-sun-123456',
      INPUT_ANONYMIZE: 'true',
      'INPUT_MASKING-RULES': 'masking.json',
      GITHUB_WORKSPACE: dir,
    };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    expect(readSettings(env)).toMatchObject({ anonymize: true, maskingRules: [{ columnName: 'email' }] });
  });

  it('the CLI refuses anonymize without rules as bad usage before any request', async () => {
    let stderr = '';
    const code = await main(['deploy', '--git-branch', 'feat/x', '--anonymize'], {
      env: {
        NEON_API_KEY: 'napi_k',
        NEON_PROJECT_ID: 'calm-sun-123456',
        NEON_API_HOST: 'http://127.0.0.1:9',
      },
      nodeVersion: 'v24.21.0',
      stdout: { write: () => undefined },
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain("Invalid anonymize 'true'");
  });

  it('the CLI takes MASKING_RULES from the environment, relative to the working directory', async () => {
    let stderr = '';
    const code = await main(['deploy', '--git-branch', 'feat/x', '--dry-run'], {
      env: {
        NEON_API_KEY: 'napi_k',
        NEON_PROJECT_ID: 'calm-sun-123456',
        AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
        AWS_REGION: 'us-east-1',
        ANONYMIZE: 'true',
        MASKING_RULES: 'no-such-rules.yml',
      },
      nodeVersion: 'v24.21.0',
      stdout: { write: () => undefined },
      stderr: { write: (text: string) => (stderr += text) },
    });
    expect(code).toBe(EXIT_USAGE);
    expect(stderr).toContain(`${join(process.cwd(), 'no-such-rules.yml')}: ENOENT`);
  });

  const ENV = {
    GITHUB_WEBHOOK_SECRET: 'whsec-one',
    NEON_API_KEY: 'napi_env_key_0123',
    NEON_PROJECT_ID: 'calm-sun-123456',
    AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
    AWS_REGION: 'eu-west-1',
  };

  it('the webhook reads MASKING_RULES as a file', () => {
    const config = loadWebhookConfig(
      { ...ENV, ANONYMIZE: 'true', MASKING_RULES: join(dir, 'masking.json') },
      { readFile: () => '' },
    );
    expect(config.settingsFor('any/repo')).toMatchObject({
      anonymize: true,
      maskingRules: [{ tableName: 'people' }],
    });
  });

  it('CONFIG_FILE takes the rules inline, and refuses a string there', () => {
    const file = [
      'defaults:',
      '  anonymize: true',
      '  masking-rules:',
      '    - {table_name: people, column_name: email, masking_function: anon.fake_email()}',
      'repositories:',
      '  octo-org/shop: {}',
      '  octo-org/blog:',
      '    anonymize: false',
      '    masking-rules: [{table_name: posts, column_name: author, masking_value: x}]',
    ].join('\n');
    const config = loadWebhookConfig({ ...ENV, CONFIG_FILE: 'config.yml' }, { readFile: () => file });
    expect(config.settingsFor('octo-org/shop')).toMatchObject({
      anonymize: true,
      maskingRules: [{ tableName: 'people', maskingFunction: 'anon.fake_email()' }],
    });
    expect(config.settingsFor('octo-org/blog')).toMatchObject({
      anonymize: false,
      maskingRules: [{ tableName: 'posts', maskingValue: 'x' }],
    });
    const bad = 'repositories:\n  octo-org/shop:\n    masking-rules: rules.yml\n';
    expect(() => loadWebhookConfig({ ...ENV, CONFIG_FILE: 'c.yml' }, { readFile: () => bad })).toThrow(
      UsageError,
    );
    expect(() => loadWebhookConfig({ ...ENV, CONFIG_FILE: 'c.yml' }, { readFile: () => bad })).toThrow(
      /masking rules inline/,
    );
  });

  it('CONFIG_FILE reports bad inline rules with the repository they belong to', () => {
    const file = 'repositories:\n  octo-org/shop:\n    anonymize: true\n    masking-rules: []\n';
    expect(() => loadWebhookConfig({ ...ENV, CONFIG_FILE: 'c.yml' }, { readFile: () => file })).toThrow(
      /CONFIG_FILE c.yml: .*repositories.octo-org\/shop.masking-rules.*names no column/,
    );
  });
});
