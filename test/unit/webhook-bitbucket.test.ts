import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.js';
import { Redactor } from '../../src/core/redact.js';
import type { RunOptions } from '../../src/runner.js';
import { loadWebhookConfig } from '../../src/webhook/config/config.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import type { WebhookRequest } from '../../src/webhook/delivery/types.js';
import { createWebhookApp } from '../../src/webhook/run/app.js';
import {
  type BitbucketDelivery,
  bitbucketDelivery,
  bitbucketPullRequest,
  bitbucketPush,
} from '../fixtures/bitbucket-deliveries.js';

const SECRET = 'bitbucket-webhook-secret';
const ENV = {
  GITHUB_WEBHOOK_SECRET: 'github-secret',
  BITBUCKET_WEBHOOK_SECRET: SECRET,
  NEON_API_KEY: 'napi_unit0123456789abcdef',
  NEON_PROJECT_ID: 'calm-sun-123456',
  AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
  AWS_REGION: 'us-east-1',
  GITHUB_TOKEN: 'ghp_should_not_be_used_for_bitbucket',
};

function harness(env: Record<string, string | undefined> = ENV, mode: 'inline' | 'lanes' = 'inline') {
  const runs: { plan: Plan; options: RunOptions }[] = [];
  const app = createWebhookApp({
    config: loadWebhookConfig(env),
    mode,
    log: new JsonLogger({ redactor: new Redactor(), write: () => {} }),
    run: async (plan, options) => {
      runs.push({ plan, options });
      return { kind: 'none', reason: 'test' };
    },
  });
  return { app, runs };
}

function request(d: BitbucketDelivery, change: Partial<WebhookRequest> = {}): WebhookRequest {
  return { method: 'POST', path: '/webhook/bitbucket', headers: { ...d.headers }, body: d.body, ...change };
}

async function send(app: ReturnType<typeof harness>['app'], req: WebhookRequest) {
  const response = await app.handle(req);
  return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
}

/** `null`: no X-Hub-Signature at all. */
const deliver = (event: string, payload: unknown, secret: string | null = SECRET) =>
  bitbucketDelivery({ event, payload, secret: secret ?? undefined });

