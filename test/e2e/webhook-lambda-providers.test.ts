/**
 * The single Lambda (dist/lambda/index.js) as a Lambda runtime calls it, with its own defaults and
 * nothing handed in but the stand-ins' endpoints and the secrets: one GitLab and one Bitbucket
 * delivery, each worked on before the answer (docs/webhook.md, "The single Lambda").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResultV2 } from '../../src/webhook/lambda/index.js';
import { type AmplifyStandIn, startAmplifyStandIn } from '../fakes/amplify-server.js';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { bitbucketDelivery, bitbucketPush } from '../fixtures/bitbucket-deliveries.js';
import { gitlabDelivery, gitlabPush } from '../fixtures/gitlab-deliveries.js';
import { type LambdaEnvironment, lambdaEnvironment } from './lambda-environment.js';
import { providerEvent } from './queued-world.js';
import { expectedDatabaseUrl, LAMBDA_ENTRY, requireBuilt, standInEnv } from './webhook-process.js';

const APP_ID = 'd1e2e3lambda';
const GITLAB_TOKEN = 'e2e-lambda-gitlab-token';
const BITBUCKET_SECRET = 'e2e-lambda-bitbucket-secret';
let neon: NeonStandIn;
let amplify: AmplifyStandIn;
let lambda: LambdaEnvironment;

beforeAll(async () => {
  requireBuilt(LAMBDA_ENTRY);
  neon = await startNeonStandIn({ operationSteps: 1, operationDurationMs: null });
  amplify = await startAmplifyStandIn();
  amplify.addApp({ appId: APP_ID });
  lambda = lambdaEnvironment(LAMBDA_ENTRY, {
    ...standInEnv(neon, amplify, APP_ID),
    GITHUB_WEBHOOK_SECRET: 'e2e-lambda-github-secret',
    GITLAB_WEBHOOK_TOKEN: GITLAB_TOKEN,
    BITBUCKET_WEBHOOK_SECRET: BITBUCKET_SECRET,
  });
});

afterAll(async () => {
  await lambda?.close();
  expect(lambda?.output()).not.toContain(GITLAB_TOKEN);
  expect(lambda?.output()).not.toContain(BITBUCKET_SECRET);
  expect(neon?.violations).toEqual([]);
  await Promise.all([neon?.close(), amplify?.close()]);
});

async function invoke(path: string, delivery: { body: Buffer; headers: Record<string, string> }) {
  const result = (await lambda.invoke(providerEvent(path, delivery))) as HttpResultV2;
  return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
}

describe('the single Lambda with GitLab and Bitbucket deliveries', () => {
  it('a GitLab push is deployed before the answer', async () => {
    const d = gitlabDelivery({ event: 'Push Hook', payload: gitlabPush('gl-feature'), token: GITLAB_TOKEN });
    expect(await invoke('/webhook/gitlab', d)).toMatchObject({ status: 200, body: { status: 'done' } });
    const branch = neon.branchByName('preview/gl-feature');
    expect(branch).toBeDefined();
    const written = amplify.branch(APP_ID, 'gl-feature')?.environmentVariables.DATABASE_URL;
    expect(new URL(written ?? 'missing:').hostname).toBe(
      expectedDatabaseUrl(neon, branch as NonNullable<typeof branch>).host,
    );
  });

  it('a Bitbucket push of two branches deploys both before the answer, one outputs object each', async () => {
    const payload = bitbucketPush('bb/one', { more: ['bb/two'] });
    const d = bitbucketDelivery({ event: 'repo:push', payload, secret: BITBUCKET_SECRET });
    const answer = await invoke('/webhook/bitbucket', d);
    expect(answer).toMatchObject({ status: 200, body: { status: 'done' } });
    expect(answer.body.outputs).toMatchObject([
      { 'neon-branch-name': 'preview/bb/one' },
      { 'neon-branch-name': 'preview/bb/two' },
    ]);
    expect(neon.branchByName('preview/bb/one')).toBeDefined();
    expect(neon.branchByName('preview/bb/two')).toBeDefined();
  });
});
