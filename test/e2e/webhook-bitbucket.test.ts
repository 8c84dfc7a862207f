/**
 * Bitbucket Cloud deliveries through the built webhook server (dist/webhook/index.js), over HTTP,
 * signed as Bitbucket signs them; the end state is read from the Neon and Amplify stand-ins.
 */
import { describe, expect, it } from 'vitest';
import { bitbucketDelivery, bitbucketPullRequest, bitbucketPush } from '../fixtures/bitbucket-deliveries.js';
import { post } from '../fixtures/webhook-deliveries.js';
import { useProviderServer } from './provider-server.js';
import { expectedDatabaseUrl } from './webhook-process.js';

const SECRET = 'e2e-bitbucket-secret';
const APP_ID = 'd1e2e3bitbucket';

const world = useProviderServer({
  appId: APP_ID,
  path: 'bitbucket',
  secret: { name: 'BITBUCKET_WEBHOOK_SECRET', value: SECRET },
});
const { url, finished } = world;

describe('Bitbucket Cloud at POST /webhook/bitbucket', () => {
  it('a push deploys, a merged pull request cleans up; a forged one changes nothing', async () => {
    const push = bitbucketDelivery({
      event: 'repo:push',
      payload: bitbucketPush('feature/cart'),
      secret: SECRET,
    });
    const accepted = await post(url(), push);
    expect(accepted.status).toBe(202);
    expect(await finished(push.id)).toMatchObject({
      outcome: 'succeeded',
      event: 'repo:push',
      repository: 'bitbucket:team_name/repo_name',
    });
    const branch = world.neon.branchByName('preview/feature/cart');
    expect(branch).toBeDefined();
    const variables = world.amplify.branch(APP_ID, 'feature/cart')?.environmentVariables ?? {};
    expect(new URL(variables.DATABASE_URL ?? 'missing:').hostname).toBe(
      expectedDatabaseUrl(world.neon, branch as NonNullable<typeof branch>).host,
    );
    expect((await post(url(), push)).body).toMatchObject({ status: 'duplicate' });

    const forged = bitbucketDelivery({
      event: 'pullrequest:fulfilled',
      payload: bitbucketPullRequest('feature/cart'),
      secret: 'guess',
    });
    expect((await post(url(), forged)).status).toBe(401);
    expect(world.neon.branchByName('preview/feature/cart')).toBeDefined();

    const merged = bitbucketDelivery({
      event: 'pullrequest:fulfilled',
      payload: bitbucketPullRequest('feature/cart'),
      secret: SECRET,
    });
    expect((await post(url(), merged)).status).toBe(202);
    expect(await finished(merged.id)).toMatchObject({ outcome: 'succeeded' });
    expect(world.neon.branchByName('preview/feature/cart')).toBeUndefined();
  });

  it('a deleted branch (new null) is cleaned up', async () => {
    const created = bitbucketDelivery({
      event: 'repo:push',
      payload: bitbucketPush('feature/gone'),
      secret: SECRET,
    });
    await post(url(), created);
    await finished(created.id);
    expect(world.neon.branchByName('preview/feature/gone')).toBeDefined();
    const deleted = bitbucketDelivery({
      event: 'repo:push',
      payload: bitbucketPush('feature/gone', { deleted: true }),
      secret: SECRET,
    });
    expect((await post(url(), deleted)).status).toBe(202);
    expect(await finished(deleted.id)).toMatchObject({ outcome: 'succeeded' });
    expect(world.neon.branchByName('preview/feature/gone')).toBeUndefined();
  });
});
