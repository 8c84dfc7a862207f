import { lazyAmplifyPort } from './amplify/lazy.js';
import { requireAmplify } from './core/amplify-settings.js';
import { Deadline } from './core/deadline.js';
import { type ExecuteOptions, execute, needsAmplify } from './core/executor.js';
import type { Plan } from './core/plan.js';
import type { Logger, MigrationRunner, Sleep } from './core/ports.js';
import type { RateLimiter } from './core/rate-limiter.js';
import type { Result } from './core/result.js';
import type { Settings } from './core/settings.js';
import { createNeonPort } from './neon/port.js';

export interface RunOptions {
  settings: Settings;
  log: Logger;
  /** Masks a secret in everything printed from now on (`core.setSecret` in the action). */
  secret: (value: string) => void;
  /** See ExecuteOptions.neonOnly: the CLI inside an Amplify build. */
  neonOnly?: boolean;
  sleep?: Sleep;
  /** See ExecuteOptions.onJobStarted: the GitHub deployment goes `in_progress` there. */
  onJobStarted?: ExecuteOptions['onJobStarted'];
  /**
   * Paces this run's Neon requests together with other runs' (src/neon/limiters.ts): the webhook's
   * concurrent deliveries share one per API key. Default: the run's own.
   */
  limiter?: RateLimiter | undefined;
}

/** The composition root every front end calls: real ports from settings, then the executor. */
export async function runPlan(plan: Plan, options: RunOptions): Promise<Result> {
  const { settings, log } = options;
  const neonOnly = options.neonOnly ?? false;
  // Checked before the first request: a plan that calls Amplify without an app or region fails up front.
  const target = needsAmplify(plan, neonOnly) ? requireAmplify(settings) : undefined;
  const deadline = new Deadline(settings.timeoutMinutes * 60_000);
  const neon = createNeonPort({
    apiKey: settings.neonApiKey,
    apiHost: settings.neonApiHost,
    projectId: settings.neonProjectId,
    log,
    deadline,
    sleep: options.sleep,
    limiter: options.limiter,
  });
  const amplify = target && lazyAmplifyPort({ ...target, log, deadline });
  return execute(plan, { ...options, neon, amplify, neonOnly, deadline, migrate: shellMigration });
}

/** The shell runner, loaded only by a run that has a migrate-command (it brings child_process). */
const shellMigration: MigrationRunner = async (input) =>
  (await import('./migrate/shell.js')).runShellMigration(input);
