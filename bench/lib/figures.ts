/**
 * The bench's arithmetic and its report: medians, ratios against a floor or a peer measured in
 * the same run, the verdict against the target, the table and the JSON line. No I/O.
 */

export type Unit = 'ms' | 's' | 'MiB' | 'x' | '/s';

export interface Amount {
  value: number;
  unit: Unit;
}

export interface Figure {
  /** The name `--only` takes, also the key in the JSON line. */
  measure: string;
  /** What is measured, as the issue words it. */
  title: string;
  /** Median of the runs; absent when the measure could not run (see `missing`). */
  ours?: Amount;
  /** What `ours` is divided by: a floor (`D + 3L`) or a peer measured in the same run. */
  against?: { label: string; amount: Amount };
  /** ours / against; lower is better. */
  ratio?: number;
  /** The target for `ratio`: met when ratio <= target. */
  target?: number;
  /** Every sample of `ours`, in run order, so a reader sees the spread. */
  samples?: number[];
  /** Anything else worth a column: memory, 429 counts, what a peer skips. */
  notes?: string[];
  /** Why the measure did not run (a peer that is not installed); the rest of the bench still runs. */
  missing?: string;
  /** Extra machine-readable numbers for the JSON line (e.g. `peakRssMiB`, `answers429`). */
  extra?: Record<string, number | string | boolean>;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  // An even count takes the mean of the two middle values, as statistics texts define it.
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function ratio(ours: number, against: number): number {
  if (!(against > 0)) throw new Error(`ratio against ${against}: the reference must be positive`);
  return ours / against;
}

/** `undefined` when there is no ratio or no target: nothing to judge. */
export function isMet(figure: Pick<Figure, 'ratio' | 'target'>): boolean | undefined {
  if (figure.ratio === undefined || figure.target === undefined) return undefined;
  return figure.ratio <= figure.target;
}

/** Two decimals, as the issue writes them; three where two would round across the target. */
export function formatRatio(figure: Pick<Figure, 'ratio' | 'target'>): string {
  if (figure.ratio === undefined) return '—';
  const short = figure.ratio.toFixed(2);
  const crosses =
    figure.target !== undefined && Number(short) <= figure.target !== figure.ratio <= figure.target;
  return crosses ? figure.ratio.toFixed(3) : short;
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export function formatAmount(amount: Amount): string {
  switch (amount.unit) {
    case 'ms':
      // Whole milliseconds for process runs; a request's few milliseconds keep their tenth.
      return amount.value < 10 ? `${amount.value.toFixed(1)} ms` : `${Math.round(amount.value)} ms`;
    case 's':
      return `${amount.value.toFixed(1)} s`;
    case 'MiB':
      return `${amount.value.toFixed(0)} MiB`;
    case 'x':
      return `${amount.value.toFixed(2)}×`;
    case '/s':
      return `${Math.round(amount.value)}/s`;
  }
}

/** Neon's limit: 700 requests a minute per account (https://api-docs.neon.tech/reference/api-rate-limiting). */
export const NEON_REQUESTS_PER_MINUTE = 700;

/** The requests of one deploy, each service's the median over the runs. */
export interface RequestBudget {
  neon: number;
  amplify: number;
  /** How many such deploys one Neon account's limit allows a minute: 700 / Neon requests. */
  perMinute: number;
}

export function requestBudget(runs: readonly { neon: number; amplify: number }[]): RequestBudget {
  const neon = median(runs.map((run) => run.neon));
  const amplify = median(runs.map((run) => run.amplify));
  if (!(neon > 0)) throw new Error('a deploy that sent Neon no request has no budget to share');
  return { neon, amplify, perMinute: NEON_REQUESTS_PER_MINUTE / neon };
}

/** A Markdown table, one row a figure. */
export function renderTable(figures: readonly Figure[]): string {
  const header = ['measure', 'ours (median)', 'against', 'ratio', 'target', 'met', 'notes'];
  const rows = figures.map((figure) => {
    if (figure.missing !== undefined) {
      return [figure.title, '—', '—', '—', target(figure), '—', `not run: ${figure.missing}`];
    }
    const met = isMet(figure);
    return [
      figure.title,
      figure.ours === undefined ? '—' : formatAmount(figure.ours),
      figure.against === undefined ? '—' : `${figure.against.label} = ${formatAmount(figure.against.amount)}`,
      formatRatio(figure),
      target(figure),
      met === undefined ? '—' : met ? 'yes' : 'no',
      (figure.notes ?? []).join('; '),
    ];
  });
  const line = (cells: string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function target(figure: Figure): string {
  return figure.target === undefined ? '—' : `≤ ${figure.target}`;
}

/** The last line of the output: every figure, keyed by measure, numbers unrounded but for noise. */
export function jsonLine(context: Record<string, unknown>, figures: readonly Figure[]): string {
  const byMeasure: Record<string, unknown> = {};
  for (const figure of figures) {
    byMeasure[figure.measure] =
      figure.missing !== undefined
        ? { missing: figure.missing, target: figure.target ?? null }
        : {
            ours: figure.ours ? round(figure.ours.value, 3) : null,
            unit: figure.ours?.unit ?? null,
            against: figure.against ? round(figure.against.amount.value, 3) : null,
            againstLabel: figure.against?.label ?? null,
            ratio: figure.ratio === undefined ? null : round(figure.ratio, 3),
            target: figure.target ?? null,
            met: isMet(figure) ?? null,
            samples: figure.samples?.map((sample) => round(sample, 3)) ?? [],
            ...figure.extra,
          };
  }
  return JSON.stringify({ ...context, figures: byMeasure });
}
