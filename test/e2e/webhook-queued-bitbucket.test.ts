import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HttpResultV2 } from '../../src/webhook/lambda/index.js';
import { bitbucketDelivery, bitbucketPush } from '../fixtures/bitbucket-deliveries.js';
import { providerEvent, type QueuedWorld, startQueuedWorld } from './queued-world.js';
import type { LogLine } from './webhook-process.js';

/**
 * Bitbucket Cloud through the queued pair as shipped (dist/lambda/receiver.js → SQS FIFO →
 * dist/lambda/worker.js): one push of several branches is one message per branch, each in its own
 * FIFO group, and the worker does each once.
 */
const SECRET = 'queued-bitbucket-secret';
let world: QueuedWorld;

beforeEach(async () => {
  world = await startQueuedWorld();
});
afterEach(async () => {
  await world.close();
});

describe('Bitbucket through the queued pair', () => {
  it('a push of two new branches and a deleted one: three messages, two previews made, one removed', async () => {
    const receiver = world.receiver({ BITBUCKET_WEBHOOK_SECRET: SECRET });
    const worker = world.worker();
    const send = async (payload: unknown) => {
      const d = bitbucketDelivery({ event: 'repo:push', payload, secret: SECRET });
      const answer = (await receiver.invoke(providerEvent('/webhook/bitbucket', d))) as HttpResultV2;
      expect(answer.statusCode).toBe(202);
      return d.id;
    };
    const finished = (id: string) =>
      worker.lines.filter((line: LogLine) => line.delivery === id && line.step === 'finish');

    const first = await send(bitbucketPush('feature/gone'));
    await world.poll(worker, { batchSize: 10 });
    await expect.poll(() => finished(first).length, { timeout: 30_000 }).toBe(1);
    expect(world.neon.branchByName('preview/feature/gone')).toBeDefined();

    const more = ['feature/two', { name: 'feature/gone', deleted: true }];
    const id = await send(bitbucketPush('feature/one', { more }));
    await expect.poll(() => finished(id).length, { timeout: 30_000 }).toBe(3);
    expect(finished(id).map((line) => line.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(world.neon.branchByName('preview/feature/one')).toBeDefined();
    expect(world.neon.branchByName('preview/feature/two')).toBeDefined();
    expect(world.neon.branchByName('preview/feature/gone')).toBeUndefined();
    const sent = world.sqs
      .requestsFor('SendMessage')
      .slice(1)
      .map((request) => (request.body as { MessageGroupId: string }).MessageGroupId);
    const group = (branch: string) => `bitbucket:team_name/repo_name:${branch}`;
    expect(sent.sort()).toEqual([group('feature/gone'), group('feature/one'), group('feature/two')]);
  });
});
