import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type AmplifyStandIn, startAmplifyStandIn } from '../fakes/amplify-server.js';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { pushTo } from '../fixtures/payloads.js';
import { post, signedDelivery } from '../fixtures/webhook-deliveries.js';
import {
  failedStart,
  requireBuilt,
  standInEnv,
  startWebhookProcess,
  WEBHOOK_ENTRY,
} from './webhook-process.js';

const SECRET = 'lifecycle-webhook-secret';
let dir: string;

beforeAll(() => {
  requireBuilt(WEBHOOK_ENTRY);
  dir = mkdtempSync(join(tmpdir(), 'webhook-e2e-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD_ENV = {
  GITHUB_WEBHOOK_SECRET: SECRET,
  NEON_API_KEY: 'napi_lifecycle_key',
  NEON_PROJECT_ID: 'calm-sun-123456',
  AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
  AWS_REGION: 'us-east-1',
};

describe('start', () => {
  it.each([
    [{ GITHUB_WEBHOOK_SECRET: '' }, 'GITHUB_WEBHOOK_SECRET is required and not set'],
    [{ NEON_PROJECT_ID: 'Bad Project' }, "Invalid NEON_PROJECT_ID 'Bad Project'"],
    [{ AWS_REGION: '' }, 'aws-region is required and not set'],
    [{ PORT: 'http' }, "Invalid PORT 'http'"],
  ])('refuses to start on a bad setting, exit code 1, naming it: %o', async (change, message) => {
    const { code, output } = await failedStart({ ...GOOD_ENV, ...change });
    expect(code).toBe(1);
    const line = JSON.parse(output.trim().split('\n').at(-1) ?? '{}');
    expect(line).toMatchObject({ level: 'error', msg: expect.stringContaining(message) });
    expect(output).not.toContain('napi_lifecycle_key');
  });

  it('refuses a CONFIG_FILE with an unknown key, naming the key', async () => {
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, 'repositories:\n  octo-org/blog:\n    neon-projct-id: blog-1\n');
    const { code, output } = await failedStart({ ...GOOD_ENV, CONFIG_FILE: file });
    expect(code).toBe(1);
    expect(output).toContain(
      `CONFIG_FILE ${file}: repositories.octo-org/blog.neon-projct-id: unknown key 'neon-projct-id'`,
    );
  });
});

describe('CONFIG_FILE with several repositories', () => {
  let shop: NeonStandIn;
  let blog: NeonStandIn;
  let amplify: AmplifyStandIn;

  beforeAll(async () => {
    [shop, blog, amplify] = await Promise.all([
      startNeonStandIn({
        projectId: 'shop-project-1',
        apiKey: 'neon-shop-key-0001',
        operationDurationMs: null,
      }),
      startNeonStandIn({
        projectId: 'blog-project-2',
        apiKey: 'neon-blog-key-0002',
        operationDurationMs: null,
      }),
      // A raised Concurrent jobs quota: the stand-in's builds never end by themselves.
      startAmplifyStandIn({ concurrentJobsQuota: 100 }),
    ]);
    amplify.addApp({ appId: 'dshop1' });
    amplify.addApp({ appId: 'dblog2' });
  });
  afterAll(() => Promise.all([shop.close(), blog.close(), amplify.close()]));

  it("sends each repository's deliveries to its own project and app, and ignores the others", async () => {
    const file = join(dir, 'repos.yaml');
    writeFileSync(
      file,
      stringify({
        defaults: { 'primary-branches': ['main'] },
        repositories: {
          'Codertocat/Hello-World': { 'neon-project-id': shop.projectId, 'amplify-app-id': 'dshop1' },
          'octo-org/blog': {
            'neon-project-id': blog.projectId,
            'neon-api-host': blog.url,
            'neon-api-key': blog.apiKey,
            'amplify-app-id': 'dblog2',
            'branch-prefix': 'blog/',
          },
        },
      }),
    );
    const env = standInEnv(shop, amplify, 'unused');
    delete (env as Record<string, string | undefined>).NEON_PROJECT_ID;
    delete (env as Record<string, string | undefined>).AMPLIFY_APP_ID;
    const server = await startWebhookProcess({ ...env, GITHUB_WEBHOOK_SECRET: SECRET, CONFIG_FILE: file });
    try {
      const fromBlog = pushTo('feature/x');
      fromBlog.repository.full_name = 'octo-org/blog';
      const unlisted = pushTo('feature/x');
      unlisted.repository.full_name = 'someone/unlisted';

      const deliveries = await Promise.all(
        [pushTo('feature/x'), fromBlog].map((p) =>
          signedDelivery({ event: 'push', payload: p, secret: SECRET }),
        ),
      );
      for (const d of deliveries) expect((await post(`${server.url}/webhook`, d)).status).toBe(202);
      await Promise.all(
        deliveries.map((d) => server.waitForLine((line) => line.delivery === d.id && line.step === 'finish')),
      );

      const before = shop.requests.length + blog.requests.length + amplify.requests.length;
      const ignored = await signedDelivery({ event: 'push', payload: unlisted, secret: SECRET });
      const answer = await post(`${server.url}/webhook`, ignored);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'ignored' });
      expect(shop.requests.length + blog.requests.length + amplify.requests.length).toBe(before);
      expect(
        server.lines.find((line) => line.delivery === ignored.id && line.repository === 'someone/unlisted'),
      ).toMatchObject({ outcome: 'ignored', msg: expect.stringContaining('not in CONFIG_FILE') });

      expect(shop.state.branches.map((b) => b.name).sort()).toEqual(['main', 'preview/feature/x']);
      expect(blog.state.branches.map((b) => b.name).sort()).toEqual(['blog/feature/x', 'main']);
      expect(amplify.branch('dshop1', 'feature/x')?.environmentVariables.DATABASE_URL).toContain(
        shop.state.endpoints.find((e) => e.branch_id === shop.branchByName('preview/feature/x')?.id)?.id,
      );
      expect(amplify.branch('dblog2', 'feature/x')?.environmentVariables.DATABASE_URL).toContain(
        blog.state.endpoints.find((e) => e.branch_id === blog.branchByName('blog/feature/x')?.id)?.id,
      );
      expect(server.output()).not.toContain(blog.apiKey);
      expect(server.output()).not.toContain(shop.apiKey);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('SIGTERM', () => {
  let neon: NeonStandIn;
  let amplify: AmplifyStandIn;
  beforeAll(async () => {
    [neon, amplify] = await Promise.all([
      startNeonStandIn({ operationDurationMs: null }),
      // A raised Concurrent jobs quota: the stand-in's builds never end by themselves.
      startAmplifyStandIn({ concurrentJobsQuota: 100 }),
    ]);
    amplify.addApp({ appId: 'ddrain1' });
  });
  afterAll(() => Promise.all([neon.close(), amplify.close()]));

  it('takes no new deliveries and lets queued work finish, then exits 0', async () => {
    const server = await startWebhookProcess({
      ...standInEnv(neon, amplify, 'ddrain1'),
      GITHUB_WEBHOOK_SECRET: SECRET,
      MAX_CONCURRENCY: '2',
    });
    neon.injectFault({
      method: 'POST',
      path: `/projects/${neon.projectId}/branches`,
      times: 3,
      fault: { kind: 'delay', ms: 800 },
    });
    const branches = ['drain/a', 'drain/b', 'drain/c'];
    for (const branch of branches) {
      const d = await signedDelivery({ event: 'push', payload: pushTo(branch), secret: SECRET });
      expect((await post(`${server.url}/webhook`, d)).status).toBe(202);
    }
    server.child.kill('SIGTERM');
    await server.waitForLine((line) => line.step === 'stop');
    const late = await signedDelivery({ event: 'push', payload: pushTo('drain/late'), secret: SECRET });
    expect((await post(`${server.url}/webhook`, late)).status).toBe(503);

    expect(await server.exited).toBe(0);
    expect(server.lines.at(-1)).toMatchObject({ step: 'stop', outcome: 'drained' });
    expect(
      neon.state.branches
        .map((b) => b.name)
        .filter((name) => name.startsWith('preview/drain/'))
        .sort(),
    ).toEqual(branches.map((b) => `preview/${b}`));
    for (const branch of branches) {
      expect(amplify.branch('ddrain1', branch)?.environmentVariables.DATABASE_URL).toMatch(
        /^postgresql:\/\//,
      );
    }
  });

  it('gives up after DRAIN_TIMEOUT_SECONDS, names the unfinished deliveries and exits 1', async () => {
    const server = await startWebhookProcess({
      ...standInEnv(neon, amplify, 'ddrain1'),
      GITHUB_WEBHOOK_SECRET: SECRET,
      DRAIN_TIMEOUT_SECONDS: '1',
    });
    neon.injectFault({
      method: 'POST',
      path: `/projects/${neon.projectId}/branches`,
      fault: { kind: 'delay', ms: 5_000 },
    });
    const d = await signedDelivery({ event: 'push', payload: pushTo('drain/slow'), secret: SECRET });
    expect((await post(`${server.url}/webhook`, d)).status).toBe(202);
    await server.waitForLine((line) => line.delivery === d.id && line.step === 'start');
    const started = performance.now();
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(1);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(server.lines.at(-1)).toMatchObject({ step: 'stop', outcome: 'timeout', unfinished: [d.id] });
    neon.clearFaults();
  });
});
