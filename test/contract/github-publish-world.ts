import { afterEach, expect } from 'vitest';
import { makePlan, type Plan } from '../../src/core/plan.js';
import type { Logger } from '../../src/core/ports.js';
import type { DeployResult, Result } from '../../src/core/result.js';
import { parseSettings, type Settings } from '../../src/core/settings.js';
import { githubTarget } from '../../src/github/target.js';
import { runAndPublish } from '../../src/publishing.js';
import type { RunOptions } from '../../src/runner.js';
import { GITHUB_TEST_TOKEN, type GitHubStandIn, startGitHubStandIn } from '../fakes/github-server.js';

/**
 * What the tests of the run reported on GitHub share (github-publish*.test.ts): the stand-in, the
 * settings, and a core that does what a deploy does from GitHub's point of view.
 */

const API_KEY = 'napi_secretKeyThatMustNeverLeave0001';
const PASSWORD = 'npg_PreviewPassword01';
const URL_ = `postgresql://neondb_owner:${PASSWORD}@ep-calm-1-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require`;

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

export interface World extends ReturnType<typeof memoryLog> {
  standIn: GitHubStandIn;
  /** The head of `feat/login`, the branch every run reports on. */
  sha: string;
}

/**
 * A `world` for the tests of one file, called once at its top: a GitHub stand-in with the branch
 * `feat/login`, closed after each test once it is checked for violations and for any secret sent.
 */
export function publishWorlds(): (tokens?: Parameters<typeof startGitHubStandIn>[0]) => Promise<World> {
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
  return async (tokens = {}) => {
    const standIn = await startGitHubStandIn(tokens);
    running.push(standIn);
    const sha = standIn.addBranch('feat/login');
    return { standIn, sha, ...memoryLog() };
  };
}

export function settingsOf(extra: Record<string, string> = {}): Settings {
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

export function deployResult(status: 'PENDING' | 'SUCCEED' | 'FAILED', schemaDiff?: string): DeployResult {
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

export interface Publish {
  w: World;
  settings?: Settings;
  /** What the core does: by default the job starts, then the deploy ends SUCCEED. */
  core?: (options: RunOptions) => Promise<Result>;
  token?: string;
  command?: 'deploy' | 'cleanup';
  pullNumbers?: number[];
}

export async function publish(input: Publish): Promise<Result> {
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
