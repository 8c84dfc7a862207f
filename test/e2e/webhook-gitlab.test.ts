/**
 * GitLab deliveries through the built webhook server (dist/webhook/index.js), over HTTP, with the
 * token GitLab sends; the end state is read from the Neon and Amplify stand-ins.
 */
import { describe, expect, it } from 'vitest';
import { gitlabDelivery, gitlabMergeRequest, gitlabPush, ZERO_SHA } from '../fixtures/gitlab-deliveries.js';
import { post } from '../fixtures/webhook-deliveries.js';
import { useProviderServer } from './provider-server.js';
import { expectedDatabaseUrl } from './webhook-process.js';

const TOKEN = 'e2e-gitlab-token';
const APP_ID = 'd1e2e3gitlab';

const world = useProviderServer({
  appId: APP_ID,
  path: 'gitlab',
  secret: { name: 'GITLAB_WEBHOOK_TOKEN', value: TOKEN },
});
const { url, finished } = world;

describe('GitLab at POST /webhook/gitlab', () => {
  it('a push deploys, a merged merge request cleans up: Neon and Amplify end as for GitHub', async () => {
    world.amplify.addBranch(APP_ID, 'ms-viewport');
    const push = gitlabDelivery({ event: 'Push Hook', payload: gitlabPush('ms-viewport'), token: TOKEN });
    const accepted = await post(url(), push);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'accepted', delivery: push.id });
    expect(await finished(push.id)).toMatchObject({
      outcome: 'succeeded',
      event: 'Push Hook',
      repository: 'gitlab:mike/diaspora',
    });
    const branch = world.neon.branchByName('preview/ms-viewport');
    expect(branch).toBeDefined();
    const variables = world.amplify.branch(APP_ID, 'ms-viewport')?.environmentVariables ?? {};
    const written = new URL(variables.DATABASE_URL ?? 'missing:');
    expect(written.hostname).toBe(expectedDatabaseUrl(world.neon, branch as NonNullable<typeof branch>).host);
    expect(world.amplify.branch(APP_ID, 'ms-viewport')?.jobs).toHaveLength(1);

    // Redelivered (same Idempotency-Key): answered as a duplicate, not done again.
    expect((await post(url(), push)).body).toMatchObject({ status: 'duplicate' });

    const merged = gitlabDelivery({
      event: 'Merge Request Hook',
      payload: gitlabMergeRequest('merge'),
      token: TOKEN,
    });
    expect((await post(url(), merged)).status).toBe(202);
    expect(await finished(merged.id)).toMatchObject({ outcome: 'succeeded' });
    expect(world.neon.branchByName('preview/ms-viewport')).toBeUndefined();
  });

  it('a deleted branch (after all zeros) is cleaned up; a wrong token changes nothing', async () => {
    const created = gitlabDelivery({ event: 'Push Hook', payload: gitlabPush('feature/gone'), token: TOKEN });
    expect((await post(url(), created)).status).toBe(202);
    await finished(created.id);
    expect(world.neon.branchByName('preview/feature/gone')).toBeDefined();

    const forged = gitlabDelivery({
      event: 'Push Hook',
      payload: gitlabPush('feature/gone', { after: ZERO_SHA }),
      token: 'guess',
    });
    expect((await post(url(), forged)).status).toBe(401);
    expect(world.neon.branchByName('preview/feature/gone')).toBeDefined();

    const deleted = gitlabDelivery({
      event: 'Push Hook',
      payload: gitlabPush('feature/gone', { after: ZERO_SHA }),
      token: TOKEN,
    });
    expect((await post(url(), deleted)).status).toBe(202);
    expect(await finished(deleted.id)).toMatchObject({ outcome: 'succeeded' });
    expect(world.neon.branchByName('preview/feature/gone')).toBeUndefined();
  });
});
