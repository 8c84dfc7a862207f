import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { DotenvTargetError, describeFsError, resolveDotenvTarget, temporaryPath } from './dotenv-target.js';

/** A file the CLI creates holds a password: readable by its owner only. */
const NEW_FILE_MODE = 0o600;

export type DotenvChange = 'created' | 'replaced' | 'added';

/**
 * Sets `name` in a dotenv file: replaces the existing assignment (`NAME=`, `export NAME=`, a quoted
 * value spanning lines included) and drops any later duplicate, or appends one; every other line and
 * comment stays as it was. The file is replaced atomically (a temporary file in the same folder, then
 * rename), so a build reading it never sees half a file. A new file gets mode 0600; an existing one
 * keeps its mode. A symbolic link stays a link: the file it points at is written, and created when the
 * link dangles. Errors name `file`, never the temporary file.
 */
export async function writeDotenv(
  file: string,
  entries: readonly (readonly [name: string, value: string])[],
): Promise<DotenvChange[]> {
  const target = await resolveDotenvTarget(file);
  let content: string | undefined;
  let mode = NEW_FILE_MODE;
  try {
    content = await readFile(target, 'utf8');
    mode = (await stat(target)).mode & 0o7777;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DotenvTargetError(`cannot read '${file}': ${describeFsError(error)}`, { cause: error });
    }
  }
  const changes: DotenvChange[] = [];
  let text = content;
  for (const [name, value] of entries) {
    const next = upsertDotenv(text, name, value);
    text = next.text;
    // A second entry of a file this write creates is added to it, not a file of its own.
    changes.push(next.change === 'created' && changes.length > 0 ? 'added' : next.change);
  }

  const temporary = temporaryPath(target);
  try {
    const handle = await open(temporary, 'wx', NEW_FILE_MODE);
    try {
      // open's mode is filtered by the umask; chmod sets exactly the mode wanted.
      await handle.chmod(mode);
      await handle.writeFile(text ?? '', 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new DotenvTargetError(`cannot write '${file}': ${describeFsError(error)}`, { cause: error });
  }
  return changes;
}

/** Pure: the new file text. `content` undefined means the file does not exist yet. */
export function upsertDotenv(
  content: string | undefined,
  name: string,
  value: string,
): { text: string; change: DotenvChange } {
  const assignment = `${name}=${quoteDotenvValue(value)}`;
  if (content === undefined || content === '') {
    return { text: `${assignment}\n`, change: content === undefined ? 'created' : 'added' };
  }
  const bom = content.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = content.slice(bom.length);
  const eol = body.includes('\r\n') ? '\r\n' : '\n';
  const lines = body.split(/\r?\n/);
  const start = new RegExp(`^(\\s*)(export\\s+)?${name}\\s*=(.*)$`, 's');

  const out: string[] = [];
  let replaced = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const match = start.exec(line);
    if (match === null) {
      out.push(line);
      continue;
    }
    const end = endOfValue(lines, i, match[3] ?? '');
    if (!replaced) {
      out.push(`${match[1] ?? ''}${match[2] ?? ''}${assignment}${end.comment}`);
      replaced = true;
    }
    // A later duplicate is dropped: parsers differ on which one wins, so only one may remain.
    i = end.line;
  }
  if (!replaced) {
    // `lines` ends in '' when the file ends with a line break; keep exactly one before the new line.
    if (out.at(-1) === '') out.pop();
    out.push(assignment, '');
  }
  return { text: bom + out.join(eol), change: replaced ? 'replaced' : 'added' };
}

/**
 * The value as dotenv parsers read a double-quoted one: backslash, double quote and line breaks
 * escaped, so the value always stays on one line. A connection string never holds any of them
 * unescaped (Neon percent-encodes its URLs); the escaping is for whatever else could.
 */
export function quoteDotenvValue(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
  return `"${escaped}"`;
}

/**
 * Where the value that starts on line `first` ends: a quoted value may run over several lines (dotenv
 * allows it in ", ' and `), so the old assignment is removed whole, not only its first line. A
 * trailing ` # comment` after the value is kept.
 */
function endOfValue(lines: string[], first: number, rest: string): { line: number; comment: string } {
  const value = rest.trimStart();
  const quote = value[0];
  if (quote !== '"' && quote !== "'" && quote !== '`') {
    return { line: first, comment: /\s#.*$/.exec(value)?.[0] ?? '' };
  }
  let text = value.slice(1);
  for (let line = first; line < lines.length; line++) {
    if (line > first) text = lines[line] ?? '';
    const close = closingQuote(text, quote);
    if (close >= 0) return { line, comment: /^\s+#.*$/.exec(text.slice(close + 1))?.[0] ?? '' };
  }
  return { line: first, comment: '' }; // Never closed: not a value we can delimit; replace its line only.
}

function closingQuote(text: string, quote: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && quote === '"') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}
