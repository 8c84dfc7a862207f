import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { loadWebhookConfig } from '../../src/webhook/config/config.js';

const ENV = {
  GITHUB_WEBHOOK_SECRET: 'whsec-one',
  NEON_API_KEY: 'napi_env_key_0123',
  NEON_PROJECT_ID: 'calm-sun-123456',
  AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
  AWS_REGION: 'eu-west-1',
};

function load(env: Record<string, string | undefined>, file?: string) {
  return loadWebhookConfig(env, { readFile: () => file ?? '' });
}

describe('settings from the environment', () => {
  it('reads the upper-snake names of the action inputs, with the webhook defaults', () => {
    const config = load({
      ...ENV,
      BRANCH_PREFIX: 'pr-',
      PRIMARY_BRANCHES: 'main,develop',
      ENV_VAR_NAME: 'DB_URL',
    });
    expect(config).toMatchObject({
      port: 3000,
      maxBodyBytes: 1048576,
      secrets: ['whsec-one'],
      configFile: undefined,
    });
    expect(config.settingsFor('any/repo')).toMatchObject({
      neonApiKey: 'napi_env_key_0123',
      neonProjectId: 'calm-sun-123456',
      amplifyAppId: 'd1a2b3c4d5e6f7',
      awsRegion: 'eu-west-1',
      branchPrefix: 'pr-',
      primaryBranches: ['main', 'develop'],
      envVarName: 'DB_URL',
      command: 'auto',
      gitBranch: undefined,
    });
    expect(config.secretValues).toEqual(['whsec-one', 'napi_env_key_0123']);
  });

  it('splits GITHUB_WEBHOOK_SECRET on commas for rotation', () => {
    expect(load({ ...ENV, GITHUB_WEBHOOK_SECRET: ' new , old ' }).secrets).toEqual(['new', 'old']);
  });

  it('never takes the command or the branch from the environment (CI sets GIT_BRANCH)', () => {
    const settings = load({ ...ENV, COMMAND: 'reconcile', GIT_BRANCH: 'main' }).settingsFor(undefined);
    expect(settings).toMatchObject({ command: 'auto', gitBranch: undefined });
  });

  it.each([
    [{ GITHUB_WEBHOOK_SECRET: undefined }, /^GITHUB_WEBHOOK_SECRET is required and not set/],
    [{ GITHUB_WEBHOOK_SECRET: 'a,,b' }, /^Invalid GITHUB_WEBHOOK_SECRET: an entry .* is empty/],
    [{ NEON_API_KEY: '' }, /^neon-api-key is required and not set \(a Neon API key\): set NEON_API_KEY$/],
    [
      { NEON_PROJECT_ID: 'Not_A_Project' },
      /^Invalid NEON_PROJECT_ID 'Not_A_Project': expected a Neon project id/,
    ],
    [{ AMPLIFY_APP_ID: 'x' }, /^Invalid AMPLIFY_APP_ID 'x'/],
    [
      { AWS_REGION: undefined },
      /^aws-region is required and not set .*: set AWS_REGION, or AWS_DEFAULT_REGION$/,
    ],
    [{ ON_RUNNING_JOB: 'later' }, /^Invalid ON_RUNNING_JOB 'later': expected one of replace, wait, skip$/],
    [{ POOLED: 'ture' }, /^Invalid POOLED 'ture': expected true or false$/],
    [{ PORT: '70000' }, /^Invalid PORT '70000': expected a whole number from 0 to 65535$/],
    [{ MAX_BODY_BYTES: '1MB' }, /^Invalid MAX_BODY_BYTES '1MB'/],
    [{ LOG_LEVEL: 'verbose' }, /^Invalid LOG_LEVEL 'verbose'/],
  ])('fails fast on %o, naming the variable', (change, message) => {
    const start = () => load({ ...ENV, ...change });
    expect(start).toThrowError(UsageError);
    expect(start).toThrowError(message);
  });

  it('never quotes the secrets in its errors', () => {
    const badKey = () => load({ ...ENV, NEON_API_KEY: 'napi with space' });
    expect(badKey).toThrowError(UsageError);
    expect(badKey).toThrowError(
      expect.objectContaining({ message: expect.not.stringContaining('napi with') }),
    );
    const badSecret = () => load({ ...ENV, GITHUB_WEBHOOK_SECRET: 'topsecret,' });
    expect(badSecret).toThrowError(UsageError);
    expect(badSecret).toThrowError(
      expect.objectContaining({ message: expect.not.stringContaining('topsecret') }),
    );
  });
});

