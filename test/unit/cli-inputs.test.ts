import { describe, expect, it } from 'vitest';
import type { CliOptions } from '../../src/cli/args.js';
import { CliUsageError } from '../../src/cli/commands.js';
import { amplifyBuild, keySource, settingReader } from '../../src/cli/inputs.js';
import { parseSettings } from '../../src/core/settings.js';

function cli(settings: CliOptions['settings'] = {}, ssmParameter?: string): CliOptions {
  return {
    settings,
    ssmParameter,
    writeEnv: undefined,
    output: 'text',
    includeDatabaseUrl: false,
    verbose: false,
  };
}

const BUILD = { AWS_APP_ID: 'd0build', AWS_BRANCH: 'feat/from-build' };

describe('amplifyBuild', () => {
  it('is a build only when Amplify set both variables', () => {
    expect(amplifyBuild(BUILD)).toEqual({ appId: 'd0build', branch: 'feat/from-build' });
    expect(amplifyBuild({ AWS_APP_ID: 'd0build' })).toBeUndefined();
    expect(amplifyBuild({ AWS_APP_ID: 'd0build', AWS_BRANCH: ' ' })).toBeUndefined();
  });
});

describe('settingReader', () => {
  it('flag, then the upper-snake variable', () => {
    const env = { AMPLIFY_APP_ID: 'd0env', GIT_BRANCH: 'feat/env', ON_RUNNING_JOB: 'wait', POOLED: 'false' };
    const read = settingReader(cli({ 'amplify-app-id': 'd0flag' }), env, undefined);
    expect(read('amplify-app-id')).toBe('d0flag');
    expect(read('git-branch')).toBe('feat/env');
    expect(read('on-running-job')).toBe('wait');
    expect(read('pooled')).toBe('false');
    expect(read('database')).toBeUndefined();
  });

  it("inside an Amplify build, app and branch: the flag, then the build's own variables", () => {
    const env = { ...BUILD, AMPLIFY_APP_ID: 'd0env', GIT_BRANCH: 'origin/feat' };
    const build = amplifyBuild(env);
    expect(settingReader(cli(), env, build)('amplify-app-id')).toBe('d0build');
    expect(settingReader(cli(), env, build)('git-branch')).toBe('feat/from-build');
    expect(settingReader(cli({ 'git-branch': 'feat/flag' }), env, build)('git-branch')).toBe('feat/flag');
  });

  it('never reads COMMAND: the command is the positional argument', () => {
    expect(settingReader(cli(), { COMMAND: 'cleanup' }, undefined)('command')).toBeUndefined();
  });

  it('treats an empty variable or flag as unset, but an empty --branch-prefix as a choice', () => {
    const env = { BRANCH_PREFIX: '', ROLE: 'from_env', DATABASE: '  ' };
    const read = settingReader(cli({ role: '' }), env, undefined);
    expect(read('branch-prefix')).toBeUndefined();
    expect(read('role')).toBe('from_env');
    expect(read('database')).toBeUndefined();
    expect(settingReader(cli({ 'branch-prefix': '' }), env, undefined)('branch-prefix')).toBe('');
  });

  it('feeds parseSettings: AWS_REGION and the build give region, app and branch', () => {
    const env = { ...BUILD, AWS_REGION: 'eu-west-1', NEON_PROJECT_ID: 'calm-sun-123456', NEON_API_KEY: 'k' };
    const settings = parseSettings(settingReader(cli(), env, amplifyBuild(env)), env);
    expect(settings).toMatchObject({
      amplifyAppId: 'd0build',
      gitBranch: 'feat/from-build',
      awsRegion: 'eu-west-1',
      branchPrefix: 'preview/',
      neonApiKey: 'k',
    });
  });
});

describe('keySource', () => {
  it('a flag before the environment; at each level the key or the SSM parameter', () => {
    expect(
      keySource(cli({ 'neon-api-key': 'flag-key' }), { NEON_API_KEY_SSM_PARAMETER: '/p' }, 'deploy'),
    ).toEqual({
      kind: 'value',
      value: 'flag-key',
    });
    expect(keySource(cli({}, '/flag'), { NEON_API_KEY: 'env-key' }, 'deploy')).toEqual({
      kind: 'ssm',
      parameter: '/flag',
    });
    expect(keySource(cli(), { NEON_API_KEY: 'env-key' }, 'deploy')).toEqual({
      kind: 'value',
      value: 'env-key',
    });
    expect(keySource(cli(), { NEON_API_KEY_SSM_PARAMETER: ' /env ' }, 'deploy')).toEqual({
      kind: 'ssm',
      parameter: '/env',
    });
  });

  it('refuses both at one level, and none at all, naming the ways to give one', () => {
    expect(() => keySource(cli({ 'neon-api-key': 'k' }, '/p'), {}, 'deploy')).toThrow(
      '--neon-api-key and --neon-api-key-ssm-parameter are both set',
    );
    expect(() =>
      keySource(cli(), { NEON_API_KEY: 'k', NEON_API_KEY_SSM_PARAMETER: '/p' }, 'cleanup'),
    ).toThrow('NEON_API_KEY and NEON_API_KEY_SSM_PARAMETER are both set');
    const error = (() => {
      try {
        keySource(cli({ 'neon-api-key': '' }), { NEON_API_KEY: '' }, 'reconcile');
      } catch (caught) {
        return caught as CliUsageError;
      }
    })();
    expect(error).toBeInstanceOf(CliUsageError);
    expect(error?.message).toMatch(/^No Neon API key: give --neon-api-key-ssm-parameter NAME/);
    expect(error?.command).toBe('reconcile');
  });
});
