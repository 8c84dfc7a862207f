import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  amplifyDisplayName,
  branchFromRef,
  isValidGitBranchName,
  NEON_BRANCH_NAME_LIMIT,
  neonBranchName,
  previewUrl,
  shortBranchName,
} from '../../src/core/naming.js';

describe('neonBranchName', () => {
  it('is the prefix and the branch verbatim, case and Unicode kept', () => {
    expect(neonBranchName('preview/', 'Feature/Ünïcode-✓')).toBe('preview/Feature/Ünïcode-✓');
    expect(neonBranchName('', 'main')).toBe('main');
  });

  it('keeps a name of exactly 256 characters whole', () => {
    const branch = 'a'.repeat(NEON_BRANCH_NAME_LIMIT - 'preview/'.length);
    expect(neonBranchName('preview/', branch)).toHaveLength(256);
    expect(neonBranchName('preview/', branch)).toBe(`preview/${branch}`);
  });

  it('cuts a longer name to 256 characters ending in - and 8 hex of a SHA-256 of the full name', () => {
    const branch = `feature/${'x'.repeat(300)}`;
    const name = neonBranchName('preview/', branch);
    const expectedHash = createHash('sha256').update(`preview/${branch}`).digest('hex').slice(0, 8);
    expect(Array.from(name)).toHaveLength(256);
    expect(name.endsWith(`-${expectedHash}`)).toBe(true);
    expect(name.startsWith('preview/feature/xxx')).toBe(true);
  });

  it('maps two long names that share their first 256 characters to different names, stably', () => {
    const common = 'y'.repeat(400);
    const a = neonBranchName('preview/', `${common}-a`);
    const b = neonBranchName('preview/', `${common}-b`);
    expect(a).not.toBe(b);
    expect(neonBranchName('preview/', `${common}-a`)).toBe(a);
  });

  it('counts characters, not UTF-16 units, and never splits a surrogate pair', () => {
    const branch = '😀'.repeat(300);
    const name = neonBranchName('p/', branch);
    expect(Array.from(name)).toHaveLength(256);
    expect(name).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    // 250 emoji fit before the hash; 2 + 250 * 2 units would be longer than 256 units.
    expect(neonBranchName('p/', '😀'.repeat(254))).toBe(`p/${'😀'.repeat(254)}`);
  });
});

describe('amplifyDisplayName and previewUrl', () => {
  it("lower-cases and turns every character outside [a-z0-9-] into '-'", () => {
    expect(amplifyDisplayName('Feature/Login_Page.v2')).toBe('feature-login-page-v2');
    expect(amplifyDisplayName('fix-ä')).toBe('fix--');
  });

  it('joins display name and default domain', () => {
    expect(previewUrl('feature-x', 'd1a2b3.amplifyapp.com')).toBe('https://feature-x.d1a2b3.amplifyapp.com');
  });
});

describe('git branch names', () => {
  it.each(['main', 'feature/login', 'Ünïcode', 'a.b', 'release-1.2'])('accepts %s', (name) => {
    expect(isValidGitBranchName(name)).toBe(true);
  });
  it.each([
    '',
    'a b',
    'a..b',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[',
    'a\\b',
    '-x',
    'x/',
    'x.',
    '.x',
    'a/.b',
    'x.lock',
    'a@{1}',
    'a//b',
    '@',
    'tab\there',
  ])('refuses %j', (name) => {
    expect(isValidGitBranchName(name)).toBe(false);
  });

  it('reads a branch only from refs/heads/', () => {
    expect(branchFromRef('refs/heads/feature/x')).toBe('feature/x');
    expect(branchFromRef('refs/tags/v1')).toBeUndefined();
    expect(branchFromRef('refs/pull/1/merge')).toBeUndefined();
    expect(branchFromRef(undefined)).toBeUndefined();
  });

  it('takes refs/heads/ off a branch name, and only that prefix', () => {
    expect(shortBranchName('refs/heads/feature/x')).toBe('feature/x');
    expect(shortBranchName('feature/x')).toBe('feature/x');
    expect(shortBranchName('refs/tags/v1')).toBe('refs/tags/v1');
    expect(shortBranchName('x/refs/heads/y')).toBe('x/refs/heads/y');
  });
});
