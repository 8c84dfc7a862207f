import * as core from '@actions/core';
import type { Plan } from '../core/plan.js';
import { type DeployResult, type Result, toOutputs } from '../core/result.js';
import type { Settings } from '../core/settings.js';
import { renderPreviewTable, renderSchemaDiff } from '../github/comment-body.js';
import { previewFacts } from '../github/preview-facts.js';

/** `@actions/core`'s summary; it exports the instance, not its class. */
type JobSummary = typeof core.summary;

/** The job summary: what happened, by name and id. Never the connection string or password. */
export async function writeSummary(plan: Plan, result: Result, settings: Settings): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  // The toolkit's summary is one shared buffer: a write that failed part-way may have left text in it.
  const summary = core.summary.emptyBuffer().addHeading(heading(plan), 2);
  if (result.kind === 'deploy' && !result.dryRun) addPreview(summary, result, settings);
  else addTable(summary, plan, result);
  if (plan.kind === 'none') summary.addRaw(`Nothing to do: ${plan.reason}`, true);
  if (result.kind === 'reconcile') {
    const { report } = result;
    summary.addRaw(`Kept ${report.kept.length} Neon branch(es).`, true);
    if (report.deleted.length > 0) summary.addHeading('Deleted', 3).addList(report.deleted);
    if (report.gone.length > 0) summary.addHeading('Already gone (expired)', 3).addList(report.gone);
    if (report.wouldDelete.length > 0)
      summary.addHeading('Would delete (dry run)', 3).addList(report.wouldDelete);
    if (report.failed.length > 0) {
      summary.addHeading('Could not delete', 3).addList(report.failed.map((f) => `${f.name}: ${f.message}`));
    }
  }
  await summary.write();
}

/** A deploy: the same table and schema diff as the pull request comment, and where they went. */
function addPreview(summary: JobSummary, result: DeployResult, settings: Settings): void {
  const facts = previewFacts(result, settings);
  // Blank lines around the table: GitHub's Markdown needs them to see one.
  summary.addRaw(`\n${renderPreviewTable(facts)}\n\n`).addRaw(renderSchemaDiff(facts), true);
  const where: string[] = [];
  if (result.github?.commentUrl !== undefined)
    where.push(`[pull request comment](${result.github.commentUrl})`);
  if (result.github?.deploymentId !== undefined)
    where.push(`GitHub deployment ${result.github.deploymentId}`);
  if (where.length > 0) summary.addRaw(`Reported in the ${where.join(' and ')}.`, true);
}

function addTable(summary: JobSummary, plan: Plan, result: Result): void {
  const outputs = toOutputs(result);
  const rows: [string, string][] = [
    [
      'Neon branch',
      outputs['neon-branch-name'] && `${outputs['neon-branch-name']} (${outputs['neon-branch-id']})`,
    ],
    ['Created', outputs.created],
    ['Expires', outputs['expires-at']],
    ['Database host', outputs['database-host']],
    ['Amplify branch', outputs['amplify-branch']],
    ['Amplify job', outputs['amplify-job-id']],
    ['Preview', outputs['preview-url']],
    ['Deleted', plan.kind === 'cleanup' || plan.kind === 'reconcile' ? outputs.deleted : ''],
    ['Pull request comment', outputs['comment-url']],
  ];
  const filled = rows.filter(([, value]) => value !== '');
  if (filled.length === 0) return;
  summary.addTable([
    [
      { data: 'What', header: true },
      { data: 'Value', header: true },
    ],
    ...filled,
  ]);
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
