import type { Plan } from '../core/plan.js';
import { type Result, toOutputs } from '../core/result.js';
import { JobSummary } from './job-summary.js';

/** The job summary: what happened, by name and id. Never the connection string or password. */
export async function writeSummary(plan: Plan, result: Result): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const outputs = toOutputs(result);
  const rows: [string, string][] = [
    [
      'Neon branch',
      outputs['neon-branch-name'] && `${outputs['neon-branch-name']} (${outputs['neon-branch-id']})`,
    ],
    ['Created', outputs.created],
    ['Database host', outputs['database-host']],
    ['Amplify branch', outputs['amplify-branch']],
    ['Amplify job', outputs['amplify-job-id']],
    ['Preview', outputs['preview-url']],
    ['Deleted', plan.kind === 'cleanup' || plan.kind === 'reconcile' ? outputs.deleted : ''],
  ];
  const summary = new JobSummary().addHeading(heading(plan), 2);
  const filled = rows.filter(([, value]) => value !== '');
  if (filled.length > 0) {
    summary.addTable([
      [
        { data: 'What', header: true },
        { data: 'Value', header: true },
      ],
      ...filled,
    ]);
  }
  if (plan.kind === 'none') summary.addRaw(`Nothing to do: ${plan.reason}`, true);
  if (result.kind === 'reconcile') {
    const { report } = result;
    summary.addRaw(`Kept ${report.kept.length} Neon branch(es).`, true);
    if (report.deleted.length > 0) summary.addHeading('Deleted', 3).addList(report.deleted);
    if (report.wouldDelete.length > 0)
      summary.addHeading('Would delete (dry run)', 3).addList(report.wouldDelete);
    if (report.failed.length > 0) {
      summary.addHeading('Could not delete', 3).addList(report.failed.map((f) => `${f.name}: ${f.message}`));
    }
  }
  await summary.write();
}

function heading(plan: Plan): string {
  switch (plan.kind) {
    case 'deploy':
      return `Neon branch for ${plan.gitBranch}`;
    case 'cleanup':
      return `Cleanup of ${plan.gitBranch}`;
    case 'reconcile':
      return `Reconcile of ${plan.prefix}*`;
    case 'none':
      return 'Neon branch: nothing to do';
  }
}
