import * as core from '@actions/core';
import type { Plan } from '../core/plan.js';
import { type DeployResult, type PreviewRow, type Result, toOutputs } from '../core/result.js';
import type { Settings } from '../core/settings.js';
import { renderPreviewTable, renderSchemaDiff } from '../github/comment-body.js';
import { cell, code, link, text, urlCell } from '../github/markdown.js';
import { previewFacts } from '../github/preview-facts.js';

/** `@actions/core`'s summary; it exports the instance, not its class. */
type JobSummary = typeof core.summary;

/**
 * The job summary: what happened, by name and id. Never the connection string or password. Written
 * as Markdown, with every value the run did not write itself (branch names, prefixes, messages, URLs)
 * escaped as the pull request comment escapes it (src/github/markdown.ts): inside the HTML that
 * `addHeading`, `addList` and `addTable` write, Markdown escaping would not apply, and a branch
 * named `x-->`<img src=x>` would land as HTML.
 */
export async function writeSummary(plan: Plan, result: Result, settings: Settings): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  // The toolkit's summary is one shared buffer: a write that failed part-way may have left text in it.
  const summary = core.summary.emptyBuffer();
  const block = (markdown: string) => summary.addRaw(`${markdown}\n`, true);
  block(`## ${heading(plan)}`);
  if (result.kind === 'deploy' && !result.dryRun) addPreview(summary, result, settings);
  else if (result.kind === 'list') block(previewList(result.previews));
  else {
    const rows = table(plan, result);
    if (rows !== undefined) block(rows);
  }
  if (plan.kind === 'none') block(`Nothing to do: ${text(plan.reason)}`);
  if (result.kind === 'reconcile') {
    const { report } = result;
    const list = (title: string, items: string[]) => {
      if (items.length > 0) block(`### ${title}\n\n${items.map((item) => `- ${item}`).join('\n')}`);
    };
    block(`Kept ${report.kept.length} Neon branch(es).`);
    list('Deleted', report.deleted.map(code));
    list('Already gone (expired)', report.gone.map(code));
    list('Would delete (dry run)', report.wouldDelete.map(code));
    list(
      'Could not delete',
      report.failed.map((f) => `${code(f.name)}: ${text(f.message)}`),
    );
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
    where.push(link('pull request comment', result.github.commentUrl));
  if (result.github?.deploymentId !== undefined)
    where.push(`GitHub deployment ${result.github.deploymentId}`);
  if (where.length > 0) summary.addRaw(`Reported in the ${where.join(' and ')}.`, true);
}

/** The outputs worth showing, as a Markdown table; undefined when there are none. */
function table(plan: Plan, result: Result): string | undefined {
  const outputs = toOutputs(result);
  const rows: [string, string][] = [
    [
      'Neon branch',
      outputs['neon-branch-name'] && cell(`${outputs['neon-branch-name']} (${outputs['neon-branch-id']})`),
    ],
    ['Created', outputs.created],
    ['Expires', outputs['expires-at'] && cell(outputs['expires-at'])],
    ['Database host', outputs['database-host'] && cell(outputs['database-host'])],
    ['Amplify branch', outputs['amplify-branch'] && cell(outputs['amplify-branch'])],
    ['Amplify job', outputs['amplify-job-id'] && cell(outputs['amplify-job-id'])],
    ['Preview', outputs['preview-url'] && urlCell(outputs['preview-url'])],
    ['Deleted', plan.kind === 'cleanup' || plan.kind === 'reconcile' ? outputs.deleted : ''],
    ['Pull request comment', outputs['comment-url'] && urlCell(outputs['comment-url'])],
  ];
  const filled = rows.filter(([, value]) => value !== '');
  if (filled.length === 0) return undefined;
  return [
    '| What | Value |',
    '| --- | --- |',
    ...filled.map(([what, value]) => `| ${what} | ${value} |`),
  ].join('\n');
}

/** `list`: one row per preview, every value escaped (branch names come from outside). */
function previewList(previews: PreviewRow[]): string {
  if (previews.length === 0) return 'No previews.';
  const rows = previews.map((p) =>
    [
      p.gitBranch === undefined ? '(none: reconcile deletes it)' : cell(p.gitBranch),
      cell(`${p.neonBranch.name} (${p.neonBranch.id})`),
      optionalCell(p.createdAt),
      optionalCell(p.expiresAt),
      optionalCell(p.amplifyBranch),
      p.lastJob === undefined ? '' : cell(`${p.lastJob.id} ${p.lastJob.status}`),
    ].join(' | '),
  );
  return [
    '| Git branch | Neon branch | Created | Expires | Amplify branch | Last job |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((line) => `| ${line} |`),
  ].join('\n');
}

function optionalCell(value: string | undefined): string {
  return value === undefined || value === '' ? '' : cell(value);
}

function heading(plan: Plan): string {
  switch (plan.kind) {
    case 'deploy':
      return `Neon branch for ${code(plan.gitBranch)}`;
    case 'cleanup':
      return `Cleanup of ${code(plan.gitBranch)}`;
    case 'reconcile':
      return `Reconcile of ${code(`${plan.prefix}*`)}`;
    case 'list':
      return `Previews under ${code(plan.prefix)}`;
    case 'none':
      return 'Neon branch: nothing to do';
  }
}
