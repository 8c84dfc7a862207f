import { ApiError } from '../errors.js';
import type { DeployPlan } from '../plan.js';
import type { CreatedConnection, NeonBranch, NeonDatabase } from '../ports.js';
import type { Connection } from '../result.js';
import {
  type ConnectionTarget,
  connectionTarget,
  likelyTarget,
  maskedConnection,
  readConnection,
} from './neon-branch.js';
import type { ExecuteOptions } from './options.js';
import { outOfReach } from './out-of-reach.js';

/** The connection strings a deploy hands out. */
export interface Urls {
  /** The one `pooled` asks for: written as env-var-name. */
  connection: Connection;
  /** The direct (unpooled) one, when migrate-command or unpooled-env-var-name needs it. */
  direct?: Connection | undefined;
}

export interface BranchConnection extends Urls {
  /** This run gave the role a new password: another run may hold an older one (see deploy). */
  passwordReset: boolean;
  /** Reads the connection strings again, masked. */
  reread: () => Promise<Urls>;
}

interface OwnPasswordInput {
  plan: DeployPlan;
  branch: NeonBranch;
  created: boolean;
  /** The databases the create answer listed, when this run made the branch. */
  databases?: NeonDatabase[] | undefined;
  /** The connection the create answer carried, when this run made the branch. */
  known?: CreatedConnection | undefined;
  /** The connection string the Amplify branch holds now (env-var-name), when Amplify was read. */
  written?: Promise<string | undefined> | undefined;
  /** The create's operations, not waited for yet (see createBranch's leavePending). */
  pending?: string[] | undefined;
  options: ExecuteOptions;
}

/**
 * The branch's connection string, with a password of the preview's own. Neon copies roles with
 * their passwords, so a new branch's URL would also open the parent (production) through the
 * parent's host. A branch this run created gets a new password at once; a reused one is checked
 * against its parent (the run that created it may have failed before its reset, or may be doing it
 * right now) and reset when it still has the parent's.
 */
export async function branchConnection({
  plan,
  branch,
  created,
  databases,
  known,
  written,
  pending = [],
  options,
}: OwnPasswordInput): Promise<BranchConnection> {
  const { neon, settings, log } = options;
  const likely = databases === undefined ? likelyTarget(settings) : undefined;
  const early = likely && earlyReads(likely, options);
  const listed = () => connectionTarget(neon, branch, settings, databases);
  // An earlier run chose a reused branch's target and wrote it to Amplify: the listing would only
  // say it again. (A new branch's target comes from its create answer or the listing.)
  const target =
    early && likely && written && !created
      ? sameDatabase(early(branch.id, settings.pooled), written).then((same) => (same ? likely : listed()))
      : listed();
  // Awaited after the password reset, or not at all when it fails: never left unhandled meanwhile.
  target.catch(() => undefined);
  const wantsDirect = settings.migrateCommand !== undefined || settings.unpooledEnvVarName !== undefined;
  // The create answer's URL, when it is for the target, saves reading it (and after a reset, only
  // its password changes).
  const fromCreate = async (password?: string): Promise<Urls | undefined> =>
    known === undefined || !sameTarget(known, await target)
      ? undefined
      : urlsOf(known, { password, pooled: settings.pooled, wantsDirect, secret: options.secret });
  const read: Reader = (branchId, pooled) =>
    target.then((on) => readConnection({ neon, branchId, target: on, pooled, secret: options.secret }));
  // The first reads need not wait for the databases (see earlyReader); later ones must see the
  // password as it is then, so they are sent afresh.
  const first = early && likely ? earlyReader(read, early, likely, target) : read;
  // Both forms in parallel: the direct one costs no extra time.
  const readAll = async (by: Reader = read): Promise<Urls> => {
    const [connection, direct] = await Promise.all([
      by(branch.id, settings.pooled),
      wantsDirect && settings.pooled ? by(branch.id, false) : undefined,
    ]);
    return { connection, direct: wantsDirect ? (direct ?? connection) : undefined };
  };
  const done = (urls: Urls, passwordReset: boolean): BranchConnection => ({
    ...urls,
    passwordReset,
    reread: () => readAll(),
  });
  if (plan.primary || !settings.resetRolePassword || outOfReach(branch, settings) !== undefined) {
    if (pending.length > 0) await neon.waitForOperations(pending);
    return done((created ? await fromCreate() : undefined) ?? (await readAll(first)), false);
  }

  if (!created) {
    const [urls, parentPassword] = await Promise.all([
      readAll(first),
      passwordOfParent(branch, first, options),
    ]);
    if (parentPassword === undefined || passwordOf(urls.connection) !== parentPassword) {
      return done(urls, false);
    }
    log.info(
      `Neon branch '${branch.name}' still has its parent's password for role '${(await target).roleName}'`,
    );
  }
  const { roleName } = await target;
  log.info(`Giving role '${roleName}' a password of its own on Neon branch '${branch.name}'`);
  // A new branch's reset goes when its create typically ends, and waits for both (see the port).
  const password = await neon.resetRolePassword(branch.id, roleName, pending);
  if (password !== undefined) options.secret(password);
  const urls = created && password !== undefined ? await fromCreate(password) : undefined;
  return done(urls ?? (await readAll()), true);
}

