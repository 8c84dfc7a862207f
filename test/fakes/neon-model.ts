import { randomBytes, randomUUID } from 'node:crypto';
import {
  type Branch,
  type BranchCreateRequest,
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

/** How an operation ends: a status, or `never` for one that stays `running`. */
export type OperationOutcome = 'finished' | 'skipped' | 'failed' | 'error' | 'cancelled' | 'never';

export interface OperationPlan {
  /** How many reads of `GET /operations/{id}` still show it in progress (`running`) before it ends. */
  steps: number;
  /** It also ends this long after it was created, read or not, as real ones do; null: only by reads. */
  durationMs: number | null;
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
}

export interface ModelOptions {
  apiKey: string;
  projectId: string;
  projectName: string;
  regionId: string;
  defaultBranchName: string;
  databaseName: string;
  ownerName: string;
  branchLimit: number | undefined;
  operationPlan: OperationPlan;
  now: () => number;
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
  polls: number;
  /** Set by setOperationStatus: the status stays as set. */
  pinned: boolean;
}

const FINAL_STATUSES: ReadonlySet<string> = new Set(['finished', 'skipped', 'failed', 'error', 'cancelled']);

const OUTCOME_STATUS: Record<Exclude<OperationOutcome, 'never'>, OperationStatus> = {
  finished: OperationStatus.Finished,
  skipped: OperationStatus.Skipped,
  failed: OperationStatus.Failed,
  error: OperationStatus.Error,
  cancelled: OperationStatus.Cancelled,
};

const ADJECTIVES = ['calm', 'wild', 'small', 'bitter', 'sweet', 'aged', 'raspy', 'icy', 'dark', 'little'];
const NOUNS = ['sound', 'breeze', 'hill', 'salad', 'term', 'dream', 'smoke', 'violet', 'pine', 'meadow'];

export class NeonModel {
  readonly state: NeonStandInState;
  private readonly now: () => number;
  private operationPlan: OperationPlan;
  private readonly plansByAction = new Map<string, Partial<OperationPlan>>();
  private readonly progress = new Map<string, OperationProgress>();
  /** Creation order, the tie-breaker of every sort and the key of every cursor. */
  private readonly sequence = new Map<string, number>();
  private counter = 0;

  constructor(options: ModelOptions) {
    this.now = options.now;
    this.operationPlan = options.operationPlan;
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

  /** A ready branch with no operations of its own, as if created long ago. */
  addBranch(input: AddBranchInput): Branch {
    const parent = this.requireBranch(input.parentId ?? this.defaultBranch().id);
    const branch = this.newBranch({ name: input.name, parent, ready: true });
    branch.protected = input.protected ?? false;
    if (input.withEndpoint ?? true) this.newEndpoint(branch.id, EndpointType.ReadWrite, true);
    this.copyDatabasesAndRoles(parent.id, branch.id);
    return branch;
  }

  /** Adds the role too when the branch lacks it. */
  addDatabase(branchId: string, input: { name: string; ownerName: string }): Database {
    this.requireBranch(branchId);
    if (!this.state.roles.some((role) => role.branch_id === branchId && role.name === input.ownerName)) {
      this.addRole(branchId, input.ownerName);
    }
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

  addRole(branchId: string, name: string, password = newPassword()): Role {
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
    this.refuseWhileBusy(parent.id);

    const branch = this.newBranch({ name, parent, ready: false });
    const operations = [this.newOperation(OperationAction.CreateBranch, branch.id, undefined)];
    const endpoints = endpointRequests.map((options) => {
      const endpoint = this.newEndpoint(branch.id, options.type, false);
      if (options.suspend_timeout_seconds !== undefined) {
        endpoint.suspend_timeout_seconds = options.suspend_timeout_seconds;
      }
      operations.push(this.newOperation(OperationAction.StartCompute, branch.id, endpoint.id));
      return endpoint;
    });
    if (request.branch?.expires_at) branch.expires_at = request.branch.expires_at;
    if (request.branch?.protected) branch.protected = true;
    if (request.branch?.init_source) branch.init_source = request.branch.init_source;
    this.copyDatabasesAndRoles(parent.id, branch.id);

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
    // The spec only says these branches cannot be deleted, not how; 422 is what reconcile expects of a
    // refusal (DESIGN.md) and matches Neon's other "valid request, not allowed now" answers.
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
    this.state.branches = this.state.branches.filter((each) => each.id !== branchId);
    this.state.endpoints = this.state.endpoints.filter((each) => each.branch_id !== branchId);
    this.state.databases = this.state.databases.filter((each) => each.branch_id !== branchId);
    this.state.roles = this.state.roles.filter((each) => each.branch_id !== branchId);
    this.state.deletedBranchIds.add(branchId);
    branch.updated_at = this.timestamp();
    return { branch: { ...branch }, operations: operations.map((operation) => ({ ...operation })) };
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
    progress.polls += 1;
    this.refresh(operation);
    return { ...operation };
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
      ? details.connection_uri.replace(`@${endpoint.host}/`, `@${details.connection_parameters.pooler_host}/`)
      : details.connection_uri;
  }

  // --- internals --------------------------------------------------------------------------------

  private requireBranch(branchId: string): Branch {
    const branch = this.branchById(branchId);
    if (!branch) throw new NeonHttpError(404, `branch ${branchId} not found`);
    return branch;
  }

  /** Neon's 423: a mutation of a branch while one of its operations is still running. */
  private refuseWhileBusy(branchId: string): void {
    this.refreshOperations();
    const busy = this.state.operations.some(
      (operation) => operation.branch_id === branchId && !FINAL_STATUSES.has(operation.status),
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
    const endpoint: Endpoint = {
      host: `${id}.${proxyHost}`,
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

  private newOperation(action: OperationAction, branchId: string, endpointId: string | undefined): Operation {
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
      plan: { ...this.operationPlan, ...this.plansByAction.get(action) },
      createdAtMs: this.now(),
      polls: 0,
      pinned: false,
    });
    this.state.operations.push(operation);
    return operation;
  }

  private copyDatabasesAndRoles(fromBranchId: string, toBranchId: string): void {
    // A branch is a copy of its parent's data, pg_authid included: the passwords are the parent's.
    for (const role of this.state.roles.filter((each) => each.branch_id === fromBranchId)) {
      this.addRole(toBranchId, role.name, role.password);
    }
    for (const database of this.state.databases.filter((each) => each.branch_id === fromBranchId)) {
      this.addDatabase(toBranchId, { name: database.name, ownerName: database.owner_name });
    }
  }

  private connectionDetails(endpoint: Endpoint, role: Role, database: Database): ConnectionDetails {
    const password = role.password ?? '';
    const poolerHost = endpoint.host.replace(endpoint.id, `${endpoint.id}-pooler`);
    return {
      connection_uri: `postgresql://${encodeURIComponent(role.name)}:${encodeURIComponent(password)}@${endpoint.host}/${encodeURIComponent(database.name)}?sslmode=require`,
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
    if (!progress || progress.pinned || FINAL_STATUSES.has(operation.status)) return;
    const { plan } = progress;
    const elapsed = this.now() - progress.createdAtMs;
    const done =
      plan.outcome !== 'never' &&
      (progress.polls > plan.steps || (plan.durationMs !== null && elapsed >= plan.durationMs));
    if (done && plan.outcome !== 'never') this.settle(operation, OUTCOME_STATUS[plan.outcome]);
    else if (progress.polls > 0 && operation.status === OperationStatus.Scheduling) {
      operation.status = OperationStatus.Running;
      operation.updated_at = this.timestamp();
    }
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
