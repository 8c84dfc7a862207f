// `npx tsx scripts/release-notes.ts v1.2.3 [CHANGELOG.md]`: prints the notes of one version from
// CHANGELOG.md (Keep a Changelog: a `## [1.2.3] - 2026-12-06` heading per version), for the GitHub
// release that .github/workflows/release.yml makes from a tag. A version with no section, or an empty
// one, is an error: a release without notes means the changelog was not updated before tagging.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** The body of `version`'s section (without its heading), trimmed; throws when there is none. */
export function releaseNotes(changelog: string, version: string): string {
  const wanted = version.replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(wanted)) {
    throw new Error(`Invalid version '${version}': expected a tag such as v1.2.3`);
  }
  const lines = changelog.split(/\r?\n/);
  const start = lines.findIndex((line) => sectionVersion(line) === wanted);
  if (start < 0) throw new Error(`CHANGELOG.md has no section '## [${wanted}]'`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => sectionVersion(line) !== undefined || isLinkDefinition(line));
  const body = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
  if (body === '') throw new Error(`CHANGELOG.md's section '## [${wanted}]' is empty`);
  return body;
}

/** `## [1.2.3] - date` or `## [Unreleased]` → `1.2.3` / `Unreleased`; undefined for any other line. */
function sectionVersion(line: string): string | undefined {
  return /^##\s+\[([^\]]+)\]/.exec(line)?.[1];
}

/** The `[1.2.3]: https://...` links Keep a Changelog puts under the last section. */
function isLinkDefinition(line: string): boolean {
  return /^\[[^\]]+\]:\s/.test(line);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [version, file = 'CHANGELOG.md'] = process.argv.slice(2);
  try {
    if (version === undefined) throw new Error('Usage: release-notes.ts <version> [CHANGELOG.md]');
    process.stdout.write(`${releaseNotes(readFileSync(file, 'utf8'), version)}\n`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
