/**
 * The pull request comment renderer, read back through a GFM parser (micromark, the CommonMark and
 * GFM reference implementation) with raw HTML let through as GitHub lets it through: what is checked is
 * how the comment renders, not how the renderer spells it.
 */
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { isValidGitBranchName } from '../../src/core/naming.js';
import {
  type PreviewCommentInput,
  renderDeletedComment,
  renderPreviewComment,
} from '../../src/github/comment-body.js';
import { commentMarker, GITHUB_COMMENT_LIMIT, hasMarker } from '../../src/github/comment-marker.js';

function html(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

function decode(text: string): string {
  return text
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The body rows of the first table: each row's cells as HTML. */
function tableRows(rendered: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(rendered)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<td>([\s\S]*?)<\/td>/g)].map((cell) => cell[1] ?? ''),
  );
}

function row(rendered: string, name: string): string {
  const found = tableRows(rendered).find((cells) => decode(cells[0] ?? '') === name);
  if (found === undefined) throw new Error(`no row ${name}`);
  expect(found).toHaveLength(2);
  return found[1] ?? '';
}

function codeTexts(fragment: string): string[] {
  return [...fragment.matchAll(/<code>([\s\S]*?)<\/code>/g)].map((match) => decode(match[1] ?? ''));
}

function input(overrides: Partial<PreviewCommentInput> = {}): PreviewCommentInput {
  return {
    gitBranch: 'feat/login',
    sha: '0123456789abcdef0123456789abcdef01234567',
    neon: {
      projectId: 'autumn-disk-484331',
      branchId: 'br-cool-river-123456',
      branchName: 'preview/feat/login',
      parent: 'main',
      created: true,
      expiresAt: '2025-03-08T12:00:00Z',
      host: 'ep-cool-river-123456-pooler.us-east-2.aws.neon.tech',
    },
    amplify: {
      appId: 'd1a2b3c4d5e6f7',
      region: 'eu-west-1',
      branch: 'feat/login',
      jobId: '12',
      jobStatus: 'RUNNING',
      previewUrl: 'https://feat-login.d1a2b3c4d5e6f7.amplifyapp.com',
    },
    schemaDiff:
      '--- a/public\n+++ b/public\n@@ -1 +1,2 @@\n CREATE TABLE users (id int);\n+CREATE TABLE posts (id int);',
    updatedAt: '2025-03-01T09:30:12Z',
    ...overrides,
  };
}

