import { describe, expect, it } from 'vitest';
import { runDemo } from '../../scripts/demo-story.js';
import { PEOPLE } from '../fakes/neon-seed.js';

/** `npm run demo` runs this story: its claims are asserted here, not only its exit code. */
describe('npm run demo', () => {
  it('shows a migrated preview with its own rows beside an untouched parent, then cleans up', async () => {
    const printed: string[] = [];
    const facts = await runDemo((line) => printed.push(line));
    expect(facts.exitCodes).toEqual([0, 0]);
    // The migration added a column on the preview only; the row written through the Amplify URL is
    // there, and not in the parent.
    expect(facts.previewRows.map((row) => [row.title, row.seasons])).toEqual([
      ['Severance', 2],
      ['The Bear', 1],
      ['Slow Horses', 1],
      ['Made in the preview', 1],
    ]);
    expect(facts.parentRows.map((row) => row.title)).toEqual(['Severance', 'The Bear', 'Slow Horses']);
    expect(facts.parentRows.every((row) => !('seasons' in row))).toBe(true);
    // The people reached the preview through Neon's masking: same names, fake e-mail addresses.
    expect(facts.parentPeople).toEqual(PEOPLE);
    expect(facts.previewPeople.map((person) => person.firstName)).toEqual(PEOPLE.map((p) => p.firstName));
    for (const person of facts.previewPeople) expect(person.email).toMatch(/^[a-z0-9]{10}@example\.com$/);
    expect(facts.commentsAfterPush[0]).toContain('masked by Neon: 1 masking rule applied (anonymize)');
    expect(facts.variablesAfterPush).toEqual(['API_URL', 'DATABASE_URL', 'DATABASE_URL_UNPOOLED']);
    expect(facts.jobs).toEqual([expect.stringMatching(/^1 RELEASE /)]);
    expect(facts.previewExistsAfterClose).toBe(false);
    expect(facts.variablesAfterClose).toEqual(['API_URL']);
    // The pull request was open before the push: one sticky comment, written on the push, edited on
    // close, and no warning (a 404 on commenting was one).
    expect(facts.warnings).toEqual([]);
    expect(facts.commentsAfterPush).toHaveLength(1);
    expect(facts.commentsAfterPush[0]).toContain('`preview/feature/seasons`');
    expect(facts.commentsAfterPush[0]).toContain('+    seasons integer DEFAULT 1 NOT NULL');
    expect(facts.commentsAfterClose).toHaveLength(1);
    expect(facts.commentsAfterClose[0]).toContain(
      'The Neon branch `preview/feature/seasons` was deleted: the pull request was closed.',
    );
    // What a person reads: the rows, side by side, and no password.
    const text = printed.join('\n');
    expect(text).toContain('Applied 001_add_seasons on preview/feature/seasons');
    expect(text).toContain('1 | Severance | 8.7 | 2');
    expect(text).toContain('4 | Made in the preview | 7.9 | 1');
    expect(text).toMatch(/Ada Lovelace \| ada\.lovelace@example\.org \| [a-z0-9]{10}@example\.com/);
    expect(text).toContain('> ### Neon database for `feature/seasons`: deleted');
    expect(text).toMatch(/neondb_owner:\*\*\*\*@/);
    expect(text).not.toMatch(/neondb_owner:(?!\*\*\*\*)[^@]+@/);
  });
});
