/**
 * Amplify's 50-branch quota is CreateBranch's LimitExceededException; Amplify publishes no wording
 * for it, so the deploy must not depend on the message.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import { execute } from '../../src/core/executor.js';
import { makePlan } from '../../src/core/plan.js';
import { MemoryAmplify, MemoryNeon } from '../fakes/memory-ports.js';
import { testSettings } from '../fakes/settings.js';

describe('app full', () => {
  it('is CreateBranch answering LimitExceededException, whatever its message says', async () => {
    const settings = testSettings();
    const amplify = new MemoryAmplify();
    amplify.failOn.createBranch = new ApiError(
      "Creating Amplify branch 'feat/x'",
      '429 LimitExceededException: Quota hit.',
      { service: 'Amplify', status: 429, code: 'LimitExceededException' },
    );
    const plan = makePlan({ command: 'deploy', gitBranch: 'feat/x' }, settings, { defaultBranch: 'main' });

    const deploying = execute(plan, {
      neon: new MemoryNeon(),
      amplify,
      settings,
      log: { info: () => {}, warning: () => {}, debug: () => {} },
      secret: () => {},
    });

    await expect(deploying).rejects.toThrow(/Amplify app d1a2b3c4d5e6f7 is full/);
    expect(amplify.calls.some((call) => call.startsWith('amplify.startJob'))).toBe(false);
  });
});