describe('the preview comment', () => {
  it('starts with the hidden marker and shows every fact in a two-column table', () => {
    const markdown = renderPreviewComment(input());
    const rendered = html(markdown);

    expect(markdown.split('\n')[0]).toBe('<!-- neon-amplify-branch:feat/login -->');
    expect(tableRows(rendered)).toHaveLength(7);
    expect(row(rendered, 'Neon branch')).toContain(
      '<a href="https://console.neon.tech/app/projects/autumn-disk-484331/branches/br-cool-river-123456"><code>preview/feat/login</code></a>',
    );
    expect(decode(row(rendered, 'Neon branch'))).toContain('created by this run');
    expect(codeTexts(row(rendered, 'Parent'))).toEqual(['main']);
    expect(decode(row(rendered, 'Expires'))).toBe('2025-03-08 12:00 UTC');
    expect(codeTexts(row(rendered, 'Host'))).toEqual(['ep-cool-river-123456-pooler.us-east-2.aws.neon.tech']);
    expect(codeTexts(row(rendered, 'Amplify branch'))).toEqual(['feat/login']);
    const build = row(rendered, 'Build');
    expect(build).toContain(
      'href="https://eu-west-1.console.aws.amazon.com/amplify/apps/d1a2b3c4d5e6f7/branches/feat%2Flogin/deployments"',
    );
    expect(codeTexts(build)).toEqual(['12', 'RUNNING']);
    expect(row(rendered, 'Preview')).toContain('href="https://feat-login.d1a2b3c4d5e6f7.amplifyapp.com/"');
    expect(decode(rendered)).toContain('commit 0123456, 2025-03-01 09:30 UTC');
  });

  it('says reused, never expires, and no job when that is the case', () => {
    const base = input();
    const rendered = html(
      renderPreviewComment(
        input({
          neon: { ...base.neon, created: false, expiresAt: undefined },
          amplify: { ...base.amplify, jobId: undefined, jobStatus: undefined, previewUrl: undefined },
        }),
      ),
    );
    expect(decode(row(rendered, 'Neon branch'))).toContain('reused');
    expect(decode(row(rendered, 'Expires'))).toBe('never');
    expect(decode(row(rendered, 'Build'))).toBe('no job started by this run');
    expect(row(rendered, 'Build')).not.toContain('<a ');
  });

  it('puts the schema diff, verbatim, in a collapsed diff block', () => {
    const diff =
      "@@ -1 +1 @@\n-CREATE TABLE t (a text DEFAULT '```');\n+CREATE TABLE t (a text DEFAULT '````');";
    const rendered = html(renderPreviewComment(input({ schemaDiff: diff })));

    expect(rendered).toMatch(/<details>\s*<summary>Schema diff against the parent \(3 lines\)<\/summary>/);
    expect(rendered).not.toMatch(/<details open/);
    const block = /<pre><code class="language-diff">([\s\S]*?)<\/code><\/pre>/.exec(rendered)?.[1];
    expect(decode(block ?? '')).toBe(`${diff}\n`);
    expect(rendered.indexOf('</details>')).toBeGreaterThan(rendered.indexOf('</pre>'));
  });

  it('says there is no difference for an empty diff, and says nothing when none was computed', () => {
    const equal = html(renderPreviewComment(input({ schemaDiff: '' })));
    expect(equal).not.toContain('<details>');
    expect(equal).toContain('<p>Schema: no difference from <code>main</code>.</p>');
    expect(tableRows(equal)).toHaveLength(7);

    const off = html(renderPreviewComment(input({ schemaDiff: undefined })));
    expect(off).not.toContain('<details>');
    expect(decode(off)).not.toContain('Schema');
  });

  it('reads the same whatever markdown or HTML a branch name holds', () => {
    const hostile = 'feat/<img/src=x/onerror=alert(1)>|``|a-->b]&amp;_#!';
    expect(isValidGitBranchName(hostile)).toBe(true);
    const base = input();
    const markdown = renderPreviewComment(
      input({
        gitBranch: hostile,
        neon: { ...base.neon, branchName: `preview/${hostile}`, parent: '`main`|x' },
        amplify: { ...base.amplify, branch: hostile },
      }),
    );
    const rendered = html(markdown);

    expect(rendered).not.toMatch(/<img/i);
    // The marker is the only HTML comment, and nothing after it closes a comment.
    expect(rendered.split('<!--')).toHaveLength(2);
    expect(rendered.split('-->')).toHaveLength(2);
    // Nothing of the marker shows: all that comes before the heading is the comment itself.
    expect(rendered.split('<h3>')[0]?.trim()).toMatch(/^<!--[\s\S]*-->$/);
    expect(tableRows(rendered).every((cells) => cells.length === 2)).toBe(true);
    expect(codeTexts(/<h3>([\s\S]*?)<\/h3>/.exec(rendered)?.[1] ?? '')).toEqual([hostile]);
    expect(codeTexts(row(rendered, 'Neon branch'))).toEqual([`preview/${hostile}`]);
    expect(codeTexts(row(rendered, 'Parent'))).toEqual(['`main`|x']);
    expect(codeTexts(row(rendered, 'Amplify branch'))).toEqual([hostile]);
    expect(row(rendered, 'Build')).toContain(
      `/branches/${encodeURIComponent(hostile).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}/deployments"`,
    );
  });

  it('links only http(s) preview URLs, without credentials, and keeps a parenthesis inside the link', () => {
    const base = input();
    const withUrl = (previewUrl: string) =>
      row(html(renderPreviewComment(input({ amplify: { ...base.amplify, previewUrl } }))), 'Preview');

    expect(withUrl('javascript:alert(1)')).not.toContain('<a ');
    expect(withUrl('https://user:hunter22@x.example.com/')).toContain('href="https://x.example.com/"');
    expect(withUrl('https://x.example.com/a_(b)')).toContain('href="https://x.example.com/a_%28b%29"');
  });

  it('never shows a password: not from a URL given as the host, not from the diff, not from listed secrets', () => {
    const password = 'npg_Sup3rS3cretPassw0rd';
    const url = `postgresql://neondb_owner:${password}@ep-x-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require`;
    const base = input();
    const markdown = renderPreviewComment(
      input({
        neon: { ...base.neon, host: url },
        schemaDiff: [
          `+-- seeded from ${url}`,
          "+CREATE USER MAPPING FOR app SERVER other OPTIONS (user 'app', password 'fdw-pass-1');",
          '+-- the unlisted one: postgres://u:another-pass@h/db',
          `+COMMENT ON TABLE t IS 'key ${password.slice(0, 12)}…';`,
        ].join('\n'),
        secrets: [password],
      }),
    );
    const rendered = html(markdown);

    expect(markdown).not.toContain(password);
    expect(markdown).not.toContain('fdw-pass-1');
    expect(markdown).not.toContain('another-pass');
    expect(codeTexts(row(rendered, 'Host'))).toEqual(['ep-x-pooler.us-east-2.aws.neon.tech']);
    expect(decode(rendered)).toContain("password '***'");
  });
});

