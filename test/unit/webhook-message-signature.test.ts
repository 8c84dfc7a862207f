import { createHmac } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { messageSigner } from '../../src/webhook/sqs/signature.js';

/** docs/webhook.md, "The message": the key is HMAC-SHA256(secret, this label), never the secret. */
const LABEL = 'neon-amplify-branch queue message v1';
const hex = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text).digest('hex');
const expected = (secret: string, body: string) =>
  `sha256=${hex(createHmac('sha256', secret).update(LABEL).digest(), body)}`;

const body = '{"version":1,"delivery":"d-1","defaultBranch":"main"}';

describe('the queue message signature', () => {
  it('is the HMAC-SHA256 of the body under a key derived from the first webhook secret', () => {
    expect(messageSigner(['new-secret', 'old-secret']).sign(body)).toBe(expected('new-secret', body));
  });

  it('verifies under any secret of the list, so a rotation loses no message in the queue', () => {
    const signedBefore = messageSigner(['old-secret']).sign(body);
    const signedAfter = messageSigner(['new-secret', 'old-secret']).sign(body);
    for (const secrets of [['new-secret', 'old-secret'], ['old-secret']]) {
      expect(messageSigner(secrets).verify(body, signedBefore)).toBe(true);
    }
    expect(messageSigner(['new-secret', 'old-secret']).verify(body, signedAfter)).toBe(true);
    expect(messageSigner(['old-secret']).verify(body, signedAfter)).toBe(false);
  });

  it('refuses a changed body, another secret, a malformed or missing signature', () => {
    const signer = messageSigner(['the-secret']);
    const signature = signer.sign(body);
    expect(signer.verify(body.replace('main', 'feature/x'), signature)).toBe(false);
    expect(messageSigner(['another-secret']).verify(body, signature)).toBe(false);
    for (const bad of [
      undefined,
      '',
      'sha256=',
      signature.toUpperCase(),
      `${signature}00`,
      signature.slice(7),
    ]) {
      expect(signer.verify(body, bad), String(bad)).toBe(false);
    }
  });

  it("is never GitHub's signature of the same bytes: a delivery's cannot pass as a message's", async () => {
    const github = await sign('the-secret', body);
    expect(github).toBe(`sha256=${hex('the-secret', body)}`);
    expect(messageSigner(['the-secret']).verify(body, github)).toBe(false);
  });
});
