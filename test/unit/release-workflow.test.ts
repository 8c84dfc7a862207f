import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
}

const ROOT = resolve(import.meta.dirname, '../..');
const workflow = parse(readFileSync(resolve(ROOT, '.github/workflows/release.yml'), 'utf8'));
const steps: Step[] = workflow.jobs.release.steps;
const runs = steps.map((step) => step.run ?? '');
/** Where the first step whose command matches `pattern` is, -1 when none does. */
const at = (pattern: RegExp) => runs.findIndex((run) => pattern.test(run));

/** The release workflow does what README.md's "Versions" says, in an order where a failure stops it. */
describe('.github/workflows/release.yml', () => {
  it('runs on version tags only', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*.*.*'] } });
  });

  it('tests before it publishes anything, and publishes before it moves the major tag', () => {
    const checks = [at(/GITHUB_REF_NAME" != "v\$version"/), at(/^npm ci$/), at(/^npm test$/)];
    const dist = at(/^node scripts\/build\.js --check$/);
    const notes = at(/scripts\/release-notes\.ts "\$GITHUB_REF_NAME"/);
    const publish = at(/npm publish/);
    const release = at(/gh release create "\$GITHUB_REF_NAME" .*--notes-file/s);
    const major = at(/git push --force origin "refs\/tags\/\$major"/);
    for (const index of [...checks, dist, notes, publish, release, major])
      expect(index).toBeGreaterThanOrEqual(0);
    expect(checks).toEqual([...checks].sort((a, b) => a - b));
    expect(Math.max(...checks, dist, notes)).toBeLessThan(publish);
    expect(publish).toBeLessThan(release);
    expect(release).toBeLessThan(major);
    // A prerelease leaves the major tag alone.
    expect(steps[major]?.if).toContain("contains(github.ref_name, '-')");
  });

  it('may write the release and the tag, and sign the npm package', () => {
    expect(workflow.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
  });
});