describe("cutting to GitHub's limit", () => {
  const bigDiff = (lines: number, line: (index: number) => string) =>
    Array.from({ length: lines }, (_, index) => line(index)).join('\n');

  it('cuts the diff, not the table, to whole lines, and says how many are shown', () => {
    const diff = bigDiff(5000, (index) => `+CREATE INDEX i${index} ON t (c${index});`);
    const markdown = renderPreviewComment(input({ schemaDiff: diff }));
    const rendered = html(markdown);

    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown.length).toBeGreaterThan(GITHUB_COMMENT_LIMIT - 200);
    expect(tableRows(rendered)).toHaveLength(7);
    const shown = decode(/<code class="language-diff">([\s\S]*?)<\/code>/.exec(rendered)?.[1] ?? '')
      .replace(/\n$/, '')
      .split('\n');
    expect(diff.startsWith(shown.join('\n'))).toBe(true);
    expect(diff.split('\n')).toContain(shown.at(-1));
    expect(decode(rendered)).toContain(`the first ${shown.length} of 5000 lines are shown`);
    expect(rendered).toContain('</details>');
    expect(decode(rendered)).toContain('commit 0123456');
  });

  it('stays within any limit, with the block closed, as the room shrinks', () => {
    const diff = bigDiff(300, (index) => `+line ${index} ${'x'.repeat(index % 50)}`);
    const smallest = renderPreviewComment(input({ schemaDiff: undefined })).length;
    for (let limit = smallest + 50; limit < smallest + 3000; limit += 97) {
      const markdown = renderPreviewComment(input({ schemaDiff: diff }), { limit });
      expect(markdown.length, `limit ${limit}`).toBeLessThanOrEqual(limit);
      const rendered = html(markdown);
      expect(rendered.split('<details>').length, `limit ${limit}`).toBe(rendered.split('</details>').length);
      expect(tableRows(rendered)).toHaveLength(7);
    }
  });

  it('cuts a single enormous line (a minified function) instead of dropping it', () => {
    const started = performance.now();
    const markdown = renderPreviewComment(input({ schemaDiff: `+${'y'.repeat(100_000)}` }));
    // Linear work: a regular expression that backtracks over the line took half a minute here.
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown).toContain(`+${'y'.repeat(60_000)}`);
    expect(markdown).toContain('the first 1 of 1 lines are shown');
  });

  it('never splits a character made of two UTF-16 units', () => {
    const diff = bigDiff(30_000, () => '+🐘🐘');
    const markdown = renderPreviewComment(input({ schemaDiff: diff }));
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(markdown).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('the deleted comment', () => {
  it('carries the same marker, so it replaces the preview comment, and says what happened', () => {
    const markdown = renderDeletedComment({
      gitBranch: 'feat/login',
      neon: { projectId: 'autumn-disk-484331', branchName: 'preview/feat/login', deleted: true },
      amplify: { branch: 'feat/login', deleted: false },
      reason: 'the pull request was closed',
      updatedAt: '2025-03-02T10:00:00Z',
    });
    const text = decode(html(markdown));

    expect(hasMarker(markdown, commentMarker('feat/login'))).toBe(true);
    expect(markdown.split('\n')[0]).toBe(renderPreviewComment(input()).split('\n')[0]);
    expect(text).toContain('The Neon branch preview/feat/login was deleted: the pull request was closed.');
    expect(text).toContain('The Amplify branch feat/login was kept');
    expect(text).toContain('2025-03-02 10:00 UTC');
    expect(html(markdown)).not.toContain('console.neon.tech');
  });

  it('says the branch was already gone when there was nothing to delete', () => {
    const text = decode(
      html(
        renderDeletedComment({
          gitBranch: 'x<y',
          neon: { projectId: 'p', branchName: 'preview/x<y', deleted: false },
          amplify: { branch: 'x<y', deleted: true },
        }),
      ),
    );
    expect(text).toContain('The Neon branch preview/x<y was already gone.');
    expect(text).toContain('The Amplify branch x<y was deleted too.');
  });
});

describe('an anonymized preview', () => {
  it('says its data is masked and how many rules Neon applied; a plain preview has no such row', () => {
    const masked = html(renderPreviewComment(input({ neon: { ...input().neon, maskingRules: 3 } })));
    expect(decode(row(masked, 'Data'))).toBe('masked by Neon: 3 masking rules applied (anonymize)');
    const one = html(renderPreviewComment(input({ neon: { ...input().neon, maskingRules: 1 } })));
    expect(decode(row(one, 'Data'))).toContain('1 masking rule applied');
    expect(() => row(html(renderPreviewComment(input())), 'Data')).toThrow('no row Data');
  });
});
