import { messageOf, UsageError } from '../../core/errors.js';
import type { Plan } from '../../core/plan.js';
import { publicOutputs, type Result, toOutputs } from '../../core/result.js';
import { githubTarget } from '../../github/target.js';
import type { NeonLimiters } from '../../neon/limiters.js';
import type { PublishedRunOptions } from '../../publishing.js';
import { durationSince, type JsonLogger } from '../config/log.js';
import { type Delivery, workIdOf } from '../delivery/types.js';
import type { DeliveryMemory } from './dedupe.js';
import type { Verdict } from './replay-guard.js';

/** The composition root's signature (src/runner.ts); tests pass another. */
export type RunPlan = (plan: Plan, options: PublishedRunOptions) => Promise<Result>;

export type WorkOutcome =
  | { ok: true; outputs: Record<string, string> }
  /** `permanent`: a usage error (settings, a branch name), which fails the same way every time. */
  | { ok: false; message: string; permanent: boolean };

export interface WorkOptions {
  log: JsonLogger;
  run: RunPlan;
  deliveries: DeliveryMemory;
  /** Checks a cleanup's claim with GitHub before anything is deleted (see replay-guard.ts). */
  confirm?: (delivery: Delivery) => Promise<Verdict>;
  /** GITHUB_API_URL, for the comment and the deployment (with a configured github-token). */
  githubApiUrl?: string | undefined;
  /** Shared by every delivery of the process: runs with one Neon API key hold its limit together. */
  limiters?: NeonLimiters | undefined;
}

/**
 * Runs one delivery's plan through the core and logs how it ended. Never throws: a failure is
 * logged, and the delivery id is forgotten so that GitHub's "Redeliver" (same id) runs it again.
 * Every secret the core reports goes into this job's redactor before it can reach a log line.
 */
export async function work(delivery: Delivery, options: WorkOptions): Promise<WorkOutcome> {
  try {
    return await attempt(delivery, options);
  } catch (error) {
    // The job's own log lines failed (a line too long to serialize, a broken stdout): a throw here
    // would be an unhandled rejection in the server's lanes (src/webhook/run/app.ts), ending the process.
    return { ok: false, message: failedInternally(delivery, error, options), permanent: false };
  }
}

/**
 * A delivery whose work failed outside the core (its own logging, or the lanes around it): the id
 * is forgotten so a redelivery runs, and the failure is logged if logging still works. Returns the
 * redacted message.
 */
export function failedInternally(
  delivery: Pick<Delivery, 'id' | 'workId'>,
  error: unknown,
  { log, deliveries }: Pick<WorkOptions, 'log' | 'deliveries'>,
): string {
  forget(delivery, deliveries);
  // Nothing here may throw: in the server's lanes this runs where no one would catch it.
  let message = 'an internal error';
  try {
    message = log.redactor.redact(messageOf(error));
    log.error(`Internal error: ${message}`, { delivery: delivery.id, step: 'finish', outcome: 'failed' });
  } catch {
    // Nothing left to say it with; the caller still has the message.
  }
  return message;
}

/**
 * A redelivery runs again: the server remembers the delivery id, the worker each piece's own
 * (`workIdOf`); forgetting both serves either.
 */
function forget(delivery: Pick<Delivery, 'id' | 'workId'>, deliveries: DeliveryMemory): void {
  deliveries.release(delivery.id);
  deliveries.release(workIdOf(delivery));
}

async function attempt(delivery: Delivery, options: WorkOptions): Promise<WorkOutcome> {
  const redactor = options.log.redactor.child();
  const log = options.log.with(
    {
      delivery: delivery.id,
      event: delivery.event,
      repository: delivery.repository,
      branch: delivery.plan.gitBranch,
    },
    redactor,
  );
  const started = performance.now();
  log.info(`Starting ${delivery.plan.kind}`, { step: 'start' });
  try {
    const verdict = (await options.confirm?.(delivery)) ?? { ok: true };
    if (!verdict.ok) {
      log.warning(`Not cleaning up: ${verdict.reason}; the delivery is stale or replayed`, {
        step: 'finish',
        outcome: 'refused',
        duration: durationSince(started),
      });
      return { ok: true, outputs: { deleted: 'false' } };
    }
    const result = await options.run(delivery.plan, {
      settings: delivery.settings,
      log: log.forCore(delivery.plan.kind),
      secret: redactor.add,
      github: githubOf(delivery, options.githubApiUrl),
      limiter: options.limiters?.for(delivery.settings.neonApiHost, delivery.settings.neonApiKey),
    });
    const outputs = publicOutputs(toOutputs(result));
    log.info(`Finished ${delivery.plan.kind}`, {
      step: 'finish',
      outcome: 'succeeded',
      duration: durationSince(started),
      outputs,
    });
    return { ok: true, outputs };
  } catch (error) {
    forget(delivery, options.deliveries);
    const message = redactor.redact(messageOf(error));
    log.error(message, { step: 'finish', outcome: 'failed', duration: durationSince(started) });
    return { ok: false, message, permanent: error instanceof UsageError };
  }
}

/**
 * Where the delivery is reported on GitHub: with the `github-token` of its settings (GITHUB_TOKEN,
 * or CONFIG_FILE's), the repository it came from; none without a token. A closed pull request names
 * the pull request whose comment says the branch was deleted.
 */
function githubOf(delivery: Delivery, apiUrl: string | undefined) {
  const target = githubTarget({
    token: delivery.settings.githubToken,
    apiUrl,
    repository: delivery.repository,
    sha: delivery.sha,
  });
  if (target !== undefined && delivery.claim?.kind === 'pull-request-closed') {
    target.pullNumbers = [delivery.claim.number];
  }
  return target;
}
