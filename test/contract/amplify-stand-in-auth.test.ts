/**
 * The stand-in's signature checks: that it refuses what AWS refuses (SigV4 over the path, the key,
 * the service and the region, 15 minutes of clock skew), probed with hand-signed requests.
 */
import { describe, expect, it } from 'vitest';
import { rawAmplifyRequest } from '../fakes/amplify-raw.js';
import { amplifyStandInStarter } from './amplify-stand-in-start.js';

const start = amplifyStandInStarter();

describe('authentication', () => {
  it('refuses an unsigned request like AWS, with a request id', async () => {
    const standIn = await start();
    const app = standIn.addApp();

    const response = await rawAmplifyRequest(standIn, {
      method: 'GET',
      path: `/apps/${app.appId}`,
      unsigned: true,
    });

    expect(response.status).toBe(403);
    expect(response.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.json).toEqual({ message: 'Missing Authentication Token' });
  });

  it('accepts a correctly signed request', async () => {
    const standIn = await start();
    const app = standIn.addApp();
    const response = await rawAmplifyRequest(standIn, { method: 'GET', path: `/apps/${app.appId}` });
    expect(response.status).toBe(200);
    expect(response.headers['x-amzn-requestid']).toBe(standIn.requests[0]?.requestId);
  });

  it('refuses a request whose path differs from the signed one', async () => {
    const standIn = await start();
    const app = standIn.addApp();
    standIn.addBranch(app.appId, 'a');
    standIn.addBranch(app.appId, 'b');

    const response = await rawAmplifyRequest(standIn, {
      method: 'GET',
      path: `/apps/${app.appId}/branches/a`,
      sendPath: `/apps/${app.appId}/branches/b`,
    });

    expect(response.status).toBe(403);
    expect(response.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
  });

  it('refuses a signature older than 15 minutes', async () => {
    const standIn = await start();
    const app = standIn.addApp();
    const response = await rawAmplifyRequest(standIn, {
      method: 'GET',
      path: `/apps/${app.appId}`,
      signingDate: new Date(Date.now() - 20 * 60_000),
    });
    expect(response.status).toBe(403);
    expect(response.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
    expect(String((response.json as { message: string }).message)).toMatch(/^Signature expired/);
  });

  it('refuses an unknown key, another service and another region', async () => {
    const standIn = await start({ region: 'eu-central-1' });
    const app = standIn.addApp();
    const path = `/apps/${app.appId}`;

    const unknownKey = await rawAmplifyRequest(standIn, {
      method: 'GET',
      path,
      credentials: { accessKeyId: 'AKIANOTKNOWN00000000', secretAccessKey: 'x' },
    });
    const otherRegion = await rawAmplifyRequest(standIn, { method: 'GET', path, region: 'us-east-1' });

    expect([unknownKey.status, unknownKey.headers['x-amzn-errortype']]).toEqual([
      403,
      'UnrecognizedClientException',
    ]);
    expect([otherRegion.status, otherRegion.headers['x-amzn-errortype']]).toEqual([
      403,
      'InvalidSignatureException',
    ]);
  });
});
