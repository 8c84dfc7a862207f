import { describe, expect, it } from 'vitest';
import { amplifyTarget, regionFromEnvironment, requireRegion } from '../../src/core/amplify-settings.js';
import { UsageError } from '../../src/core/errors.js';
import type { InputName } from '../../src/core/setting-names.js';
import { joinList, parseBoolean, splitList } from '../../src/core/setting-parsers.js';
import { parseSettings } from '../../src/core/settings.js';

const required = {
  'neon-api-key': 'napi_secret123',
  'neon-project-id': 'calm-sun-123456',
  'amplify-app-id': 'd1a2b3c4d5e6f7',
};

function parse(inputs: Partial<Record<InputName, string>>, env = {}) {
  return parseSettings((name) => inputs[name], env);
}

describe('parseSettings', () => {
  it('applies the defaults action.yml documents', () => {
    const settings = parse(required, { AWS_REGION: 'eu-west-1' });
    expect(settings).toMatchObject({
      neonApiHost: 'https://console.neon.tech/api/v2',
      awsRegion: 'eu-west-1',
      command: 'auto',
      branchPrefix: 'preview/',
      pooled: true,
      envVarName: 'DATABASE_URL',
      primaryBranches: undefined,
      createAmplifyBranch: true,
      startJob: true,
      onRunningJob: 'replace',
      jobTimeoutMinutes: 30,
      deleteAmplifyBranch: false,
      dryRun: false,
    });
  });

  it.each([
    ['neon-api-key', 'Input required and not supplied: neon-api-key'],
    ['neon-project-id', 'Input required and not supplied: neon-project-id'],
  ] as const)('names a missing required input: %s', (name, message) => {
    const missing = () => parse({ ...required, [name]: '' });
    expect(missing).toThrowError(UsageError);
    expect(missing).toThrowError(message);
  });

  it('never quotes the API key, even a malformed one', () => {
    const malformed = () => parse({ ...required, 'neon-api-key': 'napi oops' });
    expect(malformed).toThrowError(UsageError);
    expect(malformed).toThrowError('neon-api-key');
    expect(malformed).toThrowError(expect.objectContaining({ message: expect.not.stringContaining('oops') }));
  });

  it.each([
    ['neon-project-id', 'Not A Project', "Invalid neon-project-id 'Not A Project'"],
    ['amplify-app-id', 'app-123', "Invalid amplify-app-id 'app-123'"],
    [
      'neon-api-host',
      'console.neon.tech',
      "Invalid neon-api-host 'console.neon.tech': expected an https URL",
    ],
    ['neon-api-host', 'ftp://x', "Invalid neon-api-host 'ftp://x'"],
    ['aws-region', 'Frankfurt', "Invalid aws-region 'Frankfurt': expected an AWS region"],
    ['command', 'destroy', "Invalid command 'destroy': expected one of auto, deploy, cleanup, reconcile"],
    ['pooled', 'ture', "Invalid pooled 'ture': expected true or false"],
    ['dry-run', 'yes', "Invalid dry-run 'yes': expected true or false"],
    ['on-running-job', 'kill', "Invalid on-running-job 'kill': expected one of replace, wait, skip"],
    ['env-var-name', 'AWS_DB', "Invalid env-var-name 'AWS_DB'"],
    ['env-var-name', 'DATABASE-URL', "Invalid env-var-name 'DATABASE-URL'"],
    [
      'branch-prefix',
      'x y',
      "Invalid branch-prefix 'x y': expected characters allowed in a Neon branch name",
    ],
    ['git-branch', 'a..b', "Invalid git-branch 'a..b'"],
    ['primary-branches', 'main, bad branch', "Invalid primary-branches 'bad branch'"],
    ['job-timeout-minutes', '0', "Invalid job-timeout-minutes '0'"],
    ['job-timeout-minutes', 'ten', "Invalid job-timeout-minutes 'ten'"],
  ] as const)('rejects %s = %j with a message naming it and the expected form', (name, value, message) => {
    const invalid = () => parse({ ...required, [name]: value });
    expect(invalid).toThrowError(UsageError);
    expect(invalid).toThrowError(message);
  });

  it('takes the region from aws-region, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(parse({ ...required, 'aws-region': 'us-west-2' }, { AWS_REGION: 'eu-west-1' }).awsRegion).toBe(
      'us-west-2',
    );
    expect(parse(required, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-east-1' }).awsRegion).toBe(
      'eu-west-1',
    );
    expect(parse(required, { AWS_DEFAULT_REGION: 'us-east-1' }).awsRegion).toBe('us-east-1');
    expect(() => requireRegion(parse(required))).toThrow(
      /No AWS region: set the aws-region input, or AWS_REGION/,
    );
  });

  it('splits primary branches on commas and new lines', () => {
    expect(
      parse({ ...required, 'primary-branches': 'main, develop\nrelease/1.x\n' }).primaryBranches,
    ).toEqual(['main', 'develop', 'release/1.x']);
  });

  it('tells a missing branch-prefix (default) from an explicitly empty one', () => {
    expect(parse(required).branchPrefix).toBe('preview/');
    expect(parse({ ...required, 'branch-prefix': '' }).branchPrefix).toBe('');
    expect(parse({ ...required, 'branch-prefix': 'pr-' }).branchPrefix).toBe('pr-');
  });

  it('strips refs/heads/ from git-branch and a trailing slash from the API host', () => {
    const settings = parse({
      ...required,
      'git-branch': 'refs/heads/feat/x',
      'neon-api-host': 'http://127.0.0.1:9/api/v2/',
    });
    expect(settings.gitBranch).toBe('feat/x');
    expect(settings.neonApiHost).toBe('http://127.0.0.1:9/api/v2');
  });
});

