import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmplifyStandIn, startAmplifyStandIn } from '../fakes/amplify-server.js';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { pushTo } from '../fixtures/payloads.js';
import { post, signedDelivery } from '../fixtures/webhook-deliveries.js';
import {
  requireBuilt,
  standInEnv,
  startWebhookProcess,
  WEBHOOK_ENTRY,
  type WebhookProcess,
} from './webhook-process.js';

/**
 * migrate-command in the built webhook server: whatever one delivery's command prints, the process
 * and the deliveries after it carry on.
 */
const SECRET = 'e2e-migrate-webhook-secret';
const APP_ID = 'd1e2e3migrate';
/**
 * 80 MB without a newline on the branch named flood, then a line and exit 3; elsewhere a short
 * migration that fails if any of the server's secrets reached it.
 */
const MIGRATE_COMMAND = [
  'case "$NEON_BRANCH_NAME" in',
  `*flood) head -c 80000000 /dev/zero | tr '\\0' x; echo; echo "flood ended"; exit 3;;`,
  'esac',
  'if [ -n "$GITHUB_WEBHOOK_SECRET$NEON_API_KEY$AWS_SECRET_ACCESS_KEY" ]; then echo "secrets leaked"; exit 9; fi',
  'echo "migrated $NEON_BRANCH_NAME with $SENTRY_DSN"',
].join('\n');

let neon: NeonStandIn;
let amplify: AmplifyStandIn;
let server: WebhookProcess;

beforeAll(async () => {
  requireBuilt(WEBHOOK_ENTRY);
  neon = await startNeonStandIn({ operationSteps: 1, operationDurationMs: null });
  amplify = await startAmplifyStandIn();
  amplify.addApp({ appId: APP_ID });
  server = await startWebhookProcess({
    ...standInEnv(neon, amplify, APP_ID),
    GITHUB_WEBHOOK_SECRET: SECRET,
    MIGRATE_COMMAND,
    MIGRATE_ENV: 'SENTRY_DSN',
    SENTRY_DSN: 'https://sentry.example/1',
  });
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  expect(server.output()).not.toContain(neon.apiKey);
  expect(neon.violations).toEqual([]);
  await Promise.all([neon?.close(), amplify?.close()]);
});

async function deliver(branch: string) {
  const delivery = await signedDelivery({ event: 'push', payload: pushTo(branch), secret: SECRET });
  const answer = await post(`${server.url}/webhook`, delivery);
  expect(answer.status).toBe(202);
  return delivery.id;
}

const finished = (id: string) =>
  server.waitForLine((line) => line.delivery === id && line.step === 'finish', 60_000);

describe('migrate-command in the webhook server', () => {
  it('survives a command that floods its output; the delivery fails alone and a later one completes', {
    timeout: 120_000,
  }, async () => {
    const flood = await deliver('flood');
    const after = await deliver('feature/after');
    expect(await finished(flood)).toMatchObject({
      level: 'error',
      outcome: 'failed',
      msg: expect.stringMatching(/^migrate-command exited with code 3; .*\nflood ended$/s),
    });
    expect(await finished(after)).toMatchObject({ outcome: 'succeeded' });
    expect(server.child.exitCode).toBeNull();
    expect(server.lines.map((line) => line.msg)).toContain(
      'migrated preview/feature/after with https://sentry.example/1',
    );
    expect(amplify.branch(APP_ID, 'feature/after')?.environmentVariables.DATABASE_URL).toMatch(/^postgres/);
    expect(amplify.branch(APP_ID, 'flood')).toBeUndefined();
    // Every line the server wrote stays small: the flood's line was cut at 64 KiB, its error's tail at 8 KiB.
    const longest = Math.max(
      ...server
        .output()
        .split('\n')
        .map((line) => Buffer.byteLength(line)),
    );
    expect(longest).toBeLessThan(80 * 1024);
  });
});
