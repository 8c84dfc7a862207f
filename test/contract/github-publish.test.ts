/**
 * The run reported on GitHub (src/publishing.ts and src/github/publish.ts) through the real Octokit
 * against the strict GitHub stand-in. The core is replaced by a run that does what a deploy does
 * from GitHub's point of view: it calls `onJobStarted`, then ends (or fails) with a result. The
 * permissions, the switches and cleanup are in github-publish-cleanup.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { AmplifyJobError } from '../../src/core/executor.js';
import type { DeployResult } from '../../src/core/result.js';
import { commentMarker } from '../../src/github/comment-marker.js';
import { deployResult, publish, publishWorlds, settingsOf } from './github-publish-world.js';

const world = publishWorlds();

describe('the pull request comment', () => {
  it('is created on the first run and edited in place on the second, on the open pull request of the branch', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    w.standIn.addPullRequest({ head: 'feat/other' });

    const first = (await publish({ w })) as DeployResult;
    const [created] = w.standIn.comments(pull.number);
    expect(w.standIn.comments(pull.number)).toHaveLength(1);
    expect(created?.body.split('\n')[0]).toBe(commentMarker('feat/login'));
    expect(created?.body).toContain('`preview/feat/login`');
    expect(created?.body).toContain('job `7`');
    expect(created?.body).toContain('SUCCEED');
    expect(created?.body).toContain('+CREATE TABLE shows (id int);');
    expect(created?.body).toContain('ep-calm-1-pooler.us-east-2.aws.neon.tech');
    expect(first.github?.commentUrl).toMatch(/#issuecomment-\d+$/);

    await publish({ w, core: async () => deployResult('PENDING') });
    const after = w.standIn.comments(pull.number);
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(created?.id);
    expect(after[0]?.body).toContain('PENDING');
    expect(after[0]?.body).not.toContain('CREATE TABLE');
    expect(w.standIn.requestsFor('issues.createComment')).toHaveLength(1);
    // The pull requests are looked up once per run, with the owner in `head`.
    expect(w.standIn.requestsFor('pulls.list').map((r) => r.query.head)).toEqual([
      `${w.standIn.owner}:feat/login`,
      `${w.standIn.owner}:feat/login`,
    ]);
  });

  it('two concurrent runs end with one comment', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    // Both runs have looked and found nothing before either create goes through.
    w.standIn.injectFault({
      route: 'issues.createComment',
      times: 2,
      action: { kind: 'barrier', parties: 2 },
    });
    const quiet = async () => deployResult('SUCCEED');
    await Promise.all([publish({ w, core: quiet }), publish({ w, core: quiet })]);
    expect(w.standIn.requestsFor('issues.createComment')).toHaveLength(2);
    expect(w.standIn.comments(pull.number)).toHaveLength(1);
  });

  it('a push without a pull request writes no comment and raises no warning', async () => {
    const w = await world();
    const result = (await publish({ w })) as DeployResult;
    expect(w.standIn.requestsFor('issues.createComment')).toHaveLength(0);
    expect(result.github?.commentUrl).toBeUndefined();
    expect(w.warnings()).toEqual([]);
    expect(w.lines).toContain("No open pull request has 'feat/login' as its head: no comment");
  });
});

describe('the deployment', () => {
  it('goes in_progress when the job starts (log_url: the Amplify console), then success with the preview URL', async () => {
    const w = await world();
    let statusesAtStart: string[] = [];
    const result = (await publish({
      w,
      core: async (options) => {
        await options.onJobStarted?.(deployResult('PENDING'));
        statusesAtStart = w.standIn
          .deployments('preview/feat/login')
          .flatMap((d) => d.statuses.map((s) => s.state));
        return deployResult('SUCCEED');
      },
    })) as DeployResult;

    expect(statusesAtStart).toEqual(['in_progress']);
    const [deployment] = w.standIn.deployments('preview/feat/login');
    expect(deployment).toMatchObject({ sha: w.sha, ref: w.sha, transient: true, production: false });
    expect(deployment?.statuses.map((s) => [s.state, s.logUrl, s.environmentUrl])).toEqual([
      [
        'in_progress',
        'https://us-east-1.console.aws.amazon.com/amplify/apps/d1a2b3c4d5e6f7/branches/feat%2Flogin/deployments',
        '',
      ],
      [
        'success',
        'https://us-east-1.console.aws.amazon.com/amplify/apps/d1a2b3c4d5e6f7/branches/feat%2Flogin/deployments',
        'https://feat-login.d1a2b3c4d5e6f7.amplifyapp.com',
      ],
    ]);
    expect(result.github?.deploymentId).toBe(deployment?.id);
  });

  it('gets failure when wait-for-job saw the build fail, and the comment shows FAILED', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    const settings = settingsOf({ 'wait-for-job': 'true' });
    const error = await publish({
      w,
      settings,
      core: async (options) => {
        await options.onJobStarted?.(deployResult('PENDING'));
        throw new AmplifyJobError('Amplify job 7 ended FAILED at step BUILD', deployResult('FAILED'), false);
      },
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AmplifyJobError);
    // The outcome is attached to the result the error carries, for the outputs.
    expect((error as AmplifyJobError).result.github?.deploymentId).toBeGreaterThan(0);
    const [deployment] = w.standIn.deployments('preview/feat/login');
    expect(deployment?.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    expect(w.standIn.comments(pull.number)[0]?.body).toContain('FAILED');
  });

  it('gets error when the build outlasted job-timeout-minutes', async () => {
    const w = await world();
    await publish({
      w,
      core: async (options) => {
        await options.onJobStarted?.(deployResult('PENDING'));
        throw new AmplifyJobError('did not end', { ...deployResult('PENDING') }, true);
      },
    }).catch(() => undefined);
    const [deployment] = w.standIn.deployments('preview/feat/login');
    expect(deployment?.statuses.map((s) => [s.state, s.description])).toEqual([
      ['in_progress', 'Amplify job 7 is building'],
      ['error', 'Amplify job 7 did not end in time'],
    ]);
  });

  it('is not created when no job started', async () => {
    const w = await world();
    await publish({ w, core: async () => ({ ...deployResult('PENDING'), job: undefined }) });
    expect(w.standIn.requestsFor('repos.createDeployment')).toHaveLength(0);
  });
});
