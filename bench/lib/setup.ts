import type { MeasureName } from './args.js';
import type { Figure } from './figures.js';

/**
 * The issues' conditions: every request takes L, a new branch's operations take D ("9/10 Speed"),
 * a password reset's operation D/2 (issue 22, "Neon's budget").
 */
export const DEPLOY = { latencyMs: 50, operationMs: 1000, resetOperationMs: 500 } as const;

/** Reconcile: 950 orphans among 1,000 preview branches, Neon limited to 40 requests a second. */
export const RECONCILE = {
  latencyMs: 20,
  ratePerSecond: 40,
  burst: 40,
  previewBranches: 1000,
  orphans: 950,
} as const;

/** The targets for each ratio; lower is better everywhere. */
export const TARGETS: Partial<Record<MeasureName, number>> = {
  'new-branch': 1.1,
  'new-branch-shared-password': 1.1,
  're-push': 1.5,
  // The action's toolkit is @actions/core again (src/action/main.ts), whose import loads undici for
  // its OIDC client: the issue that brought it back allows the no-op run up to 3.0x bare node.
  'no-op': 3.0,
  // The table: the CLI and the Lambdas start within twice a bare node.
  'start-up-cli': 2.0,
  'start-up-cli-help': 2.0,
  'start-up-lambda': 2.0,
  'start-up-receiver': 2.0,
  'start-up-worker': 2.0,
  'start-up-server': 2.0,
  'vs-create-branch-action': 0.75,
  'vs-neonctl': 0.5,
  reconcile: 1.05,
  // Total Neon requests over 700 a minute: the burst finishes near the account's limit.
  'webhook-burst': 1.2,
};

export const TITLES: Record<MeasureName, string> = {
  'new-branch': 'push of a new branch, process start → StartJob answered',
  'new-branch-shared-password': 'the same with reset-role-password: false (one Neon operation)',
  're-push': 're-push of an existing branch, process start → StartJob answered',
  'no-op': 'no-op run (tag push) vs bare `node -e 0`, alternated',
  'start-up-cli': 'CLI `--version`, spawn → exit, vs bare `node -e 0`',
  'start-up-cli-help': 'CLI `deploy --help`, spawn → exit, vs bare `node -e 0`',
  'start-up-lambda': 'single Lambda cold start (import, one ping) vs bare `node -e 0`',
  'start-up-receiver': 'receiver Lambda cold start (import, one ping) vs bare `node -e 0`',
  'start-up-worker': 'worker Lambda cold start (import, an empty batch) vs bare `node -e 0`',
  'start-up-server': 'webhook server, spawn → listening, vs bare `node -e 0`',
  'vs-create-branch-action': 'ours / create-branch-action + three `aws amplify` calls, new branch',
  'vs-neonctl': 'ours / hand-made neonctl + AWS CLI script, new branch',
  reconcile: `reconcile: ${RECONCILE.orphans} orphans of ${RECONCILE.previewBranches.toLocaleString('en')}, Neon at ${RECONCILE.ratePerSecond} req/s`,
  webhook: 'webhook acknowledgement vs bare node:http',
  'webhook-burst': 'webhook burst of new-branch pushes, one Neon account: first delivery → last StartJob',
};

/** What every measure is handed. */
export interface MeasureContext {
  runs: number;
  createBranchAction: string | undefined;
  /** webhook-burst's size: pushes, and repositories they come from. */
  burst: number;
  repos: number;
  /** Progress, on stderr. */
  progress(line: string): void;
  /** A block of detail printed before the table (request traces). */
  detail(title: string, lines: string[]): void;
}

/** A figure for a measure that did not run, with the reason. */
export function missing(measure: MeasureName, reason: string): Figure {
  const target = TARGETS[measure];
  return { measure, title: TITLES[measure], missing: reason, ...(target === undefined ? {} : { target }) };
}