describe('parseBoolean', () => {
  it.each(['true', 'True', 'TRUE'])('reads %s as true', (v) => expect(parseBoolean('x', v)).toBe(true));
  it.each(['false', 'False', 'FALSE'])('reads %s as false', (v) => expect(parseBoolean('x', v)).toBe(false));
  it.each(['ture', '1', 'yes', 'on'])('refuses %s', (v) =>
    expect(() => parseBoolean('x', v)).toThrow(UsageError),
  );
});

describe('the Amplify target', () => {
  it('is the app and the region, or the first of them that is not set', () => {
    expect(amplifyTarget({ amplifyAppId: undefined, awsRegion: 'us-east-1' })).toEqual({
      missing: 'amplify-app-id',
    });
    expect(amplifyTarget({ amplifyAppId: 'd1', awsRegion: undefined })).toEqual({ missing: 'aws-region' });
    expect(amplifyTarget({ amplifyAppId: 'd1', awsRegion: 'us-east-1' })).toEqual({
      appId: 'd1',
      region: 'us-east-1',
    });
  });

  it('takes the region from AWS_REGION, then AWS_DEFAULT_REGION; a blank one is not set', () => {
    expect(regionFromEnvironment({ AWS_REGION: ' ', AWS_DEFAULT_REGION: 'eu-west-1' })).toBe('eu-west-1');
    expect(regionFromEnvironment({ AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'eu-west-1' })).toBe(
      'us-east-2',
    );
    expect(regionFromEnvironment({})).toBeUndefined();
  });
});

describe('list settings', () => {
  it('split at commas and new lines, blanks skipped', () => {
    expect(splitList(' main, release/1\n\n develop ,')).toEqual(['main', 'release/1', 'develop']);
  });

  it('read back the items a front end joined (repeated flags, a YAML list)', () => {
    expect(splitList(joinList(['main', 'release/1']))).toEqual(['main', 'release/1']);
    expect(parse({ ...required, 'primary-branches': joinList(['main', 'develop']) }).primaryBranches).toEqual(
      ['main', 'develop'],
    );
  });
});
