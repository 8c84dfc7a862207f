import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/core/redact.js';
import type { Result } from '../../src/core/result.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import type { Delivery } from '../../src/webhook/delivery/types.js';
import { DeliveryMemory } from '../../src/webhook/run/dedupe.js';
import { work } from '../../src/webhook/run/job.js';
import { confirmCleanup } from '../../src/webhook/run/replay-guard.js';
import { GITHUB_TEST_TOKEN, type GitHubStandIn, startGitHubStandIn } from '../fakes/github-server.js';
import { classifiedDelivery } from '../fixtures/deliveries.js';
import { deleteOf, pullRequest } from '../fixtures/payloads.js';

/**
 * A captured `pull_request closed` (or branch `delete`) delivery sent again later must not delete a
 * live preview: with a GitHub token the webhook asks GitHub first, through the real Octokit.
 */
let github: GitHubStandIn;

beforeAll(async () => {
  github = await startGitHubStandIn({ owner: 'Codertocat', repo: 'Hello-World' });
});
afterAll(async () => {
  await github.close();
  // Every request fitted GitHub's description, and so did every answer (github-openapi.ts).
  expect(github.violations).toEqual([]);
});

const deliveryOf = classifiedDelivery;

function runOnce(delivery: Delivery) {
  const runs: string[] = [];
  const lines: string[] = [];
  const log = new JsonLogger({ redactor: new Redactor(), write: (line) => lines.push(line) });
  const outcome = work(delivery, {
    log,
    deliveries: new DeliveryMemory(),
    run: async (plan): Promise<Result> => {
      runs.push(plan.kind);
      return {
        kind: 'cleanup',
        gitBranch: plan.kind === 'cleanup' ? plan.gitBranch : '',
        dryRun: false,
        deleted: true,
      };
    },
    confirm: (d) => confirmCleanup(d, { apiUrl: github.url, log }),
  });
  return { outcome, runs, lines };
}

describe('replayed cleanup deliveries', () => {
  it('does not clean up when the pull request is open again on GitHub', async () => {
    const payload = pullRequest('closed', 'feat/replayed');
    github.addPullRequest({ head: 'feat/replayed', state: 'open' });
    payload.pull_request.number = github.repository().pulls.at(-1)?.number;
    const t = runOnce(deliveryOf('pull_request', payload, GITHUB_TEST_TOKEN));
    expect(await t.outcome).toEqual({ ok: true, outputs: { deleted: 'false' } });
    expect(t.runs).toEqual([]);
    expect(t.lines.join('\n')).toContain(`is open again on GitHub`);
    expect(github.requestsFor('pulls.get')).toHaveLength(1);
  });

  it('cleans up when GitHub says the pull request is still closed', async () => {
    const payload = pullRequest('closed', 'feat/closed');
    github.addPullRequest({ head: 'feat/closed', state: 'closed' });
    payload.pull_request.number = github.repository().pulls.at(-1)?.number;
    const t = runOnce(deliveryOf('pull_request', payload, GITHUB_TEST_TOKEN));
    expect((await t.outcome).ok).toBe(true);
    expect(t.runs).toEqual(['cleanup']);
  });

  it('does not clean up a deleted branch that exists again, and does when it is still gone', async () => {
    github.addBranch('feat/back');
    const back = runOnce(deliveryOf('delete', deleteOf('feat/back'), GITHUB_TEST_TOKEN));
    await back.outcome;
    expect(back.runs).toEqual([]);
    const gone = runOnce(deliveryOf('delete', deleteOf('feat/really-gone'), GITHUB_TEST_TOKEN));
    await gone.outcome;
    expect(gone.runs).toEqual(['cleanup']);
  });

  it('fails the delivery (to be retried) when GitHub cannot be asked, and deletes nothing', async () => {
    github.addPullRequest({ head: 'feat/unknown', state: 'closed' });
    const payload = pullRequest('closed', 'feat/unknown');
    payload.pull_request.number = github.repository().pulls.at(-1)?.number;
    const t = runOnce(deliveryOf('pull_request', payload, 'ghs_not_a_known_token_000000000000000'));
    const outcome = await t.outcome;
    expect(outcome.ok).toBe(false);
    expect(outcome).toMatchObject({ message: expect.stringContaining('Checking the delivery with GitHub') });
    expect(t.runs).toEqual([]);
  });

  it("refuses a pull request claim about another branch, or a fork's branch of the same name", async () => {
    const other = github.addPullRequest({ head: 'feat/other', state: 'closed' });
    const fork = github.addPullRequest({
      head: 'feat/live',
      headOwner: 'someone-else',
      state: 'closed',
    });
    for (const number of [other.number, fork.number]) {
      const payload = pullRequest('closed', 'feat/live');
      payload.pull_request.number = number;
      const t = runOnce(deliveryOf('pull_request', payload, GITHUB_TEST_TOKEN));
      expect(await t.outcome).toEqual({ ok: true, outputs: { deleted: 'false' } });
      expect(t.runs).toEqual([]);
      expect(t.lines.join('\n')).toContain(`is not about branch 'feat/live' of Codertocat/Hello-World`);
    }
  });

  it('refuses a cleanup without a claim, or with a deleted-branch claim about another branch', async () => {
    const unclaimed = deliveryOf('delete', deleteOf('feat/unclaimed'), GITHUB_TEST_TOKEN);
    unclaimed.claim = undefined;
    const elsewhere = deliveryOf('delete', deleteOf('feat/kept'), GITHUB_TEST_TOKEN);
    elsewhere.claim = { kind: 'branch-deleted', branch: 'feat/really-gone' };
    const before = github.requests.length;
    for (const delivery of [unclaimed, elsewhere]) {
      const t = runOnce(delivery);
      expect(await t.outcome).toEqual({ ok: true, outputs: { deleted: 'false' } });
      expect(t.runs).toEqual([]);
    }
    expect(github.requests.length).toBe(before);
  });

  it('without a token, takes the delivery as it is (the documented limit)', async () => {
    const before = github.requests.length;
    const t = runOnce(deliveryOf('delete', deleteOf('feat/no-token'), undefined));
    await t.outcome;
    expect(t.runs).toEqual(['cleanup']);
    expect(github.requests.length).toBe(before);
  });
});
