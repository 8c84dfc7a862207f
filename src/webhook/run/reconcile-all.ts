import { messageOf } from '../../core/errors.js';
import { makePlan } from '../../core/plan.js';
import type { ReconcileResult } from '../../core/result.js';
import type { NeonLimiters } from '../../neon/limiters.js';
import type { WebhookConfig } from '../config/config.js';
import { durationSince, type JsonLogger } from '../config/log.js';
import type { RunPlan } from './job.js';

export interface ReconcileAllOptions {
  config: Pick<WebhookConfig, 'repositories'>;
  log: JsonLogger;
  run: RunPlan;
  limiters?: NeonLimiters | undefined;
}

export interface ReconcileSummary {
  repositories: number;
  deleted: string[];
  /** Expired by Neon (or deleted elsewhere) before the delete reached them: not failures. */
  gone: string[];
  failed: { repository: string; message: string }[];
}

/**
 * The scheduled safety net: reconcile for every configured repository (CONFIG_FILE's, or the
 * environment's one), one after the other so as not to add to the deploys' load on Neon. A failure
 * in one repository does not spare the others; the run then ends in an error naming them, so the
 * invocation shows as failed, and the next schedule tries again.
 */
export async function reconcileAll(options: ReconcileAllOptions): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = { repositories: 0, deleted: [], gone: [], failed: [] };
  for (const { repository, settings } of options.config.repositories()) {
    const name = repository ?? '(environment)';
    const redactor = options.log.redactor.child();
    const log = options.log.with({ step: 'reconcile', repository }, redactor);
    const started = performance.now();
    summary.repositories += 1;
    try {
      const plan = makePlan({ command: 'reconcile' }, settings, { defaultBranch: undefined });
      const result = (await options.run(plan, {
        settings,
        log: log.forCore('reconcile'),
        secret: redactor.add,
        limiter: options.limiters?.for(settings.neonApiHost, settings.neonApiKey),
      })) as ReconcileResult;
      const { report } = result;
      summary.deleted.push(...report.deleted);
      summary.gone.push(...report.gone);
      log.info(
        `Reconciled: ${report.deleted.length} deleted, ${report.gone.length} already gone (expired), ${report.kept.length} kept`,
        {
          outcome: 'succeeded',
          deleted: report.deleted,
          gone: report.gone,
          duration: durationSince(started),
        },
      );
    } catch (error) {
      const message = redactor.redact(messageOf(error));
      summary.failed.push({ repository: name, message });
      log.error(message, { outcome: 'failed', duration: durationSince(started) });
    }
  }
  if (summary.failed.length > 0) {
    throw new Error(
      `Reconcile failed for ${summary.failed.length} of ${summary.repositories} repositories: ${summary.failed.map((f) => `${f.repository}: ${f.message}`).join('; ')}`,
    );
  }
  return summary;
}
