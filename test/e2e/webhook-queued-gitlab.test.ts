import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpResultV2 } from '../../src/webhook/lambda/index.js';
import { gitlabDelivery, gitlabMergeRequest, gitlabPush } from '../fixtures/gitlab-deliveries.js';
import { providerEvent, type QueuedWorld, startQueuedWorld } from './queued-world.js';
import type { LogLine } from './webhook-process.js';

/**
 * GitLab through the queued pair as shipped (dist/lambda/receiver.js → SQS FIFO → dist/lambda/worker.js).
 * The worker holds a GitHub token, as an organisation that serves both would: a GitLab cleanup has
 * no claim GitHub could check, and runs because a GitLab project's deliveries never use that token.
 */
const TOKEN = 'queued-gitlab-token';
let world: QueuedWorld;

beforeEach(async () => {
  world = await startQueuedWorld();
});
afterEach(async () => {
  await world.close();
});

describe('GitLab through the queued pair', () => {
  it('the receiver queues a push and a merged merge request; the worker deploys, then cleans up', async () => {
    const receiver = world.receiver({ GITLAB_WEBHOOK_TOKEN: TOKEN });
    const worker = world.worker({ GITHUB_TOKEN: 'ghp_queued_worker_token_0123456789' });
    await world.poll(worker, { batchSize: 1 });
    const finished = (id: string) =>
      worker.lines.filter((line: LogLine) => line.delivery === id && line.step === 'finish');
    const send = async (event: string, payload: unknown) => {
      const d = gitlabDelivery({ event, payload, token: TOKEN });
      const answer = (await receiver.invoke(providerEvent('/webhook/gitlab', d))) as HttpResultV2;
      expect(answer.statusCode).toBe(202);
      await expect.poll(() => finished(d.id).length, { timeout: 30_000 }).toBe(1);
      return finished(d.id)[0];
    };

    expect(await send('Push Hook', gitlabPush('ms-viewport'))).toMatchObject({ outcome: 'succeeded' });
    expect(world.neon.branchByName('preview/ms-viewport')).toBeDefined();
    expect(await send('Merge Request Hook', gitlabMergeRequest('merge'))).toMatchObject({
      outcome: 'succeeded',
    });
    expect(world.neon.branchByName('preview/ms-viewport')).toBeUndefined();
  });
});