const FILE = `
defaults:
  branch-prefix: preview/
  aws-region: us-east-1
repositories:
  octo-org/shop:
    neon-project-id: shop-project-1
    amplify-app-id: dshop123
    primary-branches: [main, release]
  octo-org/Blog:
    neon-project-id: blog-project-2
    amplify-app-id: dblog456
    neon-api-key: napi_blog_key_456
    branch-prefix: blog/
    start-job: false
`;

describe('CONFIG_FILE', () => {
  it('maps each repository to its own project, app and settings over defaults and the environment', () => {
    const config = load({ ...ENV, CONFIG_FILE: '/etc/webhook.yaml' }, FILE);
    expect(config.settingsFor('octo-org/shop')).toMatchObject({
      neonProjectId: 'shop-project-1',
      amplifyAppId: 'dshop123',
      neonApiKey: 'napi_env_key_0123',
      awsRegion: 'us-east-1',
      branchPrefix: 'preview/',
      primaryBranches: ['main', 'release'],
      startJob: true,
    });
    expect(config.settingsFor('Octo-Org/blog')).toMatchObject({
      neonProjectId: 'blog-project-2',
      neonApiKey: 'napi_blog_key_456',
      branchPrefix: 'blog/',
      startJob: false,
    });
    expect(config.settingsFor('octo-org/other')).toBeUndefined();
    expect(config.settingsFor(undefined)).toBeUndefined();
    expect(config.secretValues).toContain('napi_blog_key_456');
  });

  it('reads JSON as well', () => {
    const json = JSON.stringify({
      repositories: { 'a/b': { 'neon-project-id': 'p-1', 'amplify-app-id': 'dabc' } },
    });
    const config = load({ ...ENV, CONFIG_FILE: 'c.json' }, json);
    expect(config.settingsFor('a/b')).toMatchObject({ neonProjectId: 'p-1', awsRegion: 'eu-west-1' });
  });

  it.each([
    [
      'repositories:\n  a/b:\n    neon-projct-id: p-1\n',
      /^CONFIG_FILE f\.yaml: repositories\.a\/b\.neon-projct-id: unknown key 'neon-projct-id'; expected one of neon-api-key, /,
    ],
    [
      'repositories:\n  a/b:\n    git-branch: main\n',
      /^CONFIG_FILE f\.yaml: repositories\.a\/b\.git-branch: 'git-branch' cannot be set for the webhook/,
    ],
    ['repository:\n  a/b: {}\n', /^CONFIG_FILE f\.yaml: repository: unknown key 'repository'/],
    [
      'defaults:\n  pooled: maybe\nrepositories:\n  a/b: {}\n',
      /^CONFIG_FILE f\.yaml: Invalid defaults\.pooled 'maybe': expected true or false$/,
    ],
    [
      'repositories:\n  a/b:\n    neon-project-id: BAD\n',
      /^CONFIG_FILE f\.yaml: Invalid repositories\.a\/b\.neon-project-id 'BAD'/,
    ],
    [
      'repositories:\n  not-a-repo: {}\n',
      /^CONFIG_FILE f\.yaml: repositories\.not-a-repo: invalid repository 'not-a-repo'; expected owner\/name/,
    ],
    ['repositories:\n  a/b: {}\n  A/B: {}\n', /listed twice/],
    [
      'repositories: {}\n',
      /^CONFIG_FILE f\.yaml: repositories: expected a mapping of at least one repository/,
    ],
    [
      'repositories:\n  a/b:\n    role: {x: 1}\n',
      /^CONFIG_FILE f\.yaml: repositories\.a\/b\.role: expected a string, number or boolean$/,
    ],
    ['repositories: [a/b\n', /^CONFIG_FILE f\.yaml is not valid YAML or JSON: /],
  ])('refuses a bad file at start, naming the key: %s', (text, message) => {
    const start = () => load({ ...ENV, CONFIG_FILE: 'f.yaml' }, text);
    expect(start).toThrowError(UsageError);
    expect(start).toThrowError(message);
  });

  it('names the environment variable when the bad value came from there', () => {
    const text = 'repositories:\n  a/b:\n    amplify-app-id: dabc\n';
    const invalid = () => load({ ...ENV, NEON_PROJECT_ID: 'BAD', CONFIG_FILE: 'f.yaml' }, text);
    expect(invalid).toThrowError(UsageError);
    expect(invalid).toThrowError(
      /^CONFIG_FILE f\.yaml: Invalid NEON_PROJECT_ID \(from the environment, for repositories\.a\/b\) 'BAD'/,
    );
    const missing = () => load({ ...ENV, NEON_PROJECT_ID: undefined, CONFIG_FILE: 'f.yaml' }, text);
    expect(missing).toThrowError(UsageError);
    expect(missing).toThrowError(
      expect.objectContaining({
        message:
          'CONFIG_FILE f.yaml: neon-project-id is required and not set (a Neon project id such as autumn-disk-484331): set repositories.a/b.neon-project-id or defaults.neon-project-id, or NEON_PROJECT_ID',
      }),
    );
  });

  it('says when the file cannot be read', () => {
    const config = () =>
      loadWebhookConfig(
        { ...ENV, CONFIG_FILE: '/nope.yaml' },
        {
          readFile: () => {
            throw new Error('ENOENT: no such file or directory');
          },
        },
      );
    expect(config).toThrowError(UsageError);
    expect(config).toThrowError(
      expect.objectContaining({
        message: 'CONFIG_FILE /nope.yaml cannot be read: ENOENT: no such file or directory',
      }),
    );
  });
});

