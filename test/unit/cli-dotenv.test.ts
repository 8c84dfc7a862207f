import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quoteDotenvValue, upsertDotenv, writeDotenv } from '../../src/cli/dotenv.js';
import { checkDotenvTarget, DotenvTargetError, resolveDotenvTarget } from '../../src/cli/dotenv-target.js';

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
    expect(await writeDotenv(file, [['DATABASE_URL', URL_A]])).toEqual(['created']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(`DATABASE_URL="${URL_A}"\n`);
    expect(await readdir(dir)).toEqual(['.env']);
  });

  it('keeps the mode of an existing file and replaces it by rename (a new inode)', async () => {
    const file = join(dir, '.env');
    await writeFile(file, 'A=1\nDATABASE_URL=old\n', { mode: 0o644 });
    const before = await stat(file);
    expect(before.mode & 0o777).toBe(0o644);
    expect(await writeDotenv(file, [['DATABASE_URL', URL_A]])).toEqual(['replaced']);
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
    expect(await writeDotenv(join(dir, '.env'), [['DATABASE_URL', URL_A]])).toEqual(['added']);
    expect((await lstat(join(dir, '.env'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, '.env'))).toBe('shared.env');
    expect(await readFile(target, 'utf8')).toBe(`A=1\nDATABASE_URL="${URL_A}"\n`);
  });

  it('fails on a missing folder without leaving anything behind, naming the path given', async () => {
    const file = join(dir, 'missing', '.env');
    const error = await writeDotenv(file, [['DATABASE_URL', URL_A]]).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DotenvTargetError);
    expect((error as Error).message).toBe(`cannot write '${file}': no such file or folder (ENOENT)`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a dangling link stays a link: the file it points at is created, mode 0600', async () => {
    await mkdir(join(dir, 'config'));
    await symlink('config/app.env', join(dir, '.env'));
    expect(await writeDotenv(join(dir, '.env'), [['DATABASE_URL', URL_A]])).toEqual(['created']);
    expect(await readlink(join(dir, '.env'))).toBe('config/app.env');
    expect(await readFile(join(dir, 'config/app.env'), 'utf8')).toBe(`DATABASE_URL="${URL_A}"\n`);
    expect((await stat(join(dir, 'config/app.env'))).mode & 0o777).toBe(0o600);
  });
});

describe('resolveDotenvTarget', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'cli-dotenv-target-')));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('follows a chain of links, each relative to the real folder it sits in', async () => {
    await mkdir(join(dir, 'real/app'), { recursive: true });
    await symlink('real/app', join(dir, 'app'));
    // ../shared.env from inside app/ means real/shared.env, not shared.env next to app.
    await symlink('../shared.env', join(dir, 'real/app/.env'));
    await symlink('final.env', join(dir, 'real/shared.env'));
    expect(await resolveDotenvTarget(join(dir, 'app/.env'))).toBe(join(dir, 'real/final.env'));
    expect(await resolveDotenvTarget(join(dir, 'plain.env'))).toBe(join(dir, 'plain.env'));
  });

  it('refuses a loop of links', async () => {
    await symlink('b', join(dir, 'a'));
    await symlink('a', join(dir, 'b'));
    await expect(resolveDotenvTarget(join(dir, 'a'))).rejects.toThrow(/is a loop of symbolic links/);
  });
});

describe('checkDotenvTarget', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await realpath(await mkdtemp(join(tmpdir(), 'cli-dotenv-check-')));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const check = (file: string, probe = true) => checkDotenvTarget(file, { probe });

  it('accepts a new file in a writable folder, an existing file and a link, leaving nothing behind', async () => {
    await check(join(dir, '.env'));
    await writeFile(join(dir, 'old.env'), 'A=1\n');
    await check(join(dir, 'old.env'));
    await symlink('new.env', join(dir, 'link.env'));
    await check(join(dir, 'link.env'));
    expect((await readdir(dir)).sort()).toEqual(['link.env', 'old.env']);
  });

  it('names what is wrong with the path given', async () => {
    await mkdir(join(dir, 'folder'));
    await writeFile(join(dir, 'file'), 'x');
    await symlink('nowhere/x.env', join(dir, 'link'));
    await expect(check(join(dir, 'folder'))).rejects.toThrow(
      `'${join(dir, 'folder')}' is a folder, not a file`,
    );
    await expect(check(join(dir, 'no/.env'))).rejects.toThrow(
      `the folder '${join(dir, 'no')}' does not exist`,
    );
    await expect(check(join(dir, 'file/.env'))).rejects.toThrow(
      `'${join(dir, 'file')}' is a file, not a folder`,
    );
    await expect(check(join(dir, 'link'))).rejects.toThrow(
      `'${join(dir, 'link')}' (a link to '${join(dir, 'nowhere/x.env')}'): the folder '${join(dir, 'nowhere')}' does not exist`,
    );
    await expect(check('/dev/null')).rejects.toThrow("'/dev/null' is not a regular file");
  });

  it('probes by creating a file, since access() lets root pass where creating fails', async () => {
    // /proc is writable by access(W_OK) for root, but no file can be created in it.
    await expect(check('/proc/.env')).rejects.toThrow("'/proc/.env': cannot create a file in '/proc'");
    await expect(check('/proc/.env', false)).resolves.toBeUndefined();
  });

  it('writes the direct URL next to the pooled one in the same file, each line replaced or added once', async () => {
    const file = join(dir, '.env');
    await writeFile(file, 'A=1\nDATABASE_URL=old\n');
    const entries = [
      ['DATABASE_URL', URL_A],
      ['DATABASE_URL_UNPOOLED', `${URL_A}-direct`],
    ] as const;
    expect(await writeDotenv(file, entries)).toEqual(['replaced', 'added']);
    expect(await writeDotenv(file, entries)).toEqual(['replaced', 'replaced']);
    expect(await readFile(file, 'utf8')).toBe(
      `A=1\nDATABASE_URL="${URL_A}"\nDATABASE_URL_UNPOOLED="${URL_A}-direct"\n`,
    );
    const fresh = join(dir, 'fresh.env');
    expect(await writeDotenv(fresh, entries)).toEqual(['created', 'added']);
  });
});
