/**
 * The webhook reports on GitHub like the action when its settings carry a `github-token`
 * (GITHUB_TOKEN, or CONFIG_FILE's `github-token`): the delivery's repository, the push's commit,
 * the closed pull request's number. The core is replaced by a run that starts a job and ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.js';
import { Redactor } from '../../src/core/redact.js';
import type { DeployResult, Result } from '../../src/core/result.js';
import { type PublishedRunOptions, runAndPublish } from '../../src/publishing.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import type { Delivery } from '../../src/webhook/delivery/types.js';
import { DeliveryMemory } from '../../src/webhook/run/dedupe.js';
import { work } from '../../src/webhook/run/job.js';
import { GITHUB_TEST_TOKEN, type GitHubStandIn, startGitHubStandIn } from '../fakes/github-server.js';
import { classifiedDelivery } from '../fixtures/deliveries.js';
import { pullRequest, pushTo } from '../fixtures/payloads.js';

let github: GitHubStandIn;
beforeAll(async () => {
  github = await startGitHubStandIn({ owner: 'Codertocat', repo: 'Hello-World', defaultBranch: 'master' });
});
afterAll(async () => {
  await github.close();
  // Every request fitted GitHub's description, and so did every answer (github-openapi.ts).
  expect(github.violations).toEqual([]);
});

const deliveryOf = classifiedDelivery;

/** What the core returns, after announcing the job as a deploy does. */
async function core(plan: Plan, options: PublishedRunOptions): Promise<Result> {
  if (plan.kind === 'cleanup') {
    return { kind: 'cleanup', gitBranch: plan.gitBranch, dryRun: false, deleted: true };
  }
  if (plan.kind !== 'deploy') throw new Error(`unexpected ${plan.kind}`);
  const result: DeployResult = {
    kind: 'deploy',
    gitBranch: plan.gitBranch,
    dryRun: false,
    neonBranch: { id: 'br-calm-1', name: plan.neonBranchName },
    created: true,
    previewUrl: 'https://feat-hook.d1a2b3c4d5e6f7.amplifyapp.com',
    job: { id: '3', status: 'PENDING' },
  };
  await options.onJobStarted?.(result);
  return result;
}

function runWork(delivery: Delivery) {
  const lines: string[] = [];
  const log = new JsonLogger({ redactor: new Redactor(), write: (line) => lines.push(line) });
  return work(delivery, {
    log,
    deliveries: new DeliveryMemory(),
    run: (plan, options) => runAndPublish(plan, options, core),
    confirm: async () => ({ ok: true }),
    githubApiUrl: github.url,
  });
}

describe('the webhook on GitHub', () => {
  it('with a token: the push gets a deployment of its commit and a comment on the pull request', async () => {
    const payload = pushTo('feat/hook');
    github.addBranch('feat/hook', { sha: payload.after });
    const pull = github.addPullRequest({ head: 'feat/hook' });

    const outcome = await runWork(deliveryOf('push', payload, GITHUB_TEST_TOKEN));

    expect(outcome).toMatchObject({ ok: true, outputs: { 'deployment-id': expect.any(String) } });
    const [deployment] = github.deployments('preview/feat/hook');
    expect(deployment?.sha).toBe(payload.after);
    expect(deployment?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(github.comments(pull.number)).toHaveLength(1);
    expect(outcome.ok && outcome.outputs['comment-url']).toMatch(/#issuecomment-/);

    // The pull request closes: its comment says the branch was deleted, the deployment goes inactive.
    const closed = pullRequest('closed', 'feat/hook');
    closed.pull_request.number = pull.number;
    await runWork(deliveryOf('pull_request', closed, GITHUB_TEST_TOKEN));
    expect(github.comments(pull.number)[0]?.body).toContain('the pull request was closed');
    expect(github.deployments('preview/feat/hook').map((d) => github.latestState(d))).toEqual(['inactive']);
  });

  it('without a token: not a single GitHub request', async () => {
    const before = github.requests.length;
    const payload = pushTo('feat/quiet');
    const outcome = await runWork(deliveryOf('push', payload, undefined));
    expect(outcome.ok).toBe(true);
    expect(github.requests.length).toBe(before);
  });
});
