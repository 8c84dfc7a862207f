import { ApiError } from '../errors.js';
import type { CreatedConnection, NeonBranch, NeonDatabase } from '../ports.js';
import type { Connection } from '../result.js';
import type { DeployPlan } from './deploy.js';
import { type ConnectionTarget, connectionTarget, maskedConnection, readConnection } from './neon-branch.js';
import type { ExecuteOptions } from './options.js';

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
  options,
}: OwnPasswordInput): Promise<BranchConnection> {
  const { neon, settings, log } = options;
  const target = await connectionTarget(neon, branch, settings, databases);
  const wantsDirect = settings.migrateCommand !== undefined || settings.unpooledEnvVarName !== undefined;
  // The create answer's URL, when it is for the target, saves reading it (and after a reset, only
  // its password changes).
  const fromCreate = (password?: string): Urls | undefined =>
    known === undefined || !sameTarget(known, target)
      ? undefined
      : urlsOf(known, { password, pooled: settings.pooled, wantsDirect, secret: options.secret });
  const read = (pooled: boolean) =>
    readConnection({ neon, branchId: branch.id, target, pooled, secret: options.secret });
  // Both forms in parallel: the direct one costs no extra time.
  const readAll = async (): Promise<Urls> => {
    const [connection, direct] = await Promise.all([
      read(settings.pooled),
      wantsDirect && settings.pooled ? read(false) : undefined,
    ]);
    return { connection, direct: wantsDirect ? (direct ?? connection) : undefined };
  };
  const done = (urls: Urls, passwordReset: boolean): BranchConnection => ({
    ...urls,
    passwordReset,
    reread: readAll,
  });
  if (plan.primary || !settings.resetRolePassword) {
    return done((created ? fromCreate() : undefined) ?? (await readAll()), false);
  }

  if (!created) {
    const [urls, parentPassword] = await Promise.all([readAll(), passwordOfParent(branch, target, options)]);
    if (parentPassword === undefined || passwordOf(urls.connection) !== parentPassword) {
      return done(urls, false);
    }
    log.info(`Neon branch '${branch.name}' still has its parent's password for role '${target.roleName}'`);
  }
  log.info(`Giving role '${target.roleName}' a password of its own on Neon branch '${branch.name}'`);
  const password = await neon.resetRolePassword(branch.id, target.roleName);
  if (password !== undefined) options.secret(password);
  const urls = created && password !== undefined ? fromCreate(password) : undefined;
  return done(urls ?? (await readAll()), true);
}

function sameTarget(known: CreatedConnection, target: ConnectionTarget): boolean {
  return known.databaseName === target.databaseName && known.roleName === target.roleName;
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
  target: ConnectionTarget,
  options: ExecuteOptions,
): Promise<string | undefined> {
  if (branch.parentId === undefined) return undefined;
  try {
    const parent = await readConnection({
      neon: options.neon,
      branchId: branch.parentId,
      target,
      pooled: options.settings.pooled,
      secret: options.secret,
    });
    return passwordOf(parent);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

function passwordOf(connection: Connection): string {
  return new URL(connection.url).password;
}