describe('Bitbucket Cloud at POST /webhook/bitbucket', () => {
  it('repo:push of a branch deploys new.name with the settings of bitbucket:{full_name}, without the GitHub token', async () => {
    const { app, runs } = harness();
    const r = await send(app, request(deliver('repo:push', bitbucketPush('feature/cart'))));
    expect(r).toMatchObject({ status: 200, body: { status: 'done' } });
    expect(runs[0]?.plan).toMatchObject({ kind: 'deploy', gitBranch: 'feature/cart' });
    expect(runs[0]?.options.settings.githubToken).toBeUndefined();
  });

  it('a deleted branch (new null) cleans up; a tag and a push of main (the main branch) do not deploy a preview', async () => {
    const { app, runs } = harness();
    await send(app, request(deliver('repo:push', bitbucketPush('feature/old', { deleted: true }))));
    expect(runs.map((run) => run.plan)).toMatchObject([{ kind: 'cleanup', gitBranch: 'feature/old' }]);
    const tag = await send(app, request(deliver('repo:push', bitbucketPush('v1.0', { type: 'tag' }))));
    expect(tag.body).toMatchObject({ status: 'ignored' });
    await send(app, request(deliver('repo:push', bitbucketPush('main'))));
    // repository.mainbranch is the primary branch: the parent database, not a preview of its own.
    expect(runs[1]?.plan).toMatchObject({ kind: 'deploy', gitBranch: 'main', primary: true });
  });

  it('a push of several branches is one piece of work per branch: deploys and cleanups, answered once', async () => {
    const { app, runs } = harness();
    const more = ['feature/b', { name: 'feature/gone', deleted: true }];
    const d = deliver('repo:push', bitbucketPush('feature/a', { more }));
    const r = await send(app, request(d));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'done', delivery: d.id, outputs: [{}, {}, {}] });
    expect(r.body.plan).toMatch(/feature\/a.*; .*feature\/b.*; .*feature\/gone/);
    expect(runs.map((run) => run.plan)).toMatchObject([
      { kind: 'deploy', gitBranch: 'feature/a' },
      { kind: 'deploy', gitBranch: 'feature/b' },
      { kind: 'cleanup', gitBranch: 'feature/gone' },
    ]);
    // The delivery is one: sent again, it is a duplicate and nothing runs twice.
    expect((await send(app, request(d))).body).toMatchObject({ status: 'duplicate' });
    expect(runs).toHaveLength(3);
  });

  it('on the server, a push of several branches is accepted once (202) and each branch queued in its own lane', async () => {
    const { app, runs } = harness(ENV, 'lanes');
    const r = await send(
      app,
      request(deliver('repo:push', bitbucketPush('feature/a', { more: ['feature/b'] }))),
    );
    expect(r).toMatchObject({ status: 202, body: { status: 'accepted' } });
    await app.lanes.idle();
    expect(runs.map((run) => run.plan.kind === 'deploy' && run.plan.gitBranch).sort()).toEqual([
      'feature/a',
      'feature/b',
    ]);
  });

  it('a push of several branches where one needs nothing (main is primary, a tag) runs the others', async () => {
    const { app, runs } = harness();
    const payload = bitbucketPush('feature/a', { more: ['main', { name: 'v1.0', type: 'tag' }] });
    const r = await send(app, request(deliver('repo:push', payload)));
    expect(r.body).toMatchObject({ status: 'done' });
    expect(runs.map((run) => run.plan)).toMatchObject([
      { kind: 'deploy', gitBranch: 'feature/a' },
      { kind: 'deploy', gitBranch: 'main', primary: true },
    ]);
  });

  it('a push of several branches with one bad branch name is refused whole (400), nothing run', async () => {
    const { app, runs } = harness();
    const r = await send(app, request(deliver('repo:push', bitbucketPush('feature/a', { more: ['a..b'] }))));
    expect(r.status).toBe(400);
    expect(r.body.error).toContain('Invalid git-branch');
    expect(runs).toEqual([]);
  });

  it.each(['pullrequest:fulfilled', 'pullrequest:rejected'])(
    '%s cleans up the source branch; from a fork, nothing',
    async (event) => {
      const { app, runs } = harness();
      await send(app, request(deliver(event, bitbucketPullRequest('feature/pr'))));
      expect(runs.map((run) => run.plan)).toMatchObject([{ kind: 'cleanup', gitBranch: 'feature/pr' }]);
      const fork = await send(
        app,
        request(deliver(event, bitbucketPullRequest('feature/pr', { fork: true }))),
      );
      expect(fork.body).toMatchObject({ status: 'ignored' });
      expect(runs).toHaveLength(1);
    },
  );

  it('refuses an unsigned delivery, a wrong secret and a changed body with 401', async () => {
    const { app, runs } = harness();
    const unsigned = await send(app, request(deliver('repo:push', bitbucketPush('a'), null)));
    expect(unsigned).toEqual({ status: 401, body: { error: 'Missing header X-Hub-Signature' } });
    expect((await send(app, request(deliver('repo:push', bitbucketPush('a'), 'guess')))).status).toBe(401);
    const d = deliver('repo:push', bitbucketPush('feature/a'));
    const tampered = Buffer.from(d.body.toString('utf8').replace('feature/a', 'feature/b'));
    expect((await send(app, request(d, { body: tampered }))).status).toBe(401);
    expect(runs).toEqual([]);
  });

  it('X-Request-UUID is the delivery id: a repeat is a duplicate; without it, 400', async () => {
    const { app, runs } = harness();
    const d = deliver('repo:push', bitbucketPush('a'));
    expect((await send(app, request(d))).body.delivery).toBe(d.id);
    expect((await send(app, request(d))).body).toMatchObject({ status: 'duplicate' });
    const { 'x-request-uuid': _id, ...noId } = d.headers;
    expect(await send(app, request(d, { headers: noId }))).toEqual({
      status: 400,
      body: { error: 'Missing header X-Request-UUID' },
    });
    expect(runs).toHaveLength(1);
  });

  it('answers 404 when BITBUCKET_WEBHOOK_SECRET is not set', async () => {
    const { app } = harness({ ...ENV, BITBUCKET_WEBHOOK_SECRET: undefined });
    const r = await send(app, request(deliver('repo:push', bitbucketPush('a'))));
    expect(r.status).toBe(404);
    expect(r.body.error).toContain('BITBUCKET_WEBHOOK_SECRET');
  });

  it('CONFIG_FILE keys a Bitbucket repository as bitbucket:{full_name}', () => {
    const file = 'repositories:\n  bitbucket:team_name/repo_name:\n    branch-prefix: bb/\n';
    const config = loadWebhookConfig({ ...ENV, CONFIG_FILE: '/c.yml' }, { readFile: () => file });
    expect(config.settingsFor('bitbucket:team_name/repo_name')?.branchPrefix).toBe('bb/');
    expect(config.settingsFor('bitbucket:team_name/repo_name')?.githubToken).toBeUndefined();
    expect(config.settingsFor('team_name/repo_name')).toBeUndefined();
  });

  it("a repository's own bitbucket-secret in CONFIG_FILE signs its deliveries; the environment's then does not", async () => {
    const file = 'repositories:\n  bitbucket:team_name/repo_name:\n    bitbucket-secret: repo-own-secret\n';
    const config = loadWebhookConfig({ ...ENV, CONFIG_FILE: '/c.yml' }, { readFile: () => file });
    const app = createWebhookApp({
      config,
      mode: 'inline',
      log: new JsonLogger({ redactor: new Redactor(), write: () => {} }),
      run: async () => ({ kind: 'none', reason: 'test' }),
    });
    const own = await send(app, request(deliver('repo:push', bitbucketPush('a'), 'repo-own-secret')));
    expect(own.status).toBe(200);
    const shared = await send(app, request(deliver('repo:push', bitbucketPush('a'), SECRET)));
    expect(shared.status).toBe(401);
  });
});
