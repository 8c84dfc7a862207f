import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/core/plan.js';
import { Redactor } from '../../src/core/redact.js';
import type { RunOptions } from '../../src/runner.js';
import { loadWebhookConfig } from '../../src/webhook/config/config.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import type { WebhookRequest } from '../../src/webhook/delivery/types.js';
import { tokenMatches } from '../../src/webhook/gitlab/verify.js';
import { createWebhookApp } from '../../src/webhook/run/app.js';
import {
  type GitLabDelivery,
  gitlabDelivery,
  gitlabMergeRequest,
  gitlabPush,
  gitlabTagPush,
  ZERO_SHA,
} from '../fixtures/gitlab-deliveries.js';

const TOKEN = 'gitlab-secret-token';
const ENV = {
  GITHUB_WEBHOOK_SECRET: 'github-secret',
  GITLAB_WEBHOOK_TOKEN: `${TOKEN},old-gitlab-token`,
  NEON_API_KEY: 'napi_unit0123456789abcdef',
  NEON_PROJECT_ID: 'calm-sun-123456',
  AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
  AWS_REGION: 'us-east-1',
  GITHUB_TOKEN: 'ghp_should_not_be_used_for_gitlab',
};

function harness(env: Record<string, string | undefined> = ENV) {
  const config = loadWebhookConfig(env);
  const runs: { plan: Plan; options: RunOptions }[] = [];
  const app = createWebhookApp({
    config,
    mode: 'inline',
    log: new JsonLogger({ redactor: new Redactor(), write: () => {} }),
    run: async (plan, options) => {
      runs.push({ plan, options });
      return { kind: 'none', reason: 'test' };
    },
  });
  return { app, runs };
}

function request(delivery: GitLabDelivery, change: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    method: 'POST',
    path: '/webhook/gitlab',
    headers: { ...delivery.headers },
    body: delivery.body,
    ...change,
  };
}

async function send(app: ReturnType<typeof harness>['app'], req: WebhookRequest) {
  const response = await app.handle(req);
  return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
}

/** `null`: no X-Gitlab-Token header at all. */
const push = (branch: string, token: string | null = TOKEN) =>
  gitlabDelivery({ event: 'Push Hook', payload: gitlabPush(branch), token: token ?? undefined });

describe('tokenMatches', () => {
  it('takes any of the tokens, and nothing else (empty, a prefix, a longer value)', () => {
    expect(tokenMatches(['a-token', 'b-token'], 'b-token')).toBe(true);
    expect(tokenMatches(['a-token'], 'a-toke')).toBe(false);
    expect(tokenMatches(['a-token'], 'a-token!')).toBe(false);
    expect(tokenMatches([''], '')).toBe(false);
    expect(tokenMatches([], 'a-token')).toBe(false);
  });
});

