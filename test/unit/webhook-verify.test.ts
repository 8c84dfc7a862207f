import { createHmac } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/webhook/github/verify.js';

/** Computed here with node:crypto, independently of the code under test. */
const hmac = (secret: string, bytes: Buffer) =>
  `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`;

describe('verifySignature', () => {
  const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/feature/ünïcode', zen: '✓' }), 'utf8');

  it("accepts GitHub's signature of the raw bytes", async () => {
    expect(await verifySignature(['s1'], body, hmac('s1', body))).toBe(true);
    expect(await verifySignature(['s1'], body, await sign('s1', body.toString('utf8')))).toBe(true);
  });

  it('accepts any secret of a rotation list, and no other', async () => {
    expect(await verifySignature(['new', 'old'], body, hmac('old', body))).toBe(true);
    expect(await verifySignature(['new', 'old'], body, hmac('older', body))).toBe(false);
    expect(await verifySignature([], body, hmac('new', body))).toBe(false);
  });

  it('rejects a body changed after signing, by even one byte', async () => {
    const changed = Buffer.from(body);
    changed[5] = (changed[5] ?? 0) ^ 1;
    expect(await verifySignature(['s1'], changed, hmac('s1', body))).toBe(false);
  });

  it('rejects malformed signatures without comparing', async () => {
    const good = hmac('s1', body);
    for (const signature of [
      '',
      'sha256=',
      good.toUpperCase(),
      good.slice(0, -1),
      `sha1=${good.slice(7)}`,
      `${good} `,
    ]) {
      expect(await verifySignature(['s1'], body, signature)).toBe(false);
    }
  });

  it('refuses bodies that are not UTF-8 or empty, so no two bodies share a signature', async () => {
    // U+FFFD is what an invalid byte decodes to: a check over decoded text would take the second
    // body with the first one's signature.
    const replacement = Buffer.from('{"a":"\uFFFD"}', 'utf8');
    const invalid = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}')]);
    expect(invalid.toString('utf8')).toBe(replacement.toString('utf8'));
    expect(await verifySignature(['s1'], invalid, hmac('s1', replacement))).toBe(false);
    // GitHub sends UTF-8 JSON only: another body is refused even under its own signature.
    expect(await verifySignature(['s1'], invalid, hmac('s1', invalid))).toBe(false);
    expect(await verifySignature(['s1'], Buffer.alloc(0), hmac('s1', Buffer.alloc(0)))).toBe(false);
  });
});
