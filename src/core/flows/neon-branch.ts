import { ApiError, SettingError, UsageError } from '../errors.js';
import type {
  CreatedConnection,
  Logger,
  NeonBranch,
  NeonDatabase,
  NeonMaskingRule,
  NeonPort,
} from '../ports.js';
import { maskConnectionString } from '../redact.js';
import type { Connection } from '../result.js';
import type { Settings } from '../settings.js';

/** The parent setting resolved to a branch: the project's default branch when not given. */
export async function resolveParent(neon: NeonPort, settings: Settings): Promise<NeonBranch> {
  if (settings.parentBranch === undefined) return neon.getDefaultBranch();
  const parent = await neon.resolveBranch(settings.parentBranch);
  if (parent === undefined) {
    throw SettingError.invalid(
      'parent-branch',
      settings.parentBranch,
      `no Neon branch has that name or id in project ${settings.neonProjectId}`,
    );
  }
  return parent;
}

export interface CreateOrReuseInput {
  neon: NeonPort;
  name: string;
  /** Undefined: Neon's default branch (the create leaves parent_id out, so no lookup comes first). */
  parent: NeonBranch | undefined;
  settings: Settings;
  log: Logger;
  /** Masks a secret: the create answer's URL carries the parent's password. */
  secret: (value: string) => void;
  /** RFC 3339, with expires-in. */
  expiresAt: string | undefined;
  /** Creates an anonymized branch masked by these rules (anonymize). */
  maskingRules?: NeonMaskingRule[] | undefined;
  /**
   * Returns without waiting for the create's operations: the caller hands them to branchConnection
   * (MadeBranch.pending), whose password reset is sent when they typically end instead of after a
   * read that sees them end, a round trip sooner.
   */
  leavePending?: boolean | undefined;
}

export interface MadeBranch {
  branch: NeonBranch;
  created: boolean;
  databases?: NeonDatabase[] | undefined;
  connection?: CreatedConnection | undefined;
  /** The create's operations, not waited for yet (leavePending): branchConnection waits for them. */
  pending?: string[] | undefined;
}

/**
 * Creates the branch and waits for its operations (unless leavePending); Neon's 409 (the name is
 * taken) is thrown as is.
 */
export async function createBranch(input: CreateOrReuseInput): Promise<MadeBranch> {
  const { neon, name, parent, settings, log, expiresAt } = input;
  const what =
    settings.branchType === 'schema-only'
      ? ' (schema only, no rows)'
      : input.maskingRules === undefined
        ? ''
        : ' (anonymized)';
  const until = expiresAt === undefined ? '' : `, expiring at ${expiresAt}`;
  const from = parent === undefined ? "the project's default branch" : `'${parent.name}' (${parent.id})`;
  log.info(`Creating Neon branch '${name}' from ${from}${what}${until}`);
  const result = await neon.createBranch({
    name,
    parentId: parent?.id,
    suspendTimeoutSeconds: settings.suspendTimeoutSeconds,
    expiresAt,
    schemaOnly: settings.branchType === 'schema-only',
    maskingRules: input.maskingRules,
  });
  if (result.connection !== undefined) maskConnectionString(result.connection.uri, input.secret);
  const made = {
    branch: result.branch,
    created: true,
    databases: result.databases,
    connection: result.connection,
  };
  if (input.leavePending) return { ...made, pending: result.operationIds };
  await neon.waitForOperations(result.operationIds);
  return made;
}

/** Neon's answer to a create whose name is taken. */
export function isNameTaken(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409;
}

/** Creates the branch and waits for it; a 409 means another run won the race, so its branch is used. */
export async function createOrReuse(input: CreateOrReuseInput): Promise<MadeBranch> {
  const { neon, name, log } = input;
  try {
    return await createBranch(input);
  } catch (error) {
    if (!isNameTaken(error)) throw error;
    // Another run created it between our lookup and our create: use the winner's branch, once its
    // operations are done, so the connection string points at a ready endpoint.
    log.info(`Neon branch '${name}' was created by another run meanwhile; reusing it`);
    const winner = await neon.findBranchByName(name);
    if (winner === undefined) {
      throw new Error(
        `Creating Neon branch '${name}' failed: Neon answered 409 but no branch has that name`,
        {
          cause: error,
        },
      );
    }
    await neon.waitForOperations(await neon.pendingOperationIds(winner.id));
    return { branch: winner, created: false };
  }
}

/** Which database, as which role, a connection string opens. */
export interface ConnectionTarget {
  databaseName: string;
  roleName: string;
}

/**
 * The target as far as it can be told before the branch's databases are read: the names set, and
 * for a name not set, the one Neon gives every new project (database `neondb`, owned by
 * `neondb_owner`). Undefined when both are set: then it is known without a read.
 */
export function likelyTarget(settings: Settings): ConnectionTarget | undefined {
  if (settings.database !== undefined && settings.role !== undefined) return undefined;
  return { databaseName: settings.database ?? 'neondb', roleName: settings.role ?? 'neondb_owner' };
}

/** The database and role settings, or the branch's only database and its owner. */
export async function connectionTarget(
  neon: NeonPort,
  branch: NeonBranch,
  settings: Settings,
  /** The databases the create answer listed, when the branch was just made. */
  known?: NeonDatabase[] | undefined,
): Promise<ConnectionTarget> {
  const { database, role } = settings;
  if (database !== undefined && role !== undefined) return { databaseName: database, roleName: role };
  const databases = known ?? (await neon.listDatabases(branch.id));
  const found =
    database === undefined ? onlyDatabase(databases, branch) : databases.find((d) => d.name === database);
  if (found === undefined) {
    throw SettingError.invalid(
      'database',
      database,
      `Neon branch '${branch.name}' has ${databases.map((d) => `'${d.name}'`).join(', ') || 'no databases'}`,
    );
  }
  return { databaseName: found.name, roleName: role ?? found.ownerName };
}

export interface ConnectionInput {
  neon: NeonPort;
  branchId: string;
  target: ConnectionTarget;
  pooled: boolean;
  secret: (value: string) => void;
}

/** A branch's connection string, masked before anything can print it. */
export async function readConnection(input: ConnectionInput): Promise<Connection> {
  const url = await input.neon.connectionUri({
    branchId: input.branchId,
    ...input.target,
    pooled: input.pooled,
  });
  return maskedConnection(url, input.secret);
}

/** A connection string, masked before anything can print it, with its host. */
export function maskedConnection(url: string, secret: (value: string) => void): Connection {
  maskConnectionString(url, secret);
  return { url, host: new URL(url).hostname };
}

function onlyDatabase<T extends { name: string }>(databases: T[], branch: NeonBranch): T {
  const [first, ...rest] = databases;
  if (first === undefined) throw new UsageError(`Neon branch '${branch.name}' has no database`);
  if (rest.length > 0) {
    throw new UsageError(
      `Neon branch '${branch.name}' has ${databases.length} databases (${databases.map((d) => d.name).join(', ')}): set the database input to one of them`,
    );
  }
  return first;
}
