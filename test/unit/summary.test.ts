/**
 * The job summary read back through a GFM parser (micromark, with raw HTML let through as GitHub
 * lets it through, as test/unit/comment-body.test.ts does for the comment): a branch name or a
 * message is shown as text wherever it lands, never as HTML.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeSummary } from '../../src/action/summary.js';
import type { Plan } from '../../src/core/plan.js';
import type { Result } from '../../src/core/result.js';
import { testSettings } from '../fakes/settings.js';

const HOSTILE = 'x`-->`<img src=x onerror=alert(1)>|<b>bold</b>';

// One file for the whole run, emptied before each test, as the runner hands a step one file that
// already exists: @actions/core's summary checks the file is writable and keeps its path once read.
let dir: string;
let saved: string | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'summary-'));
  saved = process.env.GITHUB_STEP_SUMMARY;
  process.env.GITHUB_STEP_SUMMARY = join(dir, 'summary.md');
});
beforeEach(() => {
  writeFileSync(join(dir, 'summary.md'), '');
});
afterAll(() => {
  if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
  else process.env.GITHUB_STEP_SUMMARY = saved;
  rmSync(dir, { recursive: true, force: true });
});

async function rendered(plan: Plan, result: Result): Promise<string> {
  await writeSummary(plan, result, testSettings());
  const markdown = readFileSync(join(dir, 'summary.md'), 'utf8');
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

/** The text a reader sees: tags dropped, entities decoded. */
function visible(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Tags the renderer emitted that no summary of ours writes: they came from a value. */
function foreignTags(html: string): string[] {
  return [...html.matchAll(/<\/?(img|b|script)\b[^>]*>/g)].map((match) => match[0]);
}

const cleanupPlan: Plan = {
  kind: 'cleanup',
  gitBranch: HOSTILE,
  neonBranchName: `preview/${HOSTILE}`,
  deleteAmplifyBranch: false,
  clearAmplifyVariables: true,
};

describe('the job summary escapes what it did not write', () => {
  it('a cleanup: the heading and the table', async () => {
    const html = await rendered(cleanupPlan, {
      kind: 'cleanup',
      gitBranch: HOSTILE,
      dryRun: false,
      neonBranch: { id: 'br-1', name: `preview/${HOSTILE}` },
      deleted: true,
    });
    expect(foreignTags(html)).toEqual([]);
    expect(/<h2>([\s\S]*?)<\/h2>/.exec(html)?.[1]).toContain('&lt;img');
    expect(visible(html)).toContain(`Cleanup of ${HOSTILE}`);
    expect(visible(html)).toContain(`preview/${HOSTILE} (br-1)`);
  });

  it('a dry-run deploy: the table of outputs', async () => {
    const plan: Plan = {
      kind: 'deploy',
      gitBranch: HOSTILE,
      neonBranchName: `preview/${HOSTILE}`,
      primary: false,
    };
    const html = await rendered(plan, {
      kind: 'deploy',
      gitBranch: HOSTILE,
      dryRun: true,
      neonBranch: { id: '', name: `preview/${HOSTILE}` },
      created: false,
      previewUrl: 'https://x.example.com/"><img src=x>',
    });
    expect(foreignTags(html)).toEqual([]);
    expect(visible(html)).toContain(`Neon branch for ${HOSTILE}`);
  });

  it('a reconcile: every list item, the failures with their messages', async () => {
    const plan: Plan = { kind: 'reconcile', prefix: 'preview/<b>', primaryBranches: [] };
    const html = await rendered(plan, {
      kind: 'reconcile',
      dryRun: false,
      report: {
        deleted: [`preview/${HOSTILE}`],
        gone: ['preview/<img src=gone>'],
        wouldDelete: [],
        kept: [],
        failed: [{ name: 'preview/<b>f</b>', message: "Neon said '<img src=y>'" }],
      },
    });
    expect(foreignTags(html)).toEqual([]);
    const text = visible(html);
    expect(text).toContain(`preview/${HOSTILE}`);
    expect(text).toContain('preview/<img src=gone>');
    expect(text).toContain("Neon said '<img src=y>'");
    expect(text).toContain('Reconcile of preview/<b>*');
  });

  it('a list: one table row per preview, every name as text, no connection string', async () => {
    const plan: Plan = { kind: 'list', prefix: 'preview/' };
    const html = await rendered(plan, {
      kind: 'list',
      previews: [
        {
          gitBranch: HOSTILE,
          neonBranch: { id: 'br-1', name: `preview/${HOSTILE}` },
          createdAt: '2026-12-01T10:00:00Z',
          expiresAt: '2026-12-08T10:00:00Z',
          amplifyBranch: HOSTILE,
          lastJob: { id: '12', status: 'SUCCEED' },
        },
        { neonBranch: { id: 'br-2', name: 'preview/orphan' } },
      ],
    });
    expect(foreignTags(html)).toEqual([]);
    expect(html.match(/<tr>/g)).toHaveLength(3);
    const text = visible(html);
    expect(text).toContain('Previews under preview/');
    expect(text).toContain(`preview/${HOSTILE} (br-1)`);
    expect(text).toContain('12 SUCCEED');
    expect(text).toContain('2026-12-08T10:00:00Z');
    expect(text).toContain('(none: reconcile deletes it)');
  });

  it('an empty list says so', async () => {
    const html = await rendered({ kind: 'list', prefix: 'preview/' }, { kind: 'list', previews: [] });
    expect(visible(html)).toContain('No previews.');
  });

  it('nothing to do: the reason', async () => {
    const reason = `'${HOSTILE}' is a primary branch`;
    const html = await rendered({ kind: 'none', reason }, { kind: 'none', reason });
    expect(foreignTags(html)).toEqual([]);
    expect(visible(html)).toContain(`Nothing to do: ${reason}`);
  });
});
