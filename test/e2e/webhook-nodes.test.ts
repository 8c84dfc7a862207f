/**
 * The webhook server runs on Node 22 as well as 24 (package.json engines): the built server started
 * on each, answering a signed push with a Neon branch, the Amplify variable and a job. The full
 * behaviour is test/e2e/webhook-server.test.ts's, on this process's Node 24.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AmplifyStandIn, startAmplifyStandIn } from '../fakes/amplify-server.js';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { pushTo } from '../fixtures/payloads.js';
import { post, signedDelivery } from '../fixtures/webhook-deliveries.js';
import { supportedNodes } from './supported-nodes.js';
import {
  expectedDatabaseUrl,
  requireBuilt,
  standInEnv,
  startWebhookProcess,
  WEBHOOK_ENTRY,
  type WebhookProcess,
} from './webhook-process.js';

const SECRET = 'e2e-webhook-secret-nodes';
const APP_ID = 'd1e2e3webnode';

let neon: NeonStandIn;
let amplify: AmplifyStandIn;
let server: WebhookProcess | undefined;

beforeEach(async () => {
  requireBuilt(WEBHOOK_ENTRY);
  neon = await startNeonStandIn({ operationSteps: 1, operationDurationMs: null });
  amplify = await startAmplifyStandIn();
  amplify.addApp({ appId: APP_ID });
});

afterEach(async () => {
  expect(await server?.stop()).toBe(0);
  server = undefined;
  expect(neon.violations).toEqual([]);
  await Promise.all([neon.close(), amplify.close()]);
});

describe.each(supportedNodes())('the webhook server on $name', ({ bin }) => {
  it('deploys a signed push: a Neon branch, its URL in Amplify, a job', async () => {
    server = await startWebhookProcess(
      { ...standInEnv(neon, amplify, APP_ID), GITHUB_WEBHOOK_SECRET: SECRET },
      bin,
    );
    amplify.addBranch(APP_ID, 'feature/node');
    const delivery = await signedDelivery({ event: 'push', payload: pushTo('feature/node'), secret: SECRET });
    expect((await post(`${server.url}/webhook`, delivery)).status).toBe(202);
    const done = await server.waitForLine(
      (line) => line.delivery === delivery.id && line.step === 'finish',
      15_000,
    );
    expect(done).toMatchObject({ outcome: 'succeeded', branch: 'feature/node' });
    const branch = neon.branchByName('preview/feature/node');
    expect(branch).toBeDefined();
    const url = new URL(
      amplify.branch(APP_ID, 'feature/node')?.environmentVariables.DATABASE_URL ?? 'missing:',
    );
    expect(url.hostname).toBe(expectedDatabaseUrl(neon, branch as NonNullable<typeof branch>).host);
    expect(amplify.branch(APP_ID, 'feature/node')?.jobs).toHaveLength(1);
  });
});
