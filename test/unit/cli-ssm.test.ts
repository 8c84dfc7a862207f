import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readSecureParameter } from '../../src/cli/ssm.js';
import type { Logger } from '../../src/core/ports.js';
import { type SsmStandIn, startSsmStandIn } from '../fakes/ssm-server.js';

let ssm: SsmStandIn;
let warnings: string[];
let log: Logger;

beforeEach(async () => {
  ssm = await startSsmStandIn();
  warnings = [];
  log = { info: () => undefined, debug: () => undefined, warning: (message) => warnings.push(message) };
  vi.stubEnv('AWS_ENDPOINT_URL_SSM', ssm.url);
  vi.stubEnv('AWS_ACCESS_KEY_ID', ssm.credentials.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', ssm.credentials.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws-config');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials');
  vi.stubEnv('AWS_REGION', undefined);
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await ssm.close();
});

describe('readSecureParameter', () => {
  it('reads a SecureString decrypted, with a signed GetParameter', async () => {
    ssm.putParameter({ name: '/neon/api-key', value: 'napi_from_ssm\n' });
    expect(await readSecureParameter('/neon/api-key', { region: ssm.region, log })).toBe('napi_from_ssm');
    expect(ssm.requests).toEqual([
      expect.objectContaining({
        target: 'AmazonSSM.GetParameter',
        name: '/neon/api-key',
        withDecryption: true,
        status: 200,
        accessKeyId: ssm.credentials.accessKeyId,
        region: ssm.region,
      }),
    ]);
    expect(warnings).toEqual([]);
  });

  it("takes the region of a parameter given by ARN over the build's", async () => {
    ssm.putParameter({ name: '/neon/api-key', value: 'napi_by_arn' });
    const arn = `arn:aws:ssm:${ssm.region}:123456789012:parameter/neon/api-key`;
    expect(await readSecureParameter(arn, { region: 'eu-central-1', log })).toBe('napi_by_arn');
    expect(ssm.requests[0]?.region).toBe(ssm.region);
  });

  it('warns when the key is stored as a plain String', async () => {
    ssm.putParameter({ name: 'neon-key', value: 'napi_plain', type: 'String' });
    expect(await readSecureParameter('neon-key', { region: ssm.region, log })).toBe('napi_plain');
    expect(warnings).toEqual([
      expect.stringContaining("SSM parameter 'neon-key' is a String, not a SecureString"),
    ]);
  });

  it('a missing parameter names it and its region', async () => {
    await expect(readSecureParameter('/neon/nope', { region: ssm.region, log })).rejects.toMatchObject({
      message:
        "Reading the Neon API key from SSM parameter '/neon/nope' failed: ParameterNotFound: no parameter named '/neon/nope' in us-east-1 (names are case-sensitive and start with / when hierarchical)",
    });
    expect(ssm.requests.map((request) => request.errorType)).toEqual(['ParameterNotFound']);
  });

  it('denied access names the parameter and the permissions to grant', async () => {
    ssm.putParameter({ name: '/neon/api-key', value: 'napi_x' });
    ssm.denyParameter('/neon/api-key');
    const reading = readSecureParameter('/neon/api-key', { region: ssm.region, log });
    await expect(reading).rejects.toThrow(
      /^Reading the Neon API key from SSM parameter '\/neon\/api-key' failed: AccessDeniedException/,
    );
    await expect(reading).rejects.toThrow('ssm:GetParameter');
  });

  it('a KMS key the caller may not use is access denied too, naming kms:Decrypt', async () => {
    ssm.putParameter({ name: '/neon/api-key', value: 'napi_x', kmsDecryptDenied: true });
    const reading = readSecureParameter('/neon/api-key', { region: ssm.region, log });
    await expect(reading).rejects.toThrow("SSM parameter '/neon/api-key'");
    await expect(reading).rejects.toThrow('kms:Decrypt');
  });

  it('wrong credentials are named as such, not as a missing parameter', async () => {
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-the-secret');
    ssm.putParameter({ name: '/neon/api-key', value: 'napi_x' });
    await expect(readSecureParameter('/neon/api-key', { region: ssm.region, log })).rejects.toThrow(
      "SSM parameter '/neon/api-key' failed: InvalidSignatureException",
    );
  });

  it('an empty parameter is an error, not an empty key', async () => {
    ssm.putParameter({ name: '/neon/api-key', value: '  ' });
    await expect(readSecureParameter('/neon/api-key', { region: ssm.region, log })).rejects.toMatchObject({
      message: "Reading the Neon API key from SSM parameter '/neon/api-key' failed: the parameter is empty",
    });
  });

  it('no region anywhere is named as such before any request', async () => {
    ssm.putParameter({ name: '/neon/api-key', value: 'napi_x' });
    await expect(readSecureParameter('/neon/api-key', { region: undefined, log })).rejects.toThrow(
      /^Reading the Neon API key from SSM parameter '\/neon\/api-key' failed: no AWS region \(.+\): set --aws-region, AWS_REGION or AWS_DEFAULT_REGION, or give the parameter as an ARN$/,
    );
    expect(ssm.requests).toEqual([]);
  });

  it("with no region given, takes the one of the profile in the AWS config file, as the SDK's chain does", async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'ssm-region-')), 'config');
    writeFileSync(config, `[default]\nregion = ${ssm.region}\n`);
    vi.stubEnv('AWS_CONFIG_FILE', config);
    ssm.putParameter({ name: '/neon/api-key', value: 'napi_from_profile' });
    expect(await readSecureParameter('/neon/api-key', { region: undefined, log })).toBe('napi_from_profile');
    expect(ssm.requests[0]?.region).toBe(ssm.region);
  });
});
