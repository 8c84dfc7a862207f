import { createAmplifyPort } from './amplify/port.js';
import { execute, needsAmplify } from './core/executor.js';
import type { Plan } from './core/plan.js';
import type { Logger, Sleep } from './core/ports.js';
import type { Result } from './core/result.js';
import { requireRegion, type Settings } from './core/settings.js';
import { createNeonPort } from './neon/port.js';

export interface RunOptions {
  settings: Settings;
  log: Logger;
  /** Masks a secret in everything printed from now on (`core.setSecret` in the action). */
  secret: (value: string) => void;
  /** See ExecuteOptions.neonOnly: the CLI inside an Amplify build. */
  neonOnly?: boolean;
  sleep?: Sleep;
}

/** The composition root every front end calls: real ports from settings, then the executor. */
export async function runPlan(plan: Plan, options: RunOptions): Promise<Result> {
  const { settings, log } = options;
  const neonOnly = options.neonOnly ?? false;
  const neon = createNeonPort({
    apiKey: settings.neonApiKey,
    apiHost: settings.neonApiHost,
    projectId: settings.neonProjectId,
    log,
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  // Checked before the first request: a plan that calls Amplify without a region fails up front.
  const amplify = needsAmplify(plan, neonOnly)
    ? createAmplifyPort({ appId: settings.amplifyAppId, region: requireRegion(settings), log })
    : undefined;
  return execute(plan, { ...options, neon, amplify, neonOnly });
}
