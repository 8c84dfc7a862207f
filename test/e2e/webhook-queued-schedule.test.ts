import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { LambdaEnvironment } from './lambda-environment.js';
import { APP_ID, type QueuedWorld, startQueuedWorld } from './queued-world.js';

/**
 * The queued worker (dist/lambda/worker.js) on EventBridge's schedule: a reconcile of every
 * repository CONFIG_FILE lists. Its deliveries from SQS are in webhook-queued-worker.test.ts.
 */
let world: QueuedWorld;
let worker: LambdaEnvironment | undefined;
let dir: string;
beforeEach(async () => {
  world = await startQueuedWorld();
  worker = undefined;
  dir = mkdtempSync(join(tmpdir(), 'queued-schedule-'));
});
afterEach(async () => {
  await world.close();
  rmSync(dir, { recursive: true, force: true });
  for (const secret of world.secrets()) expect(worker?.output() ?? '').not.toContain(secret);
});

it('reconciles every repository CONFIG_FILE lists', async () => {
  const file = join(dir, 'repos.yaml');
  writeFileSync(
    file,
    stringify({
      repositories: {
        'octo-org/shop': { 'neon-project-id': world.neon.projectId, 'amplify-app-id': APP_ID },
        'octo-org/blog': {
          'neon-project-id': world.neon.projectId,
          'amplify-app-id': APP_ID,
          'branch-prefix': 'blog/',
        },
      },
    }),
  );
  for (const name of ['preview/stale', 'preview/kept', 'blog/stale', 'other/untouched']) {
    world.neon.addBranch({ name });
  }
  world.amplify.addBranch(APP_ID, 'kept');
  worker = world.worker({ CONFIG_FILE: file });

  const summary = await worker.invoke({
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: '2026-01-05T04:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/reconcile'],
    detail: {},
  });

  expect(summary).toEqual({
    repositories: 2,
    deleted: ['preview/stale', 'blog/stale'],
    gone: [],
    failed: [],
  });
  expect(world.neon.state.branches.map((branch) => branch.name).sort()).toEqual([
    'main',
    'other/untouched',
    'preview/kept',
  ]);
});
