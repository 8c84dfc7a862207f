/**
 * The run reported on GitHub (src/publishing.ts and src/github/publish.ts) through the real Octokit
 * against the strict GitHub stand-in. The core is replaced by a run that does what a deploy does
 * from GitHub's point of view: it calls `onJobStarted`, then ends (or fails) with a result.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AmplifyJobError } from '../../src/core/executor.js';
import { makePlan, type Plan } from '../../src/core/plan.js';
import type { Logger } from '../../src/core/ports.js';
import type { CleanupResult, DeployResult, Result } from '../../src/core/result.js';
import { parseSettings, type Settings } from '../../src/core/settings.js';
import { commentMarker } from '../../src/github/comment-marker.js';
import { githubTarget } from '../../src/github/target.js';
import { runAndPublish } from '../../src/publishing.js';
import type { RunOptions } from '../../src/runner.js';
import { GITHUB_TEST_TOKEN, type GitHubStandIn, startGitHubStandIn } from '../fakes/github-server.js';

const API_KEY = 'napi_secretKeyThatMustNeverLeave0001';
const PASSWORD = 'npg_PreviewPassword01';
const URL_ = `postgresql://neondb_owner:${PASSWORD}@ep-calm-1-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require`;

const running: GitHubStandIn[] = [];
afterEach(async () => {
  for (const standIn of running.splice(0)) {
    expect(standIn.violations).toEqual([]);
    // No secret in any request body sent to GitHub, whatever the test did.
    const leaks = standIn.requests.filter((r) =>
      [API_KEY, PASSWORD, URL_].some((s) => r.rawBody.includes(s)),
    );
    expect(leaks).toEqual([]);
    await standIn.close();
  }
});

function memoryLog() {
  const lines: string[] = [];
  const log: Logger = {
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: () => {},
  };
  return {
    log,
    lines,
    warnings: () => lines.filter((l) => l.startsWith('warning: ')).map((l) => l.slice(9)),
  };
}

async function world(tokens: Parameters<typeof startGitHubStandIn>[0] = {}) {
  const standIn = await startGitHubStandIn(tokens);
  running.push(standIn);
  const sha = standIn.addBranch('feat/login');
  return { standIn, sha, ...memoryLog() };
}

function settingsOf(extra: Record<string, string> = {}): Settings {
  const inputs: Record<string, string> = {
    'neon-api-key': API_KEY,
    'neon-project-id': 'calm-sun-123456',
    'amplify-app-id': 'd1a2b3c4d5e6f7',
    'aws-region': 'us-east-1',
    'github-token': GITHUB_TEST_TOKEN,
    ...extra,
  };
  return parseSettings((name) => inputs[name]);
}

function deployResult(status: 'PENDING' | 'SUCCEED' | 'FAILED', schemaDiff?: string): DeployResult {
  return {
    kind: 'deploy',
    gitBranch: 'feat/login',
    dryRun: false,
    neonBranch: { id: 'br-calm-1', name: 'preview/feat/login', parentId: 'br-main-1' },
    parent: { id: 'br-main-1', name: 'main' },
    created: true,
    connection: { url: URL_, host: 'ep-calm-1-pooler.us-east-2.aws.neon.tech' },
    previewUrl: 'https://feat-login.d1a2b3c4d5e6f7.amplifyapp.com',
    job: { id: '7', status },
    schemaDiff,
  };
}

interface Publish {
  w: Awaited<ReturnType<typeof world>>;
  settings?: Settings;
  /** What the core does: by default the job starts, then the deploy ends SUCCEED. */
  core?: (options: RunOptions) => Promise<Result>;
  token?: string;
  command?: 'deploy' | 'cleanup';
  pullNumbers?: number[];
}

async function publish(input: Publish): Promise<Result> {
  const settings = input.settings ?? settingsOf();
  const plan: Plan = makePlan({ command: input.command ?? 'deploy', gitBranch: 'feat/login' }, settings, {
    defaultBranch: 'main',
  });
  const github = githubTarget({
    token: input.token ?? GITHUB_TEST_TOKEN,
    apiUrl: input.w.standIn.url,
    repository: `${input.w.standIn.owner}/${input.w.standIn.repo}`,
    sha: input.w.sha,
  });
  const target = github && { ...github, pullNumbers: input.pullNumbers };
  const core =
    input.core ??
    (async (options: RunOptions) => {
      await options.onJobStarted?.(deployResult('PENDING'));
      return deployResult('SUCCEED', '+CREATE TABLE shows (id int);\n');
    });
  return runAndPublish(
    plan,
    { settings, log: input.w.log, secret: () => {}, github: target },
    (_p, options) => core(options),
  );
}

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

