import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  type Branch,
  type BranchCreateRequest,
  type BranchRestoreRequest,
  type BranchUpdateRequest,
  type ConnectionDetails,
  type Database,
  type Endpoint,
  EndpointPoolerMode,
  EndpointState,
  EndpointType,
  type Operation,
  OperationAction,
  OperationStatus,
  type Role,
} from '@neondatabase/api-client';
import type { DataPlane, LoginDirectory } from './neon-data-plane.js';
import type { LoginRequest } from './postgres-front.js';

/**
 * The state behind the Neon stand-in and the rules the real service enforces on it. Records are typed
 * with the client's own types, so a stand-in that drifts from the API stops compiling.
 */

/** A refusal, answered as Neon's `{code, message, request_id}`. */
export class NeonHttpError extends Error {
  override name = 'NeonHttpError';
  readonly status: number;
  readonly code: string;

  constructor(status: number, message: string, code = '') {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * How an operation ends: a status, or `never` for one that stays `running`. `failed-then-finished`
 * shows `failed` for one read, `running` for the next, then `finished`: Neon retrying a failed
 * operation, which its operations reference allows (https://neon.com/docs/reference/api/operations,
 * `failed` is not terminal there). A plain `failed` stays failed, as the stand-in always did.
 */
export type OperationOutcome =
  | 'finished'
  | 'skipped'
  | 'failed'
  | 'failed-then-finished'
  | 'error'
  | 'cancelled'
  | 'never';

export interface OperationPlan {
  /** How many reads of `GET /operations/{id}` still show it in progress (`running`) before it ends. */
  steps: number;
  /** It also ends this long after it was created, read or not, as real ones do; null: only by reads. */
  durationMs: number | null;
  /**
   * Real milliseconds (the process's clock, not the stand-in's `now`) it stays in progress at least,
   * whatever the reads and `durationMs` say: for runs that should feel Neon's latency. 0: no floor.
   */
  wallMs: number;
  outcome: OperationOutcome;
}

export interface NeonStandInState {
  project: { id: string; name: string; regionId: string };
  /** The Bearer key the stand-in accepts; change it to simulate a revoked key. */
  apiKey: string;
  branches: Branch[];
  endpoints: Endpoint[];
  databases: Database[];
  /** With their passwords, which the API itself only gives out inside connection URIs. */
  roles: Role[];
  /** Oldest first. */
  operations: Operation[];
  /** Ids deleted through the API: deleting one again answers 204. */
  deletedBranchIds: Set<string>;
  /** The plan's branch quota (every branch counts, the default one too); undefined: no limit. */
  branchLimit: number | undefined;
  /**
   * The plan's root branches (no parent: the default branch, schema-only ones, backups a restore
   * leaves); undefined: no limit. See NEON_ROOT_BRANCH_LIMITS.
   */
  rootBranchLimit: number | undefined;
}

/**
 * Root branches a project holds per plan, the default branch counted: Neon's schema-only branching
 * guide, "Schema-only branch allowances" (https://neon.com/docs/guides/branching-schema-only).
 */
export const NEON_ROOT_BRANCH_LIMITS = { free: 3, launch: 5, scale: 10, business: 25 } as const;

export interface ModelOptions {
  apiKey: string;
  projectId: string;
  projectName: string;
  regionId: string;
  defaultBranchName: string;
  databaseName: string;
  ownerName: string;
  branchLimit: number | undefined;
  rootBranchLimit?: number | undefined;
  /** Refuse a create whose endpoint sets `suspend_timeout_seconds` (Neon's Free plan, reportedly). */
  refuseSuspendTimeout?: boolean | undefined;
  operationPlan: OperationPlan;
  /**
   * What a running operation locks (answered 423): `branch`, changes to the branch it runs on;
   * `project`, every change in the project, as Neon does (docs/neon-stand-in.md). Default `branch`.
   */
  lockScope?: LockScope | undefined;
  now: () => number;
  /** The real clock `OperationPlan.wallMs` is counted on; default `performance.now`. */
  wallNow?: (() => number) | undefined;
  /** Real databases behind the branches; without it, connection URIs open nothing. */
  dataPlane?: DataPlane | undefined;
}

export type LockScope = 'branch' | 'project';

/** An operation Neon starts by itself (an availability check, a suspend), not asked for by a request. */
export interface BackgroundOperationInput {
  /** Default: the project's default branch. */
  branchId?: string;
  /** Default `check_availability`, Neon's periodic check of every branch with a compute. */
  action?: OperationAction | `${OperationAction}`;
  /** How it progresses; the rest of the stand-in's current plan applies. */
  durationMs?: number | null;
  steps?: number;
  outcome?: OperationOutcome;
}

export interface AddBranchInput {
  name: string;
  /** Default: the project's default branch. Databases and roles are copied from it. */
  parentId?: string;
  protected?: boolean;
  /** Default true: a read-write endpoint, so connection URIs can be made. */
  withEndpoint?: boolean;
}

interface OperationProgress {
  plan: OperationPlan;
  createdAtMs: number;
  /** The wall clock (`wallNow`) at creation, for `wallMs`. */
  createdAtWall: number;
  polls: number;
  /** Set by setOperationStatus: the status stays as set. */
  pinned: boolean;
  /** Where a `failed-then-finished` operation is in its retry: `failed`, then `running`. */
  retry?: 'failed' | 'running';
}

const FINAL_STATUSES: ReadonlySet<string> = new Set(['finished', 'skipped', 'failed', 'error', 'cancelled']);

const OUTCOME_STATUS: Record<Exclude<OperationOutcome, 'never'>, OperationStatus> = {
  finished: OperationStatus.Finished,
  skipped: OperationStatus.Skipped,
  failed: OperationStatus.Failed,
  'failed-then-finished': OperationStatus.Failed,
  error: OperationStatus.Error,
  cancelled: OperationStatus.Cancelled,
};

const ADJECTIVES = ['calm', 'wild', 'small', 'bitter', 'sweet', 'aged', 'raspy', 'icy', 'dark', 'little'];
const NOUNS = ['sound', 'breeze', 'hill', 'salad', 'term', 'dream', 'smoke', 'violet', 'pine', 'meadow'];

export class NeonModel implements LoginDirectory {
  readonly state: NeonStandInState;
  private readonly now: () => number;
  private readonly dataPlane: DataPlane | undefined;
  /** Pooled hosts by endpoint id, when the data plane hands them out. */
  private readonly poolerHosts = new Map<string, string>();
  /**
   * A reset password's predecessor by `branch id + role`: Neon keeps the old one valid, and the new one
   * not yet, until the reset's operations finish.
   */
  private readonly passwordResets = new Map<string, { previous: string; operationIds: string[] }>();
  private operationPlan: OperationPlan;
  private readonly lockScope: LockScope;
  private readonly wallNow: () => number;
  private readonly refuseSuspendTimeout: boolean;
  private readonly plansByAction = new Map<string, Partial<OperationPlan>>();
  private readonly progress = new Map<string, OperationProgress>();
  /** Creation order, the tie-breaker of every sort and the key of every cursor. */
  private readonly sequence = new Map<string, number>();
  private counter = 0;

  constructor(options: ModelOptions) {
    this.now = options.now;
    this.wallNow = options.wallNow ?? (() => performance.now());
    this.operationPlan = options.operationPlan;
    this.lockScope = options.lockScope ?? 'branch';
    this.refuseSuspendTimeout = options.refuseSuspendTimeout ?? false;
    this.dataPlane = options.dataPlane;
    this.state = {
      project: { id: options.projectId, name: options.projectName, regionId: options.regionId },
      apiKey: options.apiKey,
      branches: [],
      endpoints: [],
      databases: [],
      roles: [],
      operations: [],
      deletedBranchIds: new Set(),
      branchLimit: options.branchLimit,
      rootBranchLimit: options.rootBranchLimit,
    };
    const main = this.newBranch({ name: options.defaultBranchName, parent: undefined, ready: true });
    main.default = true;
    main.primary = true;
    this.newEndpoint(main.id, EndpointType.ReadWrite, true);
    this.addRole(main.id, options.ownerName);
    this.addDatabase(main.id, { name: options.databaseName, ownerName: options.ownerName });
  }

  // --- seeding and inspection -------------------------------------------------------------------

  defaultBranch(): Branch {
    const branch = this.state.branches.find((candidate) => candidate.default);
    if (!branch) throw new Error('the stand-in project has no default branch');
    return branch;
  }

  branchById(id: string): Branch | undefined {
    return this.state.branches.find((branch) => branch.id === id);
  }

  branchByName(name: string): Branch | undefined {
    return this.state.branches.find((branch) => branch.name === name);
  }

  /**
   * Deletes the branches whose `expires_at` has passed on the stand-in's clock, as Neon's background
   * job does. A branch with children waits for them to go. Every request and every login runs it first.
   */
  sweepExpired(): void {
    const now = this.now();
    for (const branch of [...this.state.branches]) {
      if (branch.expires_at === undefined || Date.parse(branch.expires_at) > now || branch.default) continue;
      if (this.state.branches.some((other) => other.parent_id === branch.id)) continue;
      this.removeBranch(branch.id);
    }
  }

  /** A ready branch with no operations of its own, as if created long ago. */
  addBranch(input: AddBranchInput): Branch {
    const parent = this.requireBranch(input.parentId ?? this.defaultBranch().id);
    const branch = this.newBranch({ name: input.name, parent, ready: true });
    branch.protected = input.protected ?? false;
    if (input.withEndpoint ?? true) this.newEndpoint(branch.id, EndpointType.ReadWrite, true);
    this.copyDatabasesAndRoles(parent.id, branch.id);
    this.dataPlane?.branchCopied({ branchId: branch.id, sourceBranchId: parent.id, schemaOnly: false });
    return branch;
  }

  /** An empty database; adds the role too when the branch lacks it. */
  addDatabase(branchId: string, input: { name: string; ownerName: string }): Database {
    this.requireBranch(branchId);
    if (!this.state.roles.some((role) => role.branch_id === branchId && role.name === input.ownerName)) {
      this.addRole(branchId, input.ownerName);
    }
    const database = this.recordDatabase(branchId, input);
    this.dataPlane?.databaseCreated(branchId, input);
    return database;
  }

  addRole(branchId: string, name: string, password = newPassword()): Role {
    const role = this.recordRole(branchId, name, password);
    this.dataPlane?.roleCreated(name);
    return role;
  }

  private recordDatabase(branchId: string, input: { name: string; ownerName: string }): Database {
    const stamp = this.timestamp();
    const database: Database = {
      id: this.nextNumber(),
      branch_id: branchId,
      name: input.name,
      owner_name: input.ownerName,
      created_at: stamp,
      updated_at: stamp,
    };
    this.state.databases.push(database);
    return database;
  }

  private recordRole(branchId: string, name: string, password: string): Role {
    const stamp = this.timestamp();
    const role: Role = {
      branch_id: branchId,
      name,
      password,
      protected: false,
      created_at: stamp,
      updated_at: stamp,
    };
    this.state.roles.push(role);
    return role;
  }

  setProtected(branchId: string, value: boolean): void {
    this.requireBranch(branchId).protected = value;
  }

  setDefaultBranch(branchId: string): void {
    const target = this.requireBranch(branchId);
    for (const branch of this.state.branches) {
      branch.default = branch === target;
      branch.primary = branch === target;
    }
  }

  /** How operations created from now on progress; `action` narrows it to one kind. */
  planOperations(plan: Partial<OperationPlan>, action?: string): void {
    if (action === undefined) this.operationPlan = { ...this.operationPlan, ...plan };
    else this.plansByAction.set(action, { ...this.plansByAction.get(action), ...plan });
  }

  setOperationStatus(operationId: string, status: OperationStatus): void {
    const operation = this.state.operations.find((candidate) => candidate.id === operationId);
    const progress = this.progress.get(operationId);
    if (!operation || !progress) throw new Error(`the stand-in has no operation ${operationId}`);
    progress.pinned = true;
    this.settle(operation, status);
  }

  /**
   * An operation of Neon's own on a branch's compute, such as the periodic `check_availability`
   * its operations page describes: with `lockScope: 'project'` it refuses every change meanwhile.
   */
  startBackgroundOperation(input: BackgroundOperationInput = {}): Operation {
    const branch = this.requireBranch(input.branchId ?? this.defaultBranch().id);
    const endpoint = this.state.endpoints.find((each) => each.branch_id === branch.id);
    const plan: Partial<OperationPlan> = {};
    if (input.durationMs !== undefined) plan.durationMs = input.durationMs;
    if (input.steps !== undefined) plan.steps = input.steps;
    if (input.outcome !== undefined) plan.outcome = input.outcome;
    const action = (input.action ?? OperationAction.CheckAvailability) as OperationAction;
    return { ...this.newOperation(action, branch.id, endpoint?.id, plan) };
  }

  passwordOf(branchId: string, roleName: string): string | undefined {
    return this.state.roles.find((role) => role.branch_id === branchId && role.name === roleName)?.password;
  }

  // --- the API's rules --------------------------------------------------------------------------

  createBranch(request: BranchCreateRequest): {
    branch: Branch;
    endpoints: Endpoint[];
    operations: Operation[];
    roles: Role[];
    databases: Database[];
    connection_uris?: ConnectionDetails[];
  } {
    const parentId = request.branch?.parent_id || this.defaultBranch().id;
    const parent = this.branchById(parentId);
    // The spec does not say how an unknown parent is refused; a missing branch is 404 everywhere else.
    if (!parent) throw new NeonHttpError(404, `branch ${parentId} not found`);
    const name = request.branch?.name;
    if (name !== undefined && this.branchByName(name)) {
      throw new NeonHttpError(409, `branch with name "${name}" already exists`);
    }
    const limit = this.state.branchLimit;
    if (limit !== undefined && this.state.branches.length >= limit) {
      throw new NeonHttpError(
        422,
        `the project has reached the branch limit of its plan (${limit} branches)`,
        'BRANCHES_LIMIT_EXCEEDED',
      );
    }
    const endpointRequests = request.endpoints ?? [];
    if (endpointRequests.filter((endpoint) => endpoint.type === EndpointType.ReadWrite).length > 1) {
      throw new NeonHttpError(400, 'a branch can have only one read_write endpoint');
    }
    // `0` asks for the plan's default, which is no change. Neon's refusal is not documented: its
    // status and wording here are guesses (docs/neon-stand-in.md).
    const suspend = endpointRequests.find((endpoint) => (endpoint.suspend_timeout_seconds ?? 0) !== 0);
    if (this.refuseSuspendTimeout && suspend) {
      throw new NeonHttpError(
        400,
        `suspend_timeout_seconds cannot be changed on the Free plan (asked for ${suspend.suspend_timeout_seconds})`,
      );
    }
    const initSource = request.branch?.init_source ?? 'parent-data';
    if (initSource !== 'parent-data' && initSource !== 'schema-only') {
      throw new NeonHttpError(
        400,
        `invalid init_source '${initSource}': expected 'schema-only' or 'parent-data'`,
      );
    }
    const expiresAt = request.branch?.expires_at;
    if (expiresAt !== undefined) this.checkExpiresAt(expiresAt);
    const schemaOnly = initSource === 'schema-only';
    const rootLimit = this.state.rootBranchLimit;
    if (
      schemaOnly &&
      rootLimit !== undefined &&
      this.state.branches.filter((each) => each.parent_id === undefined).length >= rootLimit
    ) {
      // Status and message as users report them ("root branches limit exceeded", HTTP 422); the
      // code is a guess after BRANCHES_LIMIT_EXCEEDED's pattern (docs/neon-stand-in.md).
      throw new NeonHttpError(422, 'root branches limit exceeded', 'ROOT_BRANCHES_LIMIT_EXCEEDED');
    }
    this.refuseWhileBusy(parent.id);

    // A schema-only branch is a root branch: parent_id names where its schema comes from, and the new
    // branch does not record it (the spec's init_source).
    const branch = this.newBranch({ name, parent: schemaOnly ? undefined : parent, ready: false });
    const operations = [this.newOperation(OperationAction.CreateBranch, branch.id, undefined)];
    if (schemaOnly) {
      branch.init_source = initSource;
      operations.push(this.newOperation(OperationAction.ApplySchemaFromBranch, branch.id, undefined));
    }
    const endpoints = endpointRequests.map((options) => {
      const endpoint = this.newEndpoint(branch.id, options.type, false);
      if (options.suspend_timeout_seconds !== undefined) {
        endpoint.suspend_timeout_seconds = options.suspend_timeout_seconds;
      }
      operations.push(this.newOperation(OperationAction.StartCompute, branch.id, endpoint.id));
      return endpoint;
    });
    if (expiresAt !== undefined) this.setExpiry(branch, expiresAt);
    if (request.branch?.protected) branch.protected = true;
    this.copyDatabasesAndRoles(parent.id, branch.id);
    this.dataPlane?.branchCopied({ branchId: branch.id, sourceBranchId: parent.id, schemaOnly });

    const roles = this.state.roles.filter((role) => role.branch_id === branch.id);
    const databases = this.state.databases.filter((database) => database.branch_id === branch.id);
    const readWrite = endpoints.find((endpoint) => endpoint.type === EndpointType.ReadWrite);
    const [role] = roles;
    const [database] = databases;
    // Like Neon: a connection URI only when there is an endpoint and one role and database to pick.
    const connectionUris =
      readWrite && role && database && roles.length === 1 && databases.length === 1
        ? [this.connectionDetails(readWrite, role, database)]
        : undefined;
    return {
      branch: { ...branch },
      endpoints: endpoints.map((endpoint) => ({ ...endpoint })),
      operations: operations.map((operation) => ({ ...operation })),
      roles: roles.map(withoutPassword),
      databases: databases.map((each) => ({ ...each })),
      ...(connectionUris ? { connection_uris: connectionUris } : {}),
    };
  }

  deleteBranch(branchId: string): { branch: Branch; operations: Operation[] } | 'already deleted' {
    if (this.state.deletedBranchIds.has(branchId)) return 'already deleted';
    const branch = this.requireBranch(branchId);
    // The spec only says these branches cannot be deleted, not how; 422 matches Neon's other "valid
    // request, not allowed now" answers.
    if (branch.default) throw new NeonHttpError(422, 'cannot delete the default branch of the project');
    if (branch.protected) throw new NeonHttpError(422, 'cannot delete a protected branch');
    if (this.state.branches.some((other) => other.parent_id === branchId)) {
      throw new NeonHttpError(422, 'cannot delete a branch that has child branches');
    }
    this.refuseWhileBusy(branchId);

    const operations: Operation[] = [];
    for (const endpoint of this.state.endpoints.filter((each) => each.branch_id === branchId)) {
      operations.push(this.newOperation(OperationAction.SuspendCompute, branchId, endpoint.id));
    }
    operations.push(this.newOperation(OperationAction.DeleteTimeline, branchId, undefined));
    this.removeBranch(branchId);
    return { branch: { ...branch }, operations: operations.map((operation) => ({ ...operation })) };
  }

  /** `PATCH /branches/{id}`: name, protection and expiry. */
  updateBranch(
    branchId: string,
    changes: BranchUpdateRequest['branch'],
  ): { branch: Branch; operations: Operation[] } {
    const branch = this.requireBranch(branchId);
    if (changes.name !== undefined && changes.name !== branch.name && this.branchByName(changes.name)) {
      throw new NeonHttpError(409, `branch with name "${changes.name}" already exists`);
    }
    if (changes.expires_at !== undefined && changes.expires_at !== null) {
      this.checkExpiresAt(changes.expires_at);
      // docs/stand-ins.md N19, a guess: Neon's exact status and wording for it are not in the spec or
      // its docs, so a 400 like the other refusals of a valid-looking body.
      if (this.state.branches.some((other) => other.parent_id === branchId)) {
        throw new NeonHttpError(400, 'cannot set expires_at on a branch that has child branches');
      }
    }
    // A PATCH starts no operation of its own; only a project-wide lock refuses it.
    if (this.lockScope === 'project') this.refuseWhileBusy(branchId);
    if (changes.name !== undefined) branch.name = changes.name;
    if (changes.protected !== undefined) branch.protected = changes.protected;
    if (changes.expires_at === null) {
      delete branch.expires_at;
      delete branch.ttl_interval_seconds;
    } else if (changes.expires_at !== undefined) {
      this.setExpiry(branch, changes.expires_at);
    }
    branch.updated_at = this.timestamp();
    return { branch: { ...branch }, operations: [] };
  }

  /**
   * `POST /branches/{id}/restore` from the head of another branch (Neon's "reset from parent" is this
   * with the parent as the source): the branch keeps its id, name and endpoints, and its databases and
   * roles, passwords included, become copies of the source's. With `preserve_under_name` the previous
   * state lives on as a new branch of that name, which takes over the children.
   */
  restoreBranch(
    branchId: string,
    request: BranchRestoreRequest,
  ): { branch: Branch; operations: Operation[] } {
    const branch = this.requireBranch(branchId);
    const source = this.requireBranch(request.source_branch_id);
    const onItself = source.id === branch.id;
    const children = this.state.branches.filter((other) => other.parent_id === branchId);
    const preserveAs = request.preserve_under_name;
    if ((onItself || children.length > 0) && !preserveAs) {
      throw new NeonHttpError(
        400,
        onItself
          ? 'preserve_under_name is required when a branch is restored onto itself'
          : 'preserve_under_name is required when the branch has child branches',
      );
    }
    if (onItself && request.source_lsn === undefined && request.source_timestamp === undefined) {
      throw new NeonHttpError(
        400,
        'source_lsn or source_timestamp is required when a branch is restored onto itself',
      );
    }
    if (request.source_lsn !== undefined || request.source_timestamp !== undefined) {
      throw new NeonHttpError(
        501,
        'the Neon stand-in keeps no history: it restores only to the head of a branch',
      );
    }
    if (branch.protected) throw new NeonHttpError(422, 'cannot restore a protected branch');
    if (preserveAs && this.branchByName(preserveAs)) {
      throw new NeonHttpError(409, `branch with name "${preserveAs}" already exists`);
    }
    this.refuseWhileBusy(branchId);
    this.refuseWhileBusy(source.id);

    let preserved: Branch | undefined;
    if (preserveAs) {
      const parent = branch.parent_id === undefined ? undefined : this.branchById(branch.parent_id);
      preserved = this.newBranch({ name: preserveAs, parent, ready: true });
      this.copyDatabasesAndRoles(branchId, preserved.id);
      for (const child of children) child.parent_id = preserved.id;
    }
    this.state.databases = this.state.databases.filter((each) => each.branch_id !== branchId);
    this.state.roles = this.state.roles.filter((each) => each.branch_id !== branchId);
    this.passwordResets.forEach((_, key) => {
      if (key.startsWith(`${branchId}\0`)) this.passwordResets.delete(key);
    });
    this.copyDatabasesAndRoles(source.id, branchId);
    this.dataPlane?.branchRestored({ branchId, sourceBranchId: source.id, preservedAs: preserved?.id });

    const stamp = this.timestamp();
    branch.last_reset_at = stamp;
    branch.updated_at = stamp;
    // ttl_interval_seconds exists so that a reset gives the branch its time to live again.
    if (branch.ttl_interval_seconds !== undefined) {
      branch.expires_at = new Date(this.now() + branch.ttl_interval_seconds * 1000)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z');
    }
    const operations = [this.newOperation(OperationAction.CreateTimeline, branchId, undefined)];
    for (const endpoint of this.state.endpoints.filter((each) => each.branch_id === branchId)) {
      // The compute restarts on the new timeline: its sessions end (the data plane ends them).
      endpoint.current_state = EndpointState.Init;
      endpoint.pending_state = EndpointState.Active;
      operations.push(this.newOperation(OperationAction.StartCompute, branchId, endpoint.id));
    }
    return { branch: { ...branch }, operations: operations.map((operation) => ({ ...operation })) };
  }

  /**
   * `POST /branches/{id}/roles/{role}/reset_password`. The new password is in the answer at once, but
   * as Neon documents, the old one stays valid and the new one waits until the operations finish; the
   * branch's sessions end.
   */
  resetRolePassword(branchId: string, roleName: string): { role: Role; operations: Operation[] } {
    this.requireBranch(branchId);
    const role = this.state.roles.find((each) => each.branch_id === branchId && each.name === roleName);
    if (!role) throw new NeonHttpError(404, `role "${roleName}" not found`);
    this.refuseWhileBusy(branchId);
    const operations = this.state.endpoints
      .filter((endpoint) => endpoint.branch_id === branchId)
      .map((endpoint) => this.newOperation(OperationAction.ApplyConfig, branchId, endpoint.id));
    if (operations.length > 0 && role.password !== undefined) {
      this.passwordResets.set(roleKey(branchId, roleName), {
        previous: role.password,
        operationIds: operations.map((operation) => operation.id),
      });
    }
    role.password = newPassword();
    role.updated_at = this.timestamp();
    this.dataPlane?.endSessions(branchId);
    return { role: { ...role }, operations: operations.map((operation) => ({ ...operation })) };
  }

  /** Checks a branch and database for `compare_schema`; the base defaults to the branch's parent. */
  schemaComparison(query: { branchId: string; baseBranchId?: string | undefined; databaseName: string }): {
    baseBranchId: string;
  } {
    const branch = this.requireBranch(query.branchId);
    const baseBranchId = query.baseBranchId ?? branch.parent_id;
    if (baseBranchId === undefined) {
      throw new NeonHttpError(400, `branch ${branch.id} has no parent: base_branch_id is required`);
    }
    this.requireBranch(baseBranchId);
    for (const id of [branch.id, baseBranchId]) {
      if (!this.state.databases.some((each) => each.branch_id === id && each.name === query.databaseName)) {
        throw new NeonHttpError(404, `database "${query.databaseName}" not found on branch ${id}`);
      }
    }
    return { baseBranchId };
  }

  /**
   * Whether `user` may open `database` through the endpoint with this password: the check Neon's proxy
   * makes, against the role of the endpoint's own branch. Worded as PostgreSQL words its refusals.
   */
  login(
    request: LoginRequest,
  ):
    | { ok: true; branchId: string; databaseName: string; readOnly: boolean }
    | { ok: false; code: string; message: string } {
    this.sweepExpired();
    const endpoint = this.state.endpoints.find((each) => each.id === request.endpointId);
    if (!endpoint)
      return { ok: false, code: '08004', message: `endpoint ${request.endpointId} does not exist` };
    const branchId = endpoint.branch_id;
    const role = this.state.roles.find((each) => each.branch_id === branchId && each.name === request.user);
    const reset = this.passwordResets.get(roleKey(branchId, request.user));
    const resetRunning = reset?.operationIds.some((id) => {
      const operation = this.state.operations.find((each) => each.id === id);
      if (operation) this.refresh(operation);
      return operation !== undefined && !FINAL_STATUSES.has(operation.status);
    });
    const expected = resetRunning ? reset?.previous : role?.password;
    if (!role || expected === undefined || !samePassword(request.password, expected)) {
      return {
        ok: false,
        code: '28P01',
        message: `password authentication failed for user "${request.user}"`,
      };
    }
    if (!this.state.databases.some((each) => each.branch_id === branchId && each.name === request.database)) {
      return { ok: false, code: '3D000', message: `database "${request.database}" does not exist` };
    }
    return {
      ok: true,
      branchId,
      databaseName: request.database,
      readOnly: endpoint.type === EndpointType.ReadOnly,
    };
  }

  /**
   * Ends the branch's unfinished operations in `error` when the stand-in's own Postgres failed (a
   * recorded violation): final, so a wait stops at once, where a `failed` one would be waited on.
   */
  failOperations(branchId: string, message: string): void {
    for (const operation of this.state.operations) {
      if (operation.branch_id !== branchId || FINAL_STATUSES.has(operation.status)) continue;
      const progress = this.progress.get(operation.id);
      if (progress) progress.pinned = true;
      this.settle(operation, OperationStatus.Error);
      operation.error = message;
    }
  }

  getBranch(branchId: string): Branch {
    this.refreshOperations();
    return { ...this.requireBranch(branchId) };
  }

  listBranches(query: {
    search?: string | undefined;
    sortBy: 'name' | 'created_at' | 'updated_at';
    sortOrder: 'asc' | 'desc';
    limit?: number | undefined;
    cursor?: string | undefined;
  }): { branches: Branch[]; next: string | undefined } {
    this.refreshOperations();
    // Neon's search is a partial match on name or id; case-insensitive here, which only widens it.
    const needle = query.search?.toLowerCase();
    const matching = this.state.branches.filter(
      (branch) => !needle || branch.name.toLowerCase().includes(needle) || branch.id.includes(needle),
    );
    const keyOf = (branch: Branch): BranchKey => [branch[query.sortBy], this.sequenceOf(branch.id)];
    const direction = query.sortOrder === 'asc' ? 1 : -1;
    const sorted = matching.sort((a, b) => direction * compareKeys(keyOf(a), keyOf(b)));
    let rest = sorted;
    if (query.cursor !== undefined) {
      const after = decodeBranchCursor(query.cursor, query.sortBy, query.sortOrder);
      rest = sorted.filter((branch) => direction * compareKeys(keyOf(branch), after) > 0);
    }
    const page = query.limit === undefined ? rest : rest.slice(0, query.limit);
    const last = page.at(-1);
    // A full page hands out a cursor even when nothing follows, as keyset pagination does without
    // looking ahead: the caller has to stop on an empty page.
    const next =
      query.limit !== undefined && last && page.length === query.limit
        ? encodeCursor({ sort_by: query.sortBy, sort_order: query.sortOrder, key: keyOf(last) })
        : undefined;
    return { branches: page.map((branch) => ({ ...branch })), next };
  }

  branchChildren(branchId: string, kind: 'databases'): Database[];
  branchChildren(branchId: string, kind: 'roles'): Role[];
  branchChildren(branchId: string, kind: 'endpoints'): Endpoint[];
  branchChildren(
    branchId: string,
    kind: 'databases' | 'roles' | 'endpoints',
  ): Array<Database | Role | Endpoint> {
    this.refreshOperations();
    this.requireBranch(branchId);
    if (kind === 'roles') {
      return this.state.roles.filter((role) => role.branch_id === branchId).map(withoutPassword);
    }
    const records: Array<Database | Endpoint> =
      kind === 'databases' ? this.state.databases : this.state.endpoints;
    return records.filter((record) => record.branch_id === branchId).map((record) => ({ ...record }));
  }

  /** One read of the operation: this is what moves it along by `steps`. */
  pollOperation(operationId: string): Operation {
    const operation = this.state.operations.find((candidate) => candidate.id === operationId);
    const progress = this.progress.get(operationId);
    if (!operation || !progress) throw new NeonHttpError(404, `operation ${operationId} not found`);
    this.countRead(operationId);
    return { ...operation };
  }

  private countRead(operationId: string): void {
    const operation = this.state.operations.find((candidate) => candidate.id === operationId);
    const progress = this.progress.get(operationId);
    if (!operation || !progress) return;
    progress.polls += 1;
    this.refresh(operation);
  }

  /** Newest first, like Neon. */
  listOperations(query: { limit?: number | undefined; cursor?: string | undefined }): {
    operations: Operation[];
    cursor: string | undefined;
  } {
    this.refreshOperations();
    let newestFirst = [...this.state.operations].reverse();
    if (query.cursor !== undefined) {
      const after = decodeOperationCursor(query.cursor);
      newestFirst = newestFirst.filter((operation) => this.sequenceOf(operation.id) < after);
    }
    const page = query.limit === undefined ? newestFirst : newestFirst.slice(0, query.limit);
    // Listed is read: an operation that ends after so many reads counts this one too, as a GET of it.
    for (const operation of page) this.countRead(operation.id);
    const last = page.at(-1);
    return {
      operations: page.map((operation) => ({ ...operation })),
      cursor: last ? encodeCursor({ before: this.sequenceOf(last.id) }) : undefined,
    };
  }

  connectionUri(query: {
    branchId?: string | undefined;
    endpointId?: string | undefined;
    databaseName: string;
    roleName: string;
    pooled: boolean;
  }): string {
    const branch = this.requireBranch(query.branchId ?? this.defaultBranch().id);
    const endpoint = this.state.endpoints.find(
      (candidate) =>
        candidate.branch_id === branch.id &&
        (query.endpointId === undefined
          ? candidate.type === EndpointType.ReadWrite
          : candidate.id === query.endpointId),
    );
    if (!endpoint) {
      throw new NeonHttpError(
        404,
        query.endpointId === undefined
          ? `branch ${branch.id} has no read_write endpoint`
          : `endpoint ${query.endpointId} not found on branch ${branch.id}`,
      );
    }
    const database = this.state.databases.find(
      (candidate) => candidate.branch_id === branch.id && candidate.name === query.databaseName,
    );
    if (!database) throw new NeonHttpError(404, `database "${query.databaseName}" not found`);
    const role = this.state.roles.find(
      (candidate) => candidate.branch_id === branch.id && candidate.name === query.roleName,
    );
    if (!role) throw new NeonHttpError(404, `role "${query.roleName}" not found`);
    const details = this.connectionDetails(endpoint, role, database);
    return query.pooled
      ? this.uri(details.connection_parameters.pooler_host, role, database)
      : details.connection_uri;
  }

  /**
   * Neon's form; with real databases, the front's port is added and `sslmode=require` left out, since
   * the front speaks no TLS (postgres-front.ts).
   */
  private uri(host: string, role: Role, database: Database): string {
    const credentials = `${encodeURIComponent(role.name)}:${encodeURIComponent(role.password ?? '')}`;
    const path = encodeURIComponent(database.name);
    return this.dataPlane
      ? `postgresql://${credentials}@${host}:${this.dataPlane.port}/${path}`
      : `postgresql://${credentials}@${host}/${path}?sslmode=require`;
  }

  // --- internals --------------------------------------------------------------------------------

  /** Removes the branch and everything on it; deleting it again answers 204. */
  private removeBranch(branchId: string): void {
    const branch = this.requireBranch(branchId);
    for (const endpoint of this.state.endpoints.filter((each) => each.branch_id === branchId)) {
      this.dataPlane?.closeEndpoint(endpoint.id);
      this.poolerHosts.delete(endpoint.id);
    }
    this.dataPlane?.branchRemoved(branchId);
    this.state.branches = this.state.branches.filter((each) => each.id !== branchId);
    this.state.endpoints = this.state.endpoints.filter((each) => each.branch_id !== branchId);
    this.state.databases = this.state.databases.filter((each) => each.branch_id !== branchId);
    this.state.roles = this.state.roles.filter((each) => each.branch_id !== branchId);
    this.state.deletedBranchIds.add(branchId);
    branch.updated_at = this.timestamp();
  }

  /**
   * RFC 3339 to the second, as the spec asks, and in the future. Neon's own wording for these refusals
   * is not documented; the rules are the spec's.
   */
  private checkExpiresAt(value: string): void {
    if (
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/.test(value) ||
      Number.isNaN(Date.parse(value))
    ) {
      throw new NeonHttpError(
        400,
        `invalid expires_at '${value}': expected RFC 3339 with precision up to seconds`,
      );
    }
    if (Date.parse(value) <= this.now()) {
      throw new NeonHttpError(400, `invalid expires_at '${value}': it must be in the future`);
    }
  }

  private setExpiry(branch: Branch, expiresAt: string): void {
    branch.expires_at = new Date(Date.parse(expiresAt)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    branch.ttl_interval_seconds = Math.round((Date.parse(expiresAt) - this.now()) / 1000);
  }

  private requireBranch(branchId: string): Branch {
    const branch = this.branchById(branchId);
    if (!branch) throw new NeonHttpError(404, `branch ${branchId} not found`);
    return branch;
  }

  /**
   * Neon's 423: a change while a conflicting operation runs. With `lockScope: 'branch'` only the
   * branch's own operations conflict; with `project`, any operation in the project does, as Neon's
   * message says ("project already has running conflicting operations").
   */
  private refuseWhileBusy(branchId: string): void {
    this.refreshOperations();
    const busy = this.state.operations.some(
      (operation) =>
        (this.lockScope === 'project' || operation.branch_id === branchId) &&
        !FINAL_STATUSES.has(operation.status),
    );
    if (busy) {
      throw new NeonHttpError(
        423,
        'project already has running conflicting operations, scheduling of new ones is prohibited',
      );
    }
  }

  private newBranch(input: { name: string | undefined; parent: Branch | undefined; ready: boolean }): Branch {
    const id = this.newId('br');
    const stamp = this.timestamp();
    const branch: Branch = {
      id,
      project_id: this.state.project.id,
      name: input.name ?? id,
      current_state: input.ready ? 'ready' : 'init',
      state_changed_at: stamp,
      logical_size: input.parent?.logical_size ?? 30_000_000,
      creation_source: 'console',
      default: false,
      protected: false,
      cpu_used_sec: 0,
      compute_time_seconds: 0,
      active_time_seconds: 0,
      written_data_bytes: 0,
      data_transfer_bytes: 0,
      created_at: stamp,
      updated_at: stamp,
      init_source: 'parent-data',
    };
    if (!input.ready) branch.pending_state = 'ready';
    if (input.parent) {
      branch.parent_id = input.parent.id;
      branch.parent_lsn = `0/${(0x1de2850 + this.counter).toString(16).toUpperCase()}`;
    }
    this.state.branches.push(branch);
    return branch;
  }

  private newEndpoint(branchId: string, type: EndpointType, ready: boolean): Endpoint {
    const id = this.newId('ep');
    const stamp = this.timestamp();
    const proxyHost = proxyHostOf(this.state.project.regionId);
    // With real databases, hosts are loopback addresses that need no DNS (postgres-front.ts).
    const hosts = this.dataPlane?.openEndpoint(id) ?? {
      host: `${id}.${proxyHost}`,
      poolerHost: `${id}-pooler.${proxyHost}`,
    };
    this.poolerHosts.set(id, hosts.poolerHost);
    const endpoint: Endpoint = {
      host: hosts.host,
      id,
      project_id: this.state.project.id,
      branch_id: branchId,
      autoscaling_limit_min_cu: 0.25,
      autoscaling_limit_max_cu: 2,
      region_id: this.state.project.regionId,
      type,
      current_state: ready ? EndpointState.Idle : EndpointState.Init,
      settings: { pg_settings: {} },
      pooler_enabled: false,
      pooler_mode: EndpointPoolerMode.Transaction,
      disabled: false,
      passwordless_access: true,
      creation_source: 'console',
      created_at: stamp,
      updated_at: stamp,
      proxy_host: proxyHost,
      suspend_timeout_seconds: 0,
      provisioner: 'k8s-neonvm',
    };
    if (!ready) endpoint.pending_state = EndpointState.Active;
    this.state.endpoints.push(endpoint);
    return endpoint;
  }

  private newOperation(
    action: OperationAction,
    branchId: string,
    endpointId: string | undefined,
    override: Partial<OperationPlan> = {},
  ): Operation {
    const stamp = this.timestamp();
    const operation: Operation = {
      id: randomUUID(),
      project_id: this.state.project.id,
      branch_id: branchId,
      action,
      status: OperationStatus.Scheduling,
      failures_count: 0,
      created_at: stamp,
      updated_at: stamp,
      total_duration_ms: 0,
    };
    if (endpointId !== undefined) operation.endpoint_id = endpointId;
    this.sequence.set(operation.id, this.nextNumber());
    this.progress.set(operation.id, {
      plan: { ...this.operationPlan, ...this.plansByAction.get(action), ...override },
      createdAtMs: this.now(),
      createdAtWall: this.wallNow(),
      polls: 0,
      pinned: false,
    });
    this.state.operations.push(operation);
    return operation;
  }

  /** The records only: the data plane copies the databases themselves. */
  private copyDatabasesAndRoles(fromBranchId: string, toBranchId: string): void {
    // A branch is a copy of its parent's data, pg_authid included: the passwords are the parent's.
    for (const role of this.state.roles.filter((each) => each.branch_id === fromBranchId)) {
      this.recordRole(toBranchId, role.name, role.password ?? newPassword());
    }
    for (const database of this.state.databases.filter((each) => each.branch_id === fromBranchId)) {
      this.recordDatabase(toBranchId, { name: database.name, ownerName: database.owner_name });
    }
  }

  private connectionDetails(endpoint: Endpoint, role: Role, database: Database): ConnectionDetails {
    const password = role.password ?? '';
    const poolerHost = this.poolerHosts.get(endpoint.id) ?? endpoint.host;
    return {
      connection_uri: this.uri(endpoint.host, role, database),
      connection_parameters: {
        database: database.name,
        password,
        role: role.name,
        host: endpoint.host,
        pooler_host: poolerHost,
      },
    };
  }

  private refreshOperations(): void {
    for (const operation of this.state.operations) this.refresh(operation);
  }

  private refresh(operation: Operation): void {
    const progress = this.progress.get(operation.id);
    if (!progress || progress.pinned) return;
    if (progress.retry !== undefined) {
      this.retryStep(operation, progress);
      return;
    }
    if (FINAL_STATUSES.has(operation.status)) return;
    const { plan } = progress;
    const elapsed = this.now() - progress.createdAtMs;
    const floorPassed = this.wallNow() - progress.createdAtWall >= plan.wallMs;
    // An operation cannot have finished while the branch's databases are still being made.
    const dataReady = operation.branch_id === undefined || !this.dataPlane?.busy(operation.branch_id);
    const done =
      plan.outcome !== 'never' &&
      floorPassed &&
      dataReady &&
      (progress.polls > plan.steps || (plan.durationMs !== null && elapsed >= plan.durationMs));
    if (done && plan.outcome !== 'never') {
      this.settle(operation, OUTCOME_STATUS[plan.outcome]);
      if (plan.outcome === 'failed-then-finished') {
        progress.retry = 'failed';
        progress.polls = 0;
      }
    } else if (progress.polls > 0 && operation.status === OperationStatus.Scheduling) {
      operation.status = OperationStatus.Running;
      operation.updated_at = this.timestamp();
    }
  }

  /** Neon retrying a failed operation: each read after the failure moves it one step on. */
  private retryStep(operation: Operation, progress: OperationProgress): void {
    if (progress.polls === 0) return;
    progress.polls = 0;
    if (progress.retry === 'failed') {
      progress.retry = 'running';
      operation.status = OperationStatus.Running;
      operation.updated_at = this.timestamp();
      return;
    }
    delete progress.retry;
    this.settle(operation, OperationStatus.Finished);
  }

  private settle(operation: Operation, status: OperationStatus): void {
    const progress = this.progress.get(operation.id);
    operation.status = status;
    operation.updated_at = this.timestamp();
    operation.total_duration_ms = progress ? Math.max(0, this.now() - progress.createdAtMs) : 0;
    if (status === OperationStatus.Failed || status === OperationStatus.Error) {
      operation.failures_count += 1;
      operation.error = `the stand-in was told to end this ${operation.action} operation with '${status}'`;
    }
    if (!FINAL_STATUSES.has(status)) return;
    if (operation.endpoint_id !== undefined && status === OperationStatus.Finished) {
      const endpoint = this.state.endpoints.find((candidate) => candidate.id === operation.endpoint_id);
      if (endpoint && operation.action === OperationAction.StartCompute) {
        endpoint.current_state = EndpointState.Active;
        delete endpoint.pending_state;
        endpoint.started_at = operation.updated_at;
      }
      if (endpoint && operation.action === OperationAction.SuspendCompute) {
        endpoint.current_state = EndpointState.Idle;
        delete endpoint.pending_state;
      }
    }
    const branch = operation.branch_id === undefined ? undefined : this.branchById(operation.branch_id);
    const settled = this.state.operations.every(
      (each) =>
        each.branch_id !== branch?.id ||
        each.status === OperationStatus.Finished ||
        each.status === OperationStatus.Skipped,
    );
    if (branch && branch.current_state === 'init' && settled) {
      branch.current_state = 'ready';
      delete branch.pending_state;
      branch.state_changed_at = operation.updated_at;
    }
  }

  private sequenceOf(id: string): number {
    let value = this.sequence.get(id);
    if (value === undefined) {
      value = this.nextNumber();
      this.sequence.set(id, value);
    }
    return value;
  }

  private newId(prefix: 'br' | 'ep'): string {
    const n = this.nextNumber();
    const adjective = ADJECTIVES[n % ADJECTIVES.length] ?? 'calm';
    const noun = NOUNS[Math.floor(n / ADJECTIVES.length) % NOUNS.length] ?? 'sound';
    const id = `${prefix}-${adjective}-${noun}-${100000 + ((n * 7919) % 900000)}`;
    if (prefix === 'br') this.sequence.set(id, n);
    return id;
  }

  private nextNumber(): number {
    this.counter += 1;
    return this.counter;
  }

  /** Neon's timestamps: ISO 8601 in UTC, to the second. */
  private timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}

type BranchKey = [string, number];

function compareKeys(a: BranchKey, b: BranchKey): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] - b[1];
}

function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new NeonHttpError(400, 'invalid cursor');
  }
}

