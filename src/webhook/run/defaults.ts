import { NeonLimiters } from '../../neon/limiters.js';
import type { WebhookConfig } from '../config/config.js';
import type { JsonLogger } from '../config/log.js';
import type { RunPlan, WorkOptions } from './job.js';
import { confirmCleanup } from './replay-guard.js';

/**
 * The core's run that also reports on GitHub (src/publishing.ts), loaded with the first delivery
 * that runs a plan: it brings the Neon client, the flows and axios, which the server would
 * otherwise evaluate before it listens (measured with --cpu-prof: about 60 ms of its start), and a
 * Lambda before its first answer. It is a chunk file of its own (scripts/build.js).
 */
const runAndPublish: RunPlan = async (plan, options) =>
  (await import('../../publishing.js')).runAndPublish(plan, options);

export interface WorkDefaultsInput {
  config: Pick<WebhookConfig, 'githubApiUrl'>;
  log: JsonLogger;
  /** Tests only: the core and the replay check replaced. */
  run?: RunPlan | undefined;
  confirm?: WorkOptions['confirm'];
}

/**
 * The one set of defaults every entry works with (the server, the single Lambda and the queued
 * worker): the core's run that also reports on GitHub (the comment, the deployment), the replay
 * check of a cleanup's claim, and one Neon limiter per API key for the runs of the process
 * (README.md, "Neon's rate limit"), as docs/webhook.md promises for all three. Written once, so no
 * entry can come to run a different function from the others.
 */
export function workDefaults(input: WorkDefaultsInput): Omit<WorkOptions, 'deliveries'> & {
  run: RunPlan;
  limiters: NeonLimiters;
} {
  const { config, log } = input;
  return {
    log,
    run: input.run ?? runAndPublish,
    confirm: input.confirm ?? ((delivery) => confirmCleanup(delivery, { apiUrl: config.githubApiUrl, log })),
    githubApiUrl: config.githubApiUrl,
    limiters: new NeonLimiters(),
  };
}
