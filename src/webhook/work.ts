import { messageOf, UsageError } from '../core/errors.js';
import type { Plan } from '../core/plan.js';
import { publicOutputs, type Result, toOutputs } from '../core/result.js';
import type { RunOptions } from '../runner.js';
import type { DeliveryMemory } from './dedupe.js';
import type { Delivery } from './handler.js';
import { durationSince, type JsonLogger } from './log.js';
import type { Verdict } from './replay-guard.js';

/** The composition root's signature (src/runner.ts); tests pass another. */
export type RunPlan = (plan: Plan, options: RunOptions) => Promise<Result>;

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
}

/**
 * Runs one delivery's plan through the core and logs how it ended. Never throws: a failure is
 * logged, and the delivery id is forgotten so that GitHub's "Redeliver" (same id) runs it again.
 * Every secret the core reports goes into this job's redactor before it can reach a log line.
 */
export async function work(delivery: Delivery, options: WorkOptions): Promise<WorkOutcome> {
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
    options.deliveries.release(delivery.id);
    const message = redactor.redact(messageOf(error));
    log.error(message, { step: 'finish', outcome: 'failed', duration: durationSince(started) });
    return { ok: false, message, permanent: error instanceof UsageError };
  }
}
