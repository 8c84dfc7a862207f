import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quoteDotenvValue, upsertDotenv, writeDotenv } from '../../src/cli/dotenv.js';

const URL_A =
  'postgresql://neondb_owner:npg_AbC123xyz@ep-cool-river-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require';

function upsert(content: string | undefined, value = URL_A) {
  return upsertDotenv(content, 'DATABASE_URL', value);
}

describe('upsertDotenv', () => {
  it('creates the file with one line', () => {
    expect(upsert(undefined)).toEqual({ text: `DATABASE_URL="${URL_A}"\n`, change: 'created' });
    expect(upsert('')).toEqual({ text: `DATABASE_URL="${URL_A}"\n`, change: 'added' });
  });

  it('appends to a file without the variable, keeping everything, with one line break between', () => {
    expect(upsert('# comment\nA=1\n').text).toBe(`# comment\nA=1\nDATABASE_URL="${URL_A}"\n`);
    expect(upsert('A=1').text).toBe(`A=1\nDATABASE_URL="${URL_A}"\n`);
    expect(upsert('A=1\n\n').text).toBe(`A=1\n\nDATABASE_URL="${URL_A}"\n`);
  });

  it('does not take a longer name or a commented-out line for the variable', () => {
    const text = 'DATABASE_URL_UNPOOLED=x\n# DATABASE_URL=old\nMY_DATABASE_URL=y\n';
    expect(upsert(text)).toEqual({ text: `${text}DATABASE_URL="${URL_A}"\n`, change: 'added' });
  });

  it('replaces in place, keeping export, indentation and a trailing comment', () => {
    expect(upsert('A=1\nDATABASE_URL=postgres://old\nB=2\n')).toEqual({
      text: `A=1\nDATABASE_URL="${URL_A}"\nB=2\n`,
      change: 'replaced',
    });
    expect(upsert('export DATABASE_URL = "old"   # the database\n').text).toBe(
      `export DATABASE_URL="${URL_A}"   # the database\n`,
    );
    expect(upsert('  DATABASE_URL=old # note\n').text).toBe(`  DATABASE_URL="${URL_A}" # note\n`);
  });

  it('drops later duplicates, so no parser can pick a stale one', () => {
    const { text } = upsert('DATABASE_URL=one\nA=1\n\nDATABASE_URL=two\nexport DATABASE_URL=three\nB=2\n');
    expect(text).toBe(`DATABASE_URL="${URL_A}"\nA=1\n\nB=2\n`);
  });

  it('removes an old quoted value that ran over several lines whole', () => {
    const text = 'A=1\nDATABASE_URL="postgres://x\nstill-the-value\nend" # c\nB="x\ny"\n';
    expect(upsert(text).text).toBe(`A=1\nDATABASE_URL="${URL_A}" # c\nB="x\ny"\n`);
    expect(upsert("DATABASE_URL='a\nb'\nC=3\n").text).toBe(`DATABASE_URL="${URL_A}"\nC=3\n`);
    expect(upsert('DATABASE_URL="a \\" still\nb"\nC=3\n').text).toBe(`DATABASE_URL="${URL_A}"\nC=3\n`);
  });

  it('keeps CRLF line ends, a missing final line break and a byte order mark', () => {
    expect(upsert('A=1\r\nDATABASE_URL=old\r\n').text).toBe(`A=1\r\nDATABASE_URL="${URL_A}"\r\n`);
    expect(upsert('A=1\r\n').text).toBe(`A=1\r\nDATABASE_URL="${URL_A}"\r\n`);
    expect(upsert('DATABASE_URL=old').text).toBe(`DATABASE_URL="${URL_A}"`);
    expect(upsert('\uFEFFDATABASE_URL=old\n').text).toBe(`\uFEFFDATABASE_URL="${URL_A}"\n`);
  });

  it('writes a value dotenv parsers read back unchanged', () => {
    const text = upsert('# keep\nA=1\n').text;
    expect(parseEnv(text)).toEqual({ A: '1', DATABASE_URL: URL_A });
  });
});

describe('quoteDotenvValue', () => {
  it('escapes backslash, double quote and line breaks, so the value stays on one line', () => {
    expect(quoteDotenvValue('a"b\\c\nd\re')).toBe('"a\\"b\\\\c\\nd\\re"');
    expect(quoteDotenvValue('plain')).toBe('"plain"');
    expect(quoteDotenvValue("it's #not a comment $HOME")).toBe('"it\'s #not a comment $HOME"');
  });

  it('a value with a line break reads back with it (double quotes expand \\n)', () => {
    expect(parseEnv(`X=${quoteDotenvValue('one\ntwo')}\n`).X).toBe('one\ntwo');
  });
});

describe('writeDotenv', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-dotenv-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates a new file with mode 0600 and leaves no temporary file', async () => {
    const file = join(dir, '.env');
    expect(await writeDotenv(file, 'DATABASE_URL', URL_A)).toBe('created');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(`DATABASE_URL="${URL_A}"\n`);
    expect(await readdir(dir)).toEqual(['.env']);
  });

  it('keeps the mode of an existing file and replaces it by rename (a new inode)', async () => {
    const file = join(dir, '.env');
    await writeFile(file, 'A=1\nDATABASE_URL=old\n', { mode: 0o644 });
    const before = await stat(file);
    expect(before.mode & 0o777).toBe(0o644);
    expect(await writeDotenv(file, 'DATABASE_URL', URL_A)).toBe('replaced');
    const after = await stat(file);
    expect(after.mode & 0o777).toBe(0o644);
    expect(after.ino).not.toBe(before.ino);
    expect(await readFile(file, 'utf8')).toBe(`A=1\nDATABASE_URL="${URL_A}"\n`);
    expect(await readdir(dir)).toEqual(['.env']);
  });

  it('follows a symbolic link: the link stays, its target is updated', async () => {
    const target = join(dir, 'shared.env');
    await writeFile(target, 'A=1\n');
    await symlink('shared.env', join(dir, '.env'));
    expect(await writeDotenv(join(dir, '.env'), 'DATABASE_URL', URL_A)).toBe('added');
    expect((await lstat(join(dir, '.env'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, '.env'))).toBe('shared.env');
    expect(await readFile(target, 'utf8')).toBe(`A=1\nDATABASE_URL="${URL_A}"\n`);
  });

  it('fails on a missing folder without leaving anything behind', async () => {
    await expect(writeDotenv(join(dir, 'missing', '.env'), 'DATABASE_URL', URL_A)).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});
