import { describe, expect, it } from 'vitest';
import { loadWebhookConfig } from '../../src/webhook/config/config.js';
import { DELIVERY_ID } from '../../src/webhook/delivery/ids.js';
import type { Delivery } from '../../src/webhook/delivery/types.js';
import {
  MalformedMessage,
  messageGroupId,
  parseQueueMessage,
  toQueueMessage,
} from '../../src/webhook/sqs/message.js';

/** SQS's rule for MessageGroupId, as the stand-in (test/fakes/sqs-model.ts) enforces it. */
const SQS_GROUP_ID = /^[A-Za-z0-9!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]{1,128}$/;

describe('the delivery-id pattern', () => {
  it("is SQS's rule for a deduplication id, character for character and in length", () => {
    for (let code = 0; code < 0x3000; code += 1) {
      const character = String.fromCodePoint(code);
      expect([code, DELIVERY_ID.test(character)]).toEqual([code, SQS_GROUP_ID.test(character)]);
    }
    for (const length of [0, 1, 128, 129]) {
      expect(DELIVERY_ID.test('a'.repeat(length))).toBe(SQS_GROUP_ID.test('a'.repeat(length)));
    }
  });
});

describe('messageGroupId: one FIFO group per repository and branch', () => {
  it('is {owner}/{repo}:{branch} when SQS takes it as it is', () => {
    expect(messageGroupId('octo-org/shop', 'feature/login')).toBe('octo-org/shop:feature/login');
    expect(messageGroupId(undefined, 'main')).toBe('(none):main');
  });

  it('maps what SQS would refuse to a readable prefix, ~ and a hash: stable, distinct, at most 128', () => {
    const long = `feature/${'x'.repeat(200)}`;
    const unicode = 'feature/café-déjà';
    const space = messageGroupId('octo-org/shop', unicode);
    const ids = [
      messageGroupId('octo-org/shop', long),
      messageGroupId('octo-org/shop', `${long}y`),
      space,
      messageGroupId('octo-org/shop', 'feature/cafe\u0301-déjà'),
    ];
    for (const id of ids) {
      expect(id).toMatch(SQS_GROUP_ID);
      expect(id).toMatch(/~[0-9a-f]{16}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(messageGroupId('octo-org/shop', long)).toBe(ids[0]);
    expect(ids[0]).toHaveLength(128);
    expect(space.startsWith('octo-org/shop:feature/caf_-d_j_~')).toBe(true);
  });
});

const config = loadWebhookConfig({
  GITHUB_WEBHOOK_SECRET: 'whsec',
  NEON_API_KEY: 'napi_message_test_key',
  NEON_PROJECT_ID: 'calm-sun-123456',
  AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
  AWS_REGION: 'us-east-1',
  GITHUB_TOKEN: 'ghp_message_test_token',
  GITHUB_API_URL: 'https://github.example',
});

const cleanup: Delivery = {
  id: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
  event: 'pull_request',
  repository: 'octo-org/shop',
  plan: {
    kind: 'cleanup',
    gitBranch: 'feature/x',
    neonBranchName: 'preview/feature/x',
    deleteAmplifyBranch: false,
    clearAmplifyVariables: true,
  },
  settings: config.settingsFor('octo-org/shop') ?? (undefined as never),
  claim: { kind: 'pull-request-closed', number: 7 },
  defaultBranch: 'main',
};

describe('the queue message', () => {
  it('carries the classification and never a setting, a key or a token', () => {
    const body = JSON.stringify(toQueueMessage(cleanup, new Date('2026-01-05T09:00:00Z')));
    expect(JSON.parse(body)).toEqual({
      version: 1,
      delivery: cleanup.id,
      event: 'pull_request',
      repository: 'octo-org/shop',
      defaultBranch: 'main',
      plan: cleanup.plan,
      claim: { kind: 'pull-request-closed', number: 7 },
      acceptedAt: '2026-01-05T09:00:00.000Z',
    });
    for (const secret of config.secretValues) expect(body).not.toContain(secret);
    expect(body).not.toContain('calm-sun-123456');
    expect(parseQueueMessage(body)).toEqual(JSON.parse(body));
  });

  it("carries a push's commit for the GitHub deployment, and refuses one that is not a commit id", () => {
    const push: Delivery = {
      ...cleanup,
      event: 'push',
      plan: { kind: 'deploy', gitBranch: 'feature/x', neonBranchName: 'preview/feature/x', primary: false },
      claim: undefined,
      sha: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
    };
    const body = JSON.stringify(toQueueMessage(push, new Date('2026-01-05T09:00:00Z')));
    expect(parseQueueMessage(body)).toMatchObject({ sha: push.sha });
    const forged = body.replace(push.sha ?? '', 'main; rm -rf /');
    expect(() => parseQueueMessage(forged)).toThrowError(/'sha' is not a commit id/);
  });

  it("carries a piece's own id (one of several branches of a delivery), and refuses one SQS would not take", () => {
    const piece: Delivery = { ...cleanup, workId: `${cleanup.id}:feature/x` };
    const body = JSON.stringify(toQueueMessage(piece, new Date('2026-01-05T09:00:00Z')));
    expect(parseQueueMessage(body)).toMatchObject({ delivery: cleanup.id, workId: piece.workId });
    expect(() => parseQueueMessage(body.replace(':feature/x', ':feature x'))).toThrowError(/'workId'/);
  });

  it.each([
    ['{', /not JSON/],
    ['[]', /not a JSON object/],
    ['{"version":2}', /unknown message version 2/],
    ['{"version":1,"event":"push"}', /'delivery' is not a string/],
    ['{"version":1,"delivery":"has space","event":"push","acceptedAt":"x","plan":{}}', /not a delivery id/],
    [
      '{"version":1,"delivery":"d","event":"push","acceptedAt":"x","plan":{"kind":"reconcile"}}',
      /not a deploy or a cleanup/,
    ],
    [
      '{"version":1,"delivery":"d","event":"push","acceptedAt":"x","plan":{"kind":"cleanup","gitBranch":"a","neonBranchName":"p/a"},"claim":{"kind":"x"}}',
      /'claim' is not/,
    ],
  ])('refuses a body it cannot use: %s', (body, message) => {
    expect(() => parseQueueMessage(body)).toThrowError(MalformedMessage);
    expect(() => parseQueueMessage(body)).toThrowError(message);
  });
});
