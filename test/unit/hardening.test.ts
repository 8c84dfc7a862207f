import { describe, expect, it } from 'vitest';
import { requireAmplify } from '../../src/core/amplify-settings.js';
import { SettingError, UsageError } from '../../src/core/errors.js';
import { makePlan } from '../../src/core/plan.js';
import { classifyGitHub } from '../../src/webhook/github/classify.js';
import { testSettings } from '../fakes/settings.js';
import { pushTo } from '../fixtures/payloads.js';

const settings = testSettings;

/** A real push payload for `branch`, verified, as the webhook's classify step sees it. */
function pushDelivery(branch: string) {
  return { ok: true as const, delivery: 'd-1', event: 'push', payload: pushTo(branch) };
}

describe('git branch names, one check for every front end', () => {
  // Each of these got a 202 from the webhook and a Neon branch before.
  it.each([['a..b'], ['with space'], ['new\nline'], ['nul\u0000byte'], ['esc\u001b[31m'], ['x/../../main']])(
    'the webhook refuses a push of %j before anything is created',
    (branch) => {
      const classified = classifyGitHub(pushDelivery(branch), { settingsFor: () => settings() });
      expect(classified.kind).toBe('unusable');
      expect(classified).toMatchObject({ error: expect.stringContaining('Invalid git-branch') });
    },
  );

  it('the webhook still takes an ordinary branch', () => {
    const classified = classifyGitHub(pushDelivery('feature/login'), { settingsFor: () => settings() });
    expect(classified).toMatchObject({
      kind: 'work',
      pieces: [{ plan: { kind: 'deploy', gitBranch: 'feature/login' } }],
    });
  });

  it('a deploy of a branch Amplify cannot hold (over 255 characters) fails in the plan, before any request', () => {
    const long = `feature/${'x'.repeat(292)}`;
    expect(() =>
      makePlan({ command: 'deploy', gitBranch: long }, settings(), { defaultBranch: 'main' }),
    ).toThrow(/300 characters; an Amplify branch name holds at most 255/);
    const atLimit = `f/${'x'.repeat(253)}`;
    expect(
      makePlan({ command: 'deploy', gitBranch: atLimit }, settings(), { defaultBranch: 'main' }).kind,
    ).toBe('deploy');
  });

  it('a cleanup of a long branch still runs: its Neon name is the hashed one', () => {
    const plan = makePlan({ command: 'cleanup', gitBranch: `f/${'y'.repeat(298)}` }, settings(), {
      defaultBranch: 'main',
    });
    expect(plan).toMatchObject({ kind: 'cleanup', neonBranchName: expect.stringMatching(/-[0-9a-f]{8}$/) });
  });
});

describe('neon-api-host', () => {
  it.each([
    ['http://neon.example.com/api/v2'],
    ['http://10.0.0.5/api/v2'],
    ['http://localhost.evil.com/api/v2'],
  ])('refuses plain http to %s, which would send the key in clear text', (host) => {
    expect(() => settings({ 'neon-api-host': host })).toThrow(
      new RegExp(
        `Invalid neon-api-host '${host.replace(/\./g, '\\.')}': plain http sends the API key in clear text`,
      ),
    );
  });

  it.each([
    ['http://127.0.0.1:4010/api/v2'],
    ['http://127.4.5.6/api/v2'],
    ['http://localhost:8080/api/v2'],
    ['http://[::1]:9/api/v2'],
    ['https://neon.example.com/api/v2'],
  ])('allows %s', (host) => {
    expect(settings({ 'neon-api-host': host }).neonApiHost).toBe(host);
  });
});

describe('timeout-minutes', () => {
  it('defaults to 10 and takes decimals', () => {
    expect(settings().timeoutMinutes).toBe(10);
    expect(settings({ 'timeout-minutes': '0.5' }).timeoutMinutes).toBe(0.5);
  });

  it.each([
    ['-1', 'a positive number of minutes'],
    ['0', 'more than 0'],
    ['abc', 'a positive number of minutes'],
  ])('refuses %s, saying what it must be', (value, expected) => {
    expect(() => settings({ 'timeout-minutes': value })).toThrow(`Invalid timeout-minutes '${value}'`);
    expect(() => settings({ 'timeout-minutes': value })).toThrow(expected);
  });

  it('job-timeout-minutes -1 says it must be positive', () => {
    expect(() => settings({ 'job-timeout-minutes': '-1' })).toThrow(/a positive number of minutes/);
  });
});

describe('amplify-app-id', () => {
  it('is needed only when the plan calls Amplify, and then named', () => {
    const s = settings({ 'amplify-app-id': '' });
    expect(s.amplifyAppId).toBeUndefined();
    expect(() => requireAmplify(s)).toThrow(SettingError);
    expect(() => requireAmplify(s)).toThrow('Input required and not supplied: amplify-app-id');
    const cleanup = makePlan({ command: 'cleanup', gitBranch: 'feat/x' }, s, { defaultBranch: 'main' });
    expect(cleanup).toMatchObject({
      kind: 'cleanup',
      clearAmplifyVariables: false,
      deleteAmplifyBranch: false,
    });
  });

  it('a malformed one is still an error', () => {
    expect(() => settings({ 'amplify-app-id': 'app 1' })).toThrow(UsageError);
  });
});
