import type { Plan } from '../core/plan.js';
import {
  type Outputs,
  type PreviewRow,
  publicOutputs,
  type ReconcileReport,
  type Result,
  SECRET_OUTPUTS,
  toOutputs,
} from '../core/result.js';
import type { CliCommand } from './commands.js';

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
  /** `list`: one entry per preview, never a connection string. */
  previews?: PreviewRow[];
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
  const outputs: Partial<Outputs> = input.result === undefined ? {} : toOutputs(input.result);
  if (!input.includeDatabaseUrl) for (const name of SECRET_OUTPUTS) delete outputs[name];
  return {
    ok: input.error === undefined,
    command: input.command,
    plan: input.plan.kind,
    dryRun: input.dryRun,
    outputs,
    ...(input.envFile === undefined ? {} : { envFile: input.envFile }),
    ...(input.result?.kind === 'reconcile' ? { reconcile: input.result.report } : {}),
    ...(input.result?.kind === 'list' ? { previews: input.result.previews } : {}),
    ...(input.error === undefined ? {} : { error: input.error }),
  };
}

/**
 * The closing lines on stderr: the outputs that mean something for this run, never a secret one;
 * for reconcile, its lists instead.
 */
export function summaryLines(result: Result): string[] {
  if (result.kind === 'reconcile') {
    const { report } = result;
    const lists: [string, string[]][] = [
      ['deleted', report.deleted],
      ['already gone (expired)', report.gone],
      ['would delete', report.wouldDelete],
      ['kept', report.kept],
      ['could not delete', report.failed.map((failure) => failure.name)],
    ];
    return lists
      .filter(([, names]) => names.length > 0)
      .map(([title, names]) => `  ${title} (${names.length}): ${names.join(', ')}`);
  }
  // The list itself goes to stdout (src/cli/preview-table.ts).
  if (result.kind === 'list') return [];
  const outputs = publicOutputs(toOutputs(result));
  // `deleted` says something only about a cleanup.
  if (result.kind !== 'cleanup') delete outputs.deleted;
  // And `anonymized` only when the preview holds masked data.
  if (outputs.anonymized === 'false') delete outputs.anonymized;
  // A diff is many lines: its size here, the text itself in `--output json`.
  const diff = outputs['schema-diff'];
  if (diff !== undefined)
    outputs['schema-diff'] = `${diff.replace(/\n$/, '').split('\n').length} lines (in --output json)`;
  return Object.entries(outputs).map(([name, value]) => `  ${name}: ${value}`);
}