/** Reads one of a branch's connection strings (masked), pooled or direct. */
type Reader = (branchId: string, pooled: boolean) => Promise<Connection>;

/**
 * Reading the branch's databases to learn the target costs a round trip before the URL can be
 * read. These reads are sent at once on the likely target (see likelyTarget), once per branch and
 * form, and masked on arrival, a dropped one too.
 */
function earlyReads(likely: ConnectionTarget, { neon, secret }: ExecuteOptions): Reader {
  const sent = new Map<string, Promise<Connection>>();
  return (branchId, pooled) => {
    const key = `${branchId} ${pooled}`;
    let read = sent.get(key);
    if (read === undefined) {
      read = readConnection({ neon, branchId, target: likely, pooled, secret });
      read.catch(() => undefined); // A wrong guess answers 404; only a kept answer's failure counts.
      sent.set(key, read);
    }
    return read;
  };
}

/** The early read's answer when the target proves to be the likely one; otherwise a read on the real one. */
function earlyReader(
  read: Reader,
  early: Reader,
  likely: ConnectionTarget,
  target: Promise<ConnectionTarget>,
): Reader {
  return (branchId, pooled) => {
    const sent = early(branchId, pooled);
    // Dropped when the target is another one: its failure then means nothing.
    sent.catch(() => undefined);
    return target.then((on) => (sameTarget(on, likely) ? sent : read(branchId, pooled)));
  };
}

/**
 * Whether the URL Amplify holds opens the same database as the same role on the same host as the
 * one just read (the password aside: a reset or restore may have changed it). Only a run of this
 * tool wrote it there, after it had checked the target against the branch's databases.
 */
async function sameDatabase(
  read: Promise<Connection>,
  written: Promise<string | undefined>,
): Promise<boolean> {
  const [now, before] = await Promise.all([read.catch(() => undefined), written.catch(() => undefined)]);
  if (now === undefined || before === undefined || !URL.canParse(before)) return false;
  const [a, b] = [new URL(now.url), new URL(before)];
  return a.host === b.host && a.pathname === b.pathname && a.username === b.username;
}

function sameTarget(a: ConnectionTarget, b: ConnectionTarget): boolean {
  return a.databaseName === b.databaseName && a.roleName === b.roleName;
}

/**
 * The URLs from the create answer's direct one: the pooled one is the same on the pooler's host,
 * which is how Neon forms it. Masked before anything can print them.
 */
export function urlsOf(
  known: CreatedConnection,
  how: {
    password: string | undefined;
    pooled: boolean;
    wantsDirect: boolean;
    secret: (value: string) => void;
  },
): Urls {
  const direct = new URL(known.uri);
  if (how.password !== undefined) direct.password = encodeURIComponent(how.password);
  const pooled = new URL(direct.href);
  pooled.hostname = known.poolerHost;
  const connection = maskedConnection(how.pooled ? pooled.href : direct.href, how.secret);
  return { connection, direct: how.wantsDirect ? maskedConnection(direct.href, how.secret) : undefined };
}

/** The parent's password for the same role and database; undefined when the parent has neither. */
async function passwordOfParent(
  branch: NeonBranch,
  read: Reader,
  options: ExecuteOptions,
): Promise<string | undefined> {
  if (branch.parentId === undefined) return undefined;
  try {
    return passwordOf(await read(branch.parentId, options.settings.pooled));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

function passwordOf(connection: Connection): string {
  return new URL(connection.url).password;
}