function decodeBranchCursor(cursor: string, sortBy: string, sortOrder: string): BranchKey {
  const value = decodeCursor(cursor) as { sort_by?: unknown; sort_order?: unknown; key?: unknown } | null;
  const key = value?.key;
  if (
    value?.sort_by !== sortBy ||
    value.sort_order !== sortOrder ||
    !Array.isArray(key) ||
    typeof key[0] !== 'string' ||
    typeof key[1] !== 'number'
  ) {
    throw new NeonHttpError(400, 'invalid cursor: it belongs to another listing or sort order');
  }
  return [key[0], key[1]];
}

function decodeOperationCursor(cursor: string): number {
  const value = decodeCursor(cursor) as { before?: unknown } | null;
  if (typeof value?.before !== 'number') throw new NeonHttpError(400, 'invalid cursor');
  return value.before;
}

function roleKey(branchId: string, roleName: string): string {
  return `${branchId}\0${roleName}`;
}

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function withoutPassword(role: Role): Role {
  const { password: _password, ...rest } = role;
  return rest;
}

/** `aws-us-east-2` → `us-east-2.aws.neon.tech`. */
function proxyHostOf(regionId: string): string {
  const [provider, ...region] = regionId.split('-');
  return `${region.join('-')}.${provider}.neon.tech`;
}

/** Neon-style role password: `npg_` and 12 letters or digits. */
function newPassword(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return `npg_${[...randomBytes(12)].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}