describe('the queued pair: QUEUE_URL and what each function needs', () => {
  const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/neon-amplify-branch.fifo';

  it('makes a receiver of the server when QUEUE_URL is set: no Neon API key needed, none kept', () => {
    const config = load({ ...ENV, NEON_API_KEY: undefined, QUEUE_URL: QUEUE });
    expect(config.queueUrl).toBe(QUEUE);
    expect(config.settingsFor('a/b')).toMatchObject({ neonProjectId: 'calm-sun-123456' });
    expect(config.secretValues).toEqual(['whsec-one']);
    // Without QUEUE_URL the key is required as before.
    expect(() => load({ ...ENV, NEON_API_KEY: undefined })).toThrowError(/neon-api-key is required/);
  });

  it('requires QUEUE_URL of a receiver, and a FIFO queue over https (http only to loopback)', () => {
    expect(() => loadWebhookConfig(ENV, { role: 'receiver' })).toThrowError(/^QUEUE_URL is required/);
    for (const bad of [
      'https://sqs.eu-west-1.amazonaws.com/123456789012/standard-queue',
      'http://sqs.eu-west-1.amazonaws.com/123456789012/q.fifo',
      'not a url',
    ]) {
      expect(() => load({ ...ENV, QUEUE_URL: bad })).toThrowError(`Invalid QUEUE_URL '${bad}'`);
    }
    expect(load({ ...ENV, QUEUE_URL: 'http://127.0.0.1:4566/123456789012/q.fifo' }).queueUrl).toBe(
      'http://127.0.0.1:4566/123456789012/q.fifo',
    );
  });

  it('needs the webhook secret in a worker too, which verifies the messages with it; QUEUE_URL is not its business', () => {
    expect(() =>
      loadWebhookConfig({ ...ENV, GITHUB_WEBHOOK_SECRET: undefined }, { role: 'worker' }),
    ).toThrowError(/GITHUB_WEBHOOK_SECRET is required and not set: .*the worker checks/);
    const worker = loadWebhookConfig({ ...ENV, QUEUE_URL: 'nonsense' }, { role: 'worker' });
    expect(worker.queueUrl).toBeUndefined();
    expect(worker.secrets).toEqual(loadWebhookConfig(ENV).secrets);
    expect(worker.secretValues).toContain('whsec-one');
    expect(() => loadWebhookConfig({ ...ENV, NEON_API_KEY: undefined }, { role: 'worker' })).toThrowError(
      /neon-api-key is required/,
    );
  });

  it('lists every configured repository for the scheduled reconcile', () => {
    const fromFile = load({ ...ENV, CONFIG_FILE: 'f.yaml' }, FILE).repositories();
    expect(fromFile.map((entry) => [entry.repository, entry.settings.neonProjectId])).toEqual([
      ['octo-org/shop', 'shop-project-1'],
      ['octo-org/Blog', 'blog-project-2'],
    ]);
    const fromEnvironment = load(ENV).repositories();
    expect(fromEnvironment).toEqual([{ repository: undefined, settings: load(ENV).settingsFor(undefined) }]);
  });
});