describe('permissions and switches', () => {
  it('a token without pull-requests: write or deployments: write gets warnings naming them, and the run succeeds', async () => {
    const w = await world({
      tokens: { ghs_readonly: { permissions: { 'pull-requests': 'read', contents: 'read' } } },
    });
    w.standIn.addPullRequest({ head: 'feat/login' });
    const result = await publish({ w, token: 'ghs_readonly' });

    expect(result.kind).toBe('deploy');
    const warnings = w.warnings();
    expect(warnings.some((m) => m.includes('lacks the permission `pull-requests: write`'))).toBe(true);
    expect(warnings.some((m) => m.includes('lacks the permission `deployments: write`'))).toBe(true);
    expect(w.standIn.deployments()).toEqual([]);
  });

  it('comment-on-pr: false and create-deployment: false send no GitHub request at all', async () => {
    const w = await world();
    w.standIn.addPullRequest({ head: 'feat/login' });
    const settings = settingsOf({ 'comment-on-pr': 'false', 'create-deployment': 'false' });
    await publish({ w, settings });
    await publish({ w, settings, command: 'cleanup', core: async () => cleanupResult() });
    expect(w.standIn.requests).toEqual([]);
  });

  it('create-deployment: false still comments, and never touches deployments, on deploy or cleanup', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    const settings = settingsOf({ 'create-deployment': 'false' });
    await publish({ w, settings });
    await publish({ w, settings, command: 'cleanup', core: async () => cleanupResult() });
    expect(w.standIn.comments(pull.number)).toHaveLength(1);
    expect(w.standIn.requests.filter((r) => r.route?.startsWith('repos.'))).toEqual([]);
  });

  it('a dry run sends nothing to GitHub', async () => {
    const w = await world();
    await publish({ w, settings: settingsOf({ 'dry-run': 'true' }) });
    expect(w.standIn.requests).toEqual([]);
  });

  it('comment-on-pr: false still makes the deployment, and never lists pull requests', async () => {
    const w = await world();
    w.standIn.addPullRequest({ head: 'feat/login' });
    await publish({ w, settings: settingsOf({ 'comment-on-pr': 'false' }) });
    expect(new Set(w.standIn.requests.map((r) => r.route))).toEqual(
      new Set(['repos.createDeployment', 'repos.createDeploymentStatus']),
    );
  });
});

function cleanupResult(): CleanupResult {
  return {
    kind: 'cleanup',
    gitBranch: 'feat/login',
    dryRun: false,
    neonBranch: { id: 'br-calm-1', name: 'preview/feat/login' },
    deleted: true,
  };
}

describe('cleanup', () => {
  it('edits the comment to say the branch was deleted and marks every deployment inactive', async () => {
    const w = await world();
    const pull = w.standIn.addPullRequest({ head: 'feat/login' });
    await publish({ w });
    await publish({ w });
    pull.state = 'closed';

    const result = await publish({
      w,
      command: 'cleanup',
      pullNumbers: [pull.number],
      core: async () => cleanupResult(),
    });

    const [comment] = w.standIn.comments(pull.number);
    expect(w.standIn.comments(pull.number)).toHaveLength(1);
    expect(comment?.body).toContain('was deleted: the pull request was closed');
    // The event named the pull request: no lookup for the cleanup (one per deploy before it).
    expect(w.standIn.requestsFor('pulls.list')).toHaveLength(2);
    expect(result.kind === 'cleanup' && result.github?.commentUrl).toMatch(/#issuecomment-/);
    const deployments = w.standIn.deployments('preview/feat/login');
    expect(deployments).toHaveLength(2);
    expect(deployments.map((d) => w.standIn.latestState(d))).toEqual(['inactive', 'inactive']);
  });

  it('never creates a comment where there was none', async () => {
    const w = await world();
    w.standIn.addPullRequest({ head: 'feat/login', state: 'closed' });
    await publish({ w, command: 'cleanup', core: async () => cleanupResult() });
    expect(w.standIn.requestsFor('issues.createComment')).toHaveLength(0);
    expect(w.standIn.requestsFor('pulls.list')[0]?.query.state).toBe('all');
  });
});
