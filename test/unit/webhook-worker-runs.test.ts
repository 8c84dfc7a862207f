import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.js';
import { Redactor } from '../../src/core/redact.js';
import type { PublishedRunOptions } from '../../src/publishing.js';
import type { RunOptions } from '../../src/runner.js';
import { loadWebhookConfig } from '../../src/webhook/config/config.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import type { QueueMessage } from '../../src/webhook/sqs/message.js';
import { createWorker } from '../../src/webhook/sqs/worker.js';
import { batch, ENV, harness, message, none, record } from './webhook-worker-harness.js';

describe('the worker on an SQS batch, its runs', () => {
  it('does each piece of a delivery with several once: a piece is known by its own id', async () => {
    const branches: string[] = [];
    const { worker } = harness(async (plan) => {
      if (plan.kind === 'deploy') branches.push(plan.gitBranch);
      return none;
    });
    const piece = (branch: string) => ({
      ...message('deploy', branch, 'd-pieces'),
      workId: `d-pieces:${branch}`,
    });
    const answer = await worker.handle(batch(record(piece('a')), record(piece('b')), record(piece('a'))));
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(branches).toEqual(['a', 'b']);
  });

  it("plans again under the worker's settings: its prefix, its primary branches", async () => {
    const plans: Plan[] = [];
    const { worker, lines } = harness(
      async (plan) => {
        plans.push(plan);
        return none;
      },
      { BRANCH_PREFIX: 'pr-', PRIMARY_BRANCHES: 'main,release' },
    );

    await worker.handle(batch(record(message('deploy', 'a')), record(message('cleanup', 'release'))));

    expect(plans).toEqual([{ kind: 'deploy', gitBranch: 'a', neonBranchName: 'pr-a', primary: false }]);
    expect(lines().find((line) => line.planned !== undefined)?.msg).toMatch(/another plan/);
    expect(lines().find((line) => line.outcome === 'ignored')?.msg).toMatch(/'release' is a primary branch/);
  });

  it('keeps the push that created the git branch a create-first deploy, as the receiver planned it', async () => {
    const plans: Plan[] = [];
    const { worker, lines } = harness(async (plan) => {
      plans.push(plan);
      return none;
    });
    const created = message('deploy', 'fresh');
    created.plan = { ...created.plan, newInGit: true } as QueueMessage['plan'];

    await worker.handle(batch(record(created)));

    expect(plans).toEqual([
      { kind: 'deploy', gitBranch: 'fresh', neonBranchName: 'preview/fresh', primary: false, newInGit: true },
    ]);
    expect(lines().filter((line) => line.planned !== undefined)).toEqual([]);
  });

  it("reports on GitHub as the server does: the configured token, the push's commit, the closed pull request", async () => {
    const targets: unknown[] = [];
    const { worker } = harness(
      async (_plan, options) => {
        targets.push((options as PublishedRunOptions).github);
        return none;
      },
      { GITHUB_TOKEN: 'ghp_worker_unit_token', GITHUB_API_URL: 'https://github.example/api/v3' },
    );
    const push = { ...message('deploy', 'a'), sha: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c' };
    const closed = { ...message('cleanup', 'a'), claim: { kind: 'pull-request-closed' as const, number: 7 } };

    await worker.handle(batch(record(push), record(closed)));

    const target = {
      token: 'ghp_worker_unit_token',
      apiUrl: 'https://github.example/api/v3',
      repository: { owner: 'octo-org', repo: 'shop' },
    };
    expect(targets).toEqual([
      { ...target, sha: push.sha, pullNumbers: undefined },
      { ...target, sha: undefined, pullNumbers: [7] },
    ]);
  });

  it('never logs the key or a connection string the core reports', async () => {
    const { worker, raw } = harness(async (_plan, options) => {
      options.secret('pw-secret-123');
      options.secret('postgresql://owner:pw-secret-123@host/db');
      options.log.info('Connection postgresql://owner:pw-secret-123@host/db');
      throw new Error(`Failed with napi_worker_unit_key and pw-secret-123`);
    });
    await worker.handle(batch(record(message('deploy', 'a'))));
    const text = raw.join('');
    expect(text).not.toContain('pw-secret-123');
    expect(text).not.toContain('napi_worker_unit_key');
  });

  it("gives a batch's runs, side by side, the one limiter of their Neon account", async () => {
    const limiters: RunOptions['limiter'][] = [];
    const { worker } = harness(async (_plan, options) => {
      limiters.push(options.limiter);
      return none;
    });
    await worker.handle(batch(record(message('deploy', 'a')), record(message('deploy', 'b'))));
    expect(limiters).toHaveLength(2);
    expect(limiters[0]).toBeDefined();
    expect(limiters[1]).toBe(limiters[0]);
  });
});

describe('the worker on its schedule', () => {
  it('reconciles every configured repository and fails, naming them, when one fails', async () => {
    const file = [
      'repositories:',
      '  octo-org/shop: {neon-project-id: shop-1, amplify-app-id: dshop}',
      '  octo-org/blog: {neon-project-id: blog-2, amplify-app-id: dblog}',
    ].join('\n');
    const config = loadWebhookConfig(
      { ...ENV, CONFIG_FILE: 'f.yaml' },
      { role: 'worker', readFile: () => file },
    );
    const seen: string[] = [];
    const limiters: RunOptions['limiter'][] = [];
    const lines: string[] = [];
    const worker = createWorker({
      config,
      log: new JsonLogger({ redactor: new Redactor(), write: (line) => lines.push(line) }),
      run: async (plan, options) => {
        seen.push(`${plan.kind} ${options.settings.neonProjectId}`);
        limiters.push(options.limiter);
        if (options.settings.neonProjectId === 'shop-1') throw new Error('Neon said 500');
        return {
          kind: 'reconcile',
          dryRun: false,
          report: {
            deleted: ['preview/gone'],
            gone: ['preview/expired'],
            wouldDelete: [],
            kept: [],
            failed: [],
          },
        };
      },
    });
    const scheduled = { 'detail-type': 'Scheduled Event' as const, source: 'aws.events' };

    await expect(worker.handle(scheduled)).rejects.toThrow(
      'Reconcile failed for 1 of 2 repositories: octo-org/shop: Neon said 500',
    );
    expect(seen).toEqual(['reconcile shop-1', 'reconcile blog-2']);
    // One API key for both projects: one limiter.
    expect(limiters[0]).toBeDefined();
    expect(limiters[1]).toBe(limiters[0]);
    // A branch Neon expired on its own is reported as gone, not as a failure.
    const blog = lines.map((line) => JSON.parse(line)).find((entry) => entry.repository === 'octo-org/blog');
    expect(blog).toMatchObject({
      msg: 'Reconciled: 1 deleted, 1 already gone (expired), 0 kept',
      outcome: 'succeeded',
      gone: ['preview/expired'],
    });
    await expect(worker.handle({ command: 'reconcile' })).rejects.toThrow(/1 of 2/);
    await expect(worker.handle({} as never)).rejects.toThrow(/Unknown event/);
  });
});