describe('GitLab at POST /webhook/gitlab', () => {
  it('a branch push deploys that branch with the settings of gitlab:{path_with_namespace}, without the GitHub token', async () => {
    const { app, runs } = harness();
    const r = await send(app, request(push('feature/login')));
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('done');
    expect(runs).toHaveLength(1);
    expect(runs[0]?.plan).toMatchObject({ kind: 'deploy', gitBranch: 'feature/login' });
    // No GitHub comment, deployment or replay check for a GitLab repository.
    expect(runs[0]?.options.settings.githubToken).toBeUndefined();
  });

  it('a push whose after is all zeros cleans up; a tag push and other events need nothing', async () => {
    const { app, runs } = harness();
    const deleted = gitlabDelivery({
      event: 'Push Hook',
      payload: gitlabPush('feature/x', { after: ZERO_SHA }),
      token: TOKEN,
    });
    expect((await send(app, request(deleted))).status).toBe(200);
    expect(runs[0]?.plan).toMatchObject({ kind: 'cleanup', gitBranch: 'feature/x' });
    const tag = gitlabDelivery({ event: 'Tag Push Hook', payload: gitlabTagPush(), token: TOKEN });
    expect((await send(app, request(tag))).body).toMatchObject({ status: 'ignored' });
    const tagAsPush = gitlabDelivery({ event: 'Push Hook', payload: gitlabTagPush(), token: TOKEN });
    expect((await send(app, request(tagAsPush))).body).toMatchObject({ status: 'ignored' });
    expect(runs).toHaveLength(1);
  });

  it.each(['close', 'merge'])('a merge request %s cleans up its source branch', async (action) => {
    const { app, runs } = harness();
    const d = gitlabDelivery({
      event: 'Merge Request Hook',
      payload: gitlabMergeRequest(action),
      token: TOKEN,
    });
    expect((await send(app, request(d))).status).toBe(200);
    expect(runs.map((run) => run.plan)).toMatchObject([{ kind: 'cleanup', gitBranch: 'ms-viewport' }]);
  });

  it('an opened merge request, and one from another project, delete nothing', async () => {
    const { app, runs } = harness();
    for (const payload of [
      gitlabMergeRequest('open'),
      gitlabMergeRequest('merge', { sourceProjectId: 99 }),
    ]) {
      const d = gitlabDelivery({ event: 'Merge Request Hook', payload, token: TOKEN });
      expect((await send(app, request(d))).body).toMatchObject({ status: 'ignored' });
    }
    expect(runs).toEqual([]);
  });

  it('refuses a missing or wrong token with 401 before reading the body, and takes the old token of a rotation', async () => {
    const { app, runs } = harness();
    expect(await send(app, request(push('a', null)))).toEqual({
      status: 401,
      body: { error: 'Missing header X-Gitlab-Token' },
    });
    const wrong = await send(app, request(push('a', 'guess')));
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toContain('X-Gitlab-Token');
    expect((await send(app, request(push('a', 'old-gitlab-token')))).status).toBe(200);
    expect(runs).toHaveLength(1);
  });

  it('keeps the fixed order: method 405, content type 415, headers 400, then size 413', async () => {
    const { app } = harness();
    const d = push('a');
    expect((await send(app, request(d, { method: 'GET' }))).status).toBe(405);
    const form = { ...d.headers, 'content-type': 'application/x-www-form-urlencoded' };
    expect((await send(app, request(d, { headers: form }))).status).toBe(415);
    const { 'x-gitlab-event': _event, ...noEvent } = d.headers;
    expect((await send(app, request(d, { headers: noEvent }))).body.error).toBe(
      'Missing header X-Gitlab-Event',
    );
    const big = { ...d.headers, 'content-length': String(2 * 1024 * 1024) };
    expect((await send(app, request(d, { headers: big }))).status).toBe(413);
  });

  it('the delivery id is Idempotency-Key, else X-Gitlab-Webhook-UUID, else X-Gitlab-Event-UUID; a repeat is a duplicate', async () => {
    const { app, runs } = harness();
    const d = push('a');
    const { 'idempotency-key': _key, 'x-gitlab-webhook-uuid': _hook, ...eventOnly } = d.headers;
    const first = await send(app, request(d, { headers: eventOnly }));
    expect(first.body.delivery).toBe(d.headers['x-gitlab-event-uuid']);
    expect((await send(app, request(d))).body.delivery).toBe(d.id);
    expect(await send(app, request(d))).toMatchObject({ status: 200, body: { status: 'duplicate' } });
    expect(runs).toHaveLength(2);
    const { 'x-gitlab-event-uuid': _e, ...none } = eventOnly;
    expect((await send(app, request(d, { headers: none }))).status).toBe(400);
  });

  it('answers 404 when GITLAB_WEBHOOK_TOKEN is not set, and /webhook stays GitHub only', async () => {
    const { app } = harness({ ...ENV, GITLAB_WEBHOOK_TOKEN: undefined });
    const r = await send(app, request(push('a')));
    expect(r.status).toBe(404);
    expect(r.body.error).toContain('GITLAB_WEBHOOK_TOKEN');
    const onGitHubPath = await send(harness().app, request(push('a'), { path: '/webhook' }));
    expect(onGitHubPath).toEqual({ status: 400, body: { error: 'Missing header X-GitHub-Event' } });
  });

  it('CONFIG_FILE keys a GitLab project as gitlab:{path_with_namespace}; another project is ignored', async () => {
    const file = `repositories:\n  gitlab:mike/diaspora:\n    neon-project-id: calm-sun-123456\n    branch-prefix: gl/\n`;
    const config = loadWebhookConfig({ ...ENV, CONFIG_FILE: '/config.yml' }, { readFile: () => file });
    expect(config.settingsFor('gitlab:mike/diaspora')?.branchPrefix).toBe('gl/');
    expect(config.settingsFor('gitlab:mike/diaspora')?.githubToken).toBeUndefined();
    expect(config.settingsFor('gitlab:other/project')).toBeUndefined();
  });

  it("a project's own gitlab-token in CONFIG_FILE: only it opens that project, and it opens no other", async () => {
    const file = [
      'repositories:',
      '  gitlab:mike/diaspora:',
      '    gitlab-token: diaspora-own-token',
      '  gitlab:other/project:',
      '    branch-prefix: o/',
    ].join('\n');
    const env = { ...ENV, GITLAB_WEBHOOK_TOKEN: undefined, CONFIG_FILE: '/c.yml' };
    const config = loadWebhookConfig(env, { readFile: () => file });
    expect(config.secretValues).toContain('diaspora-own-token');
    const runs: Plan[] = [];
    const app = createWebhookApp({
      config,
      mode: 'inline',
      log: new JsonLogger({ redactor: new Redactor(), write: () => {} }),
      run: async (plan) => {
        runs.push(plan);
        return { kind: 'none', reason: 'test' };
      },
    });
    expect((await send(app, request(push('a', 'diaspora-own-token')))).status).toBe(200);
    const other = {
      ...gitlabPush('b'),
      project: { path_with_namespace: 'other/project', default_branch: 'main' },
    };
    const borrowed = gitlabDelivery({ event: 'Push Hook', payload: other, token: 'diaspora-own-token' });
    const refused = await send(app, request(borrowed));
    expect(refused.status).toBe(401);
    expect(refused.body.error).toContain('not with the secret of the repository');
    expect(runs).toHaveLength(1);
  });

  it('CONFIG_FILE refuses a gitlab-token on a Bitbucket or GitHub key, and an empty one', () => {
    const load = (file: string) => () =>
      loadWebhookConfig({ ...ENV, CONFIG_FILE: '/c.yml' }, { readFile: () => file });
    expect(load('repositories:\n  octo/shop:\n    gitlab-token: x\n')).toThrow(/gitlab-token/);
    expect(load('repositories:\n  bitbucket:a/b:\n    gitlab-token: x\n')).toThrow(/gitlab-token/);
    expect(load("repositories:\n  gitlab:a/b:\n    gitlab-token: ''\n")).toThrow(/non-empty string/);
  });
});
