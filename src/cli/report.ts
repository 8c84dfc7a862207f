import type { Outputs, ReconcileReport, Result } from '../core/executor.js';
import type { Plan } from '../core/plan.js';
import type { CliCommand } from './args.js';

/** The one JSON document `--output json` prints on stdout. */
export interface JsonResult {
  ok: boolean;
  command: CliCommand;
  /** What the run turned into: `none` when there was nothing to do (a primary branch's cleanup). */
  plan: Plan['kind'];
  dryRun: boolean;
  /**
   * The action's outputs, by the same names. `database-url` only with `--include-database-url`:
   * stdout of a build is its log, and a connection string there is the script's mistake again.
   */
  outputs: Partial<Outputs>;
  /** The dotenv file written, when one was. */
  envFile?: string;
  reconcile?: ReconcileReport;
  error?: string;
}

export interface ReportInput {
  command: CliCommand;
  plan: Plan;
  dryRun: boolean;
  result?: Result | undefined;
  includeDatabaseUrl: boolean;
  envFile?: string | undefined;
  error?: string | undefined;
}

export function jsonResult(input: ReportInput): JsonResult {
  const outputs: Partial<Outputs> = { ...(input.result?.outputs ?? {}) };
  if (!input.includeDatabaseUrl) delete outputs['database-url'];
  return {
    ok: input.error === undefined,
    command: input.command,
    plan: input.plan.kind,
    dryRun: input.dryRun,
    outputs,
    ...(input.envFile === undefined ? {} : { envFile: input.envFile }),
    ...(input.result?.reconcile === undefined ? {} : { reconcile: input.result.reconcile }),
    ...(input.error === undefined ? {} : { error: input.error }),
  };
}

/**
 * The closing lines on stderr: the outputs that mean something for this plan, never the connection
 * string; for reconcile, its lists instead.
 */
export function summaryLines(plan: Plan, result: Result): string[] {
  const report = result.reconcile;
  if (report !== undefined) {
    const lists: [string, string[]][] = [
      ['deleted', report.deleted],
      ['would delete', report.wouldDelete],
      ['kept', report.kept],
      ['could not delete', report.failed.map((failure) => failure.name)],
    ];
    return lists
      .filter(([, names]) => names.length > 0)
      .map(([title, names]) => `  ${title} (${names.length}): ${names.join(', ')}`);
  }
  const lines: string[] = [];
  for (const [name, value] of Object.entries(result.outputs) as [keyof Outputs, string][]) {
    if (name === 'database-url' || value === '' || (name === 'deleted' && plan.kind !== 'cleanup')) continue;
    lines.push(`  ${name}: ${value}`);
  }
  return lines;
}
