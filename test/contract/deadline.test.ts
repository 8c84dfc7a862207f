import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAmplifyPort } from '../../src/amplify/port.js';
import { Deadline } from '../../src/core/deadline.js';
import { TimeoutError } from '../../src/core/errors.js';
import { createNeonPort } from '../../src/neon/port.js';
import {
  AMPLIFY_TEST_CREDENTIALS,
  type AmplifyStandIn,
  startAmplifyStandIn,
} from '../fakes/amplify-server.js';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';

/**
 * The run's budget (timeout-minutes) against services that hang: each port gives up when the budget
 * is used up, whatever its own request timeout and retries would allow, and names the call.
 */
const quiet = { info: () => {}, warning: () => {}, debug: () => {} };
let neon: NeonStandIn;
let amplify: AmplifyStandIn;

beforeAll(async () => {
  neon = await startNeonStandIn();
  amplify = await startAmplifyStandIn({ region: 'eu-west-1' });
  vi.stubEnv('AWS_ENDPOINT_URL_AMPLIFY', amplify.url);
  vi.stubEnv('AWS_ACCESS_KEY_ID', AMPLIFY_TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', AMPLIFY_TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/aws/config');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws/credentials');
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all([neon.close(), amplify.close()]);
});

describe('the run budget', () => {
  it('stops a Neon call that hangs once the budget is used up, naming the call, though each attempt may take 30 s', async () => {
    // Without the budget: 6 attempts of up to 30 s each, minutes before the run fails.
    neon.injectFault({ path: /\/branches$/, times: 10, fault: { kind: 'delay', ms: 5_000 } });
    const port = createNeonPort({
      apiKey: neon.apiKey,
      apiHost: neon.url,
      projectId: neon.projectId,
      log: quiet,
      requestTimeoutMs: 30_000,
      deadline: new Deadline(400),
    });
    const started = performance.now();
    const failure = port.findBranchByName('preview/x');
    await expect(failure).rejects.toThrow(TimeoutError);
    await expect(failure).rejects.toThrow(
      /Finding Neon branch 'preview\/x' did not finish within the run's budget of 400 ms \(timeout-minutes\)/,
    );
    expect(performance.now() - started).toBeLessThan(4_000);
    neon.clearFaults();
  });

  it('stops an Amplify call that hangs, though the SDK would retry it', async () => {
    const app = amplify.addApp();
    amplify.injectFault({ operation: 'GetBranch', times: 10, action: { kind: 'latency', ms: 5_000 } });
    const port = createAmplifyPort({
      appId: app.appId,
      region: 'eu-west-1',
      log: quiet,
      requestTimeoutMs: 30_000,
      deadline: new Deadline(400),
    });
    const started = performance.now();
    const failure = port.getBranch('feat/x');
    await expect(failure).rejects.toThrow(TimeoutError);
    await expect(failure).rejects.toThrow(
      /Reading Amplify branch 'feat\/x' did not finish within the run's budget/,
    );
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('refuses to start a call once the budget is gone', async () => {
    const port = createNeonPort({
      apiKey: neon.apiKey,
      apiHost: neon.url,
      projectId: neon.projectId,
      log: quiet,
      deadline: new Deadline(0),
    });
    const before = neon.requests.length;
    await expect(port.getDefaultBranch()).rejects.toThrow(/did not finish within the run's budget/);
    expect(neon.requests.length).toBe(before);
  });
});
