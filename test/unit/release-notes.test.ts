import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { releaseNotes } from '../../scripts/release-notes.js';

const CHANGELOG = `# Changelog

All notable changes to this project are documented in this file.

## [Unreleased]

### Added
- Something not released yet.

## [1.1.0] - 2026-12-20

### Added
- Node 22.

### Fixed
- A bug.

## [1.0.0] - 2026-12-06

### Added
- Everything.

[Unreleased]: https://github.com/your-org/neon-amplify-branch/compare/v1.1.0...HEAD
[1.1.0]: https://github.com/your-org/neon-amplify-branch/compare/v1.0.0...v1.1.0
[1.0.0]: https://github.com/your-org/neon-amplify-branch/releases/tag/v1.0.0
`;

describe('releaseNotes', () => {
  it("gives a version's section without its heading, up to the next section", () => {
    expect(releaseNotes(CHANGELOG, 'v1.1.0')).toBe('### Added\n- Node 22.\n\n### Fixed\n- A bug.');
  });

  it('stops the last section at the link definitions', () => {
    expect(releaseNotes(CHANGELOG, '1.0.0')).toBe('### Added\n- Everything.');
  });

  it('refuses a version without a section, an empty section and a tag that is no version', () => {
    expect(() => releaseNotes(CHANGELOG, 'v1.2.0')).toThrowError("CHANGELOG.md has no section '## [1.2.0]'");
    expect(() => releaseNotes('## [2.0.0] - 2027-01-01\n\n## [1.0.0]\n- x\n', 'v2.0.0')).toThrowError(
      "CHANGELOG.md's section '## [2.0.0]' is empty",
    );
    expect(() => releaseNotes(CHANGELOG, 'latest')).toThrowError("Invalid version 'latest'");
  });

  it('does not take a version for another that starts the same', () => {
    expect(() => releaseNotes('## [1.0.10] - 2027-01-01\n- ten\n', 'v1.0.1')).toThrowError(
      "no section '## [1.0.1]'",
    );
  });

  it("finds the package's own version in the repository's CHANGELOG.md", () => {
    const root = resolve(import.meta.dirname, '../..');
    const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
    expect(releaseNotes(readFileSync(resolve(root, 'CHANGELOG.md'), 'utf8'), version)).toContain('###');
  });

  it('runs as the release workflow runs it: notes on stdout, exit 1 and a message otherwise', () => {
    const root = resolve(import.meta.dirname, '../..');
    const tsx = resolve(root, 'node_modules/.bin/tsx');
    const { version } = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
    const notes = execFileSync(tsx, ['scripts/release-notes.ts', `v${version}`], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(notes).toBe(`${releaseNotes(readFileSync(resolve(root, 'CHANGELOG.md'), 'utf8'), version)}\n`);
    expect(() =>
      execFileSync(tsx, ['scripts/release-notes.ts', 'v0.0.0-none'], { cwd: root, stdio: 'pipe' }),
    ).toThrowError(/no section '## \[0\.0\.0-none\]'/);
  });
});
