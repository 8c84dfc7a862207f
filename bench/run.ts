// `npm run bench`: every measure of issue "9/10 Speed", each figure a ratio to a floor or to a
// peer measured in the same run, against the project's own stand-ins behind a proxy that adds the
// latency (and Neon's rate limit). Runs the built artifacts (dist/), as users do: `npm run build`
// first after changing src/. Progress and request traces on stderr and stdout, then the table, then
// one JSON line with every figure. See bench/README.md.
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { MEASURES, type MeasureName, parseArgs, USAGE, UsageError } from './lib/args.js';
import { type Figure, jsonLine, renderTable } from './lib/figures.js';
import { killStarted, ROOT } from './lib/processes.js';
import { DEPLOY, type MeasureContext, missing, RECONCILE } from './lib/setup.js';
import { newBranch, rePush } from './measures/deploy.js';
import { noOp } from './measures/no-op.js';
import { reconcile } from './measures/reconcile.js';
import { startUp } from './measures/start-up.js';
import { webhook } from './webhook/bench.js';
import { webhookBurst } from './webhook/burst.js';

type Runner = (context: MeasureContext, selected: readonly MeasureName[]) => Promise<Figure[]>;

/** Each group of measures that share their runs, and the names it answers for. */
const GROUPS: { measures: MeasureName[]; run: Runner; needs: string }[] = [
  {
    measures: ['new-branch', 'new-branch-shared-password', 'vs-create-branch-action', 'vs-neonctl'],
    run: newBranch,
    needs: 'dist/index.js',
  },
  { measures: ['re-push'], run: rePush, needs: 'dist/index.js' },
  { measures: ['no-op'], run: noOp, needs: 'dist/index.js' },
  {
    measures: [
      'start-up-cli',
      'start-up-cli-help',
      'start-up-lambda',
      'start-up-receiver',
      'start-up-worker',
      'start-up-server',
    ],
    run: startUp,
    needs: 'dist/cli/index.js',
  },
  { measures: ['reconcile'], run: reconcile, needs: 'dist/cli/index.js' },
  { measures: ['webhook'], run: webhook, needs: 'dist/webhook/index.js' },
  { measures: ['webhook-burst'], run: webhookBurst, needs: 'dist/webhook/index.js' },
];

async function main(): Promise<number> {
  let options: ReturnType<typeof parseArgs>;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const print = (text: string) => {
    if (!options.json) process.stdout.write(`${text}\n`);
  };
  const details: string[] = [];
  const context: MeasureContext = {
    runs: options.runs,
    createBranchAction: options.createBranchAction,
    burst: options.burst,
    repos: options.repos,
    progress: (line) => process.stderr.write(`  ${line}\n`),
    detail: (title, lines) => details.push(`\n${title}:\n${lines.map((line) => `  ${line}`).join('\n')}`),
  };
  const conditions = `L = ${DEPLOY.latencyMs} ms per request, D = ${DEPLOY.operationMs} ms per Neon operation (a password reset's ${DEPLOY.resetOperationMs} ms); reconcile L = ${RECONCILE.latencyMs} ms, Neon ${RECONCILE.ratePerSecond} req/s (burst ${RECONCILE.burst}); median of ${options.runs}; Node ${process.version}, ${availableParallelism()} cores`;
  // The machine may be shared: its load, before and after, says how much to trust the spread.
  const load = () => loadavg()[0]?.toFixed(2) ?? '?';
  const loadBefore = load();
  process.stderr.write(`bench: ${conditions}\n`);

  const figures: Figure[] = [];
  for (const group of GROUPS) {
    const selected = group.measures.filter((name) => options.only.includes(name));
    if (selected.length === 0) continue;
    if (!existsSync(join(ROOT, group.needs))) {
      for (const name of selected) figures.push(missing(name, `${group.needs} is not built (npm run build)`));
      continue;
    }
    process.stderr.write(`${selected.join(', ')} ...\n`);
    try {
      figures.push(...(await group.run(context, selected)));
    } catch (error) {
      // One measure failing (a peer that crashed, say) is reported; the others still run.
      killStarted();
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`  failed: ${message}\n`);
      for (const name of selected) {
        if (!figures.some((figure) => figure.measure === name)) {
          figures.push(missing(name, `failed: ${message.split('\n')[0]}`));
        }
      }
    }
  }
  // Always in the issue's order, whatever order the groups produced them in.
  const order = (figure: Figure) => {
    const index = MEASURES.findIndex((name) => figure.measure.startsWith(name));
    return index < 0 ? MEASURES.length : index;
  };
  figures.sort((a, b) => order(a) - order(b));

  print(details.join('\n'));
  print(`\n${conditions}; load average ${loadBefore} before, ${load()} after\n`);
  print(renderTable(figures));
  process.stdout.write(
    `${jsonLine(
      {
        bench: 'neon-amplify-branch',
        runs: options.runs,
        latencyMs: DEPLOY.latencyMs,
        operationMs: DEPLOY.operationMs,
        resetOperationMs: DEPLOY.resetOperationMs,
        reconcile: RECONCILE,
        node: process.version,
        cores: availableParallelism(),
        loadBefore: Number(loadBefore),
        loadAfter: Number(load()),
      },
      figures,
    )}\n`,
  );
  return figures.some((figure) => figure.missing?.startsWith('failed')) ? 1 : 0;
}

process.once('SIGINT', () => {
  killStarted();
  process.exit(130);
});
process.exitCode = await main();
