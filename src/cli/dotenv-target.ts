import { randomBytes } from 'node:crypto';
import { lstat, open, readlink, realpath, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** Linux gives up after 40 links; so do we, rather than loop on a cycle. */
const MAX_LINKS = 40;

/** A `--write-env` path that cannot be written, in words that name the user's path, never a temporary one. */
export class DotenvTargetError extends Error {}

/**
 * Where a write to `file` lands: the file itself, or, for a symbolic link, the end of its chain,
 * also when that end does not exist yet (a dangling link): the link stays a link, and the file it
 * points at is written (created when missing), which is what someone who linked `.env` to a shared
 * file means. Each link is read relative to the real folder it sits in, as the system does.
 */
export async function resolveDotenvTarget(file: string): Promise<string> {
  let path = resolve(file);
  try {
    for (let hops = 0; hops <= MAX_LINKS; hops++) {
      const folder = await realpath(dirname(path)).catch(() => undefined);
      // A folder that cannot be resolved stays as given: the check says what is wrong with it.
      if (folder === undefined) return path;
      path = join(folder, basename(path));
      // ENOTDIR: the "folder" is a file; the check says so.
      const info = await lstat(path).catch(ignore('ENOENT', 'ENOTDIR'));
      if (info === undefined || !info.isSymbolicLink()) return path;
      path = resolve(folder, await readlink(path));
    }
  } catch (error) {
    throw new DotenvTargetError(`'${file}': ${describeFsError(error)}`, { cause: error });
  }
  throw new DotenvTargetError(`'${file}' is a loop of symbolic links`);
}

/**
 * Fails when `file` cannot be written the way writeDotenv writes it (read it if it exists, create
 * a temporary file next to it, rename that over it), before any work is done for it. `probe`
 * really creates and removes a temporary file in the folder: permission bits alone do not tell
 * (root passes every access() check, yet cannot create a file in /proc or on a read-only mount).
 */
export async function checkDotenvTarget(file: string, options: { probe: boolean }): Promise<void> {
  const target = await resolveDotenvTarget(file);
  const named = target === resolve(file) ? `'${file}'` : `'${file}' (a link to '${target}')`;
  const folder = dirname(target);
  const folderInfo = await stat(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT')
      throw new DotenvTargetError(`${named}: the folder '${folder}' does not exist`);
    if (error.code === 'ENOTDIR')
      throw new DotenvTargetError(`${named}: a part of '${folder}' is a file, not a folder`);
    throw new DotenvTargetError(`${named}: ${describeFsError(error)}`);
  });
  if (!folderInfo.isDirectory()) throw new DotenvTargetError(`${named}: '${folder}' is a file, not a folder`);

  const info = await stat(target).catch(ignore('ENOENT'));
  if (info?.isDirectory()) throw new DotenvTargetError(`${named} is a folder, not a file`);
  if (info !== undefined && !info.isFile()) throw new DotenvTargetError(`${named} is not a regular file`);
  if (info !== undefined) {
    await open(target, 'r')
      .then((handle) => handle.close())
      .catch((error: NodeJS.ErrnoException) => {
        throw new DotenvTargetError(`${named} cannot be read: ${describeFsError(error)}`);
      });
  }
  if (!options.probe) return;
  const probe = temporaryPath(target);
  const handle = await open(probe, 'wx', 0o600).catch((error: NodeJS.ErrnoException) => {
    throw new DotenvTargetError(`${named}: cannot create a file in '${folder}': ${describeFsError(error)}`);
  });
  await handle.close();
  await unlink(probe).catch(() => undefined);
}

/** The temporary file writeDotenv renames over `target`: hidden, next to it, never a name in use. */
export function temporaryPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** A file system error in words, without the path Node puts into its messages (it may be a temporary one). */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    ENOENT: 'no such file or folder',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EISDIR: 'it is a folder',
    ELOOP: 'too many symbolic links',
  };
  if (code !== undefined) return words[code] ? `${words[code]} (${code})` : code;
  return error instanceof Error ? error.message : String(error);
}

function ignore(...codes: string[]) {
  return (error: NodeJS.ErrnoException): undefined => {
    if (error.code !== undefined && codes.includes(error.code)) return undefined;
    throw error;
  };
}
