import { type Branch, createApiClient, EndpointType } from '@neondatabase/api-client';
import { ApiError } from '../core/errors.js';
import { realSleep } from '../core/poll.js';
import type { Logger, NeonBranch, NeonPort, Sleep } from '../core/ports.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from '../core/retry.js';
import {
  classifyNeonError,
  describeNeonFailure,
  type FailureContext,
  NeonRequestError,
  toApiError,
} from './errors.js';
import { isPending, waitForOperations } from './operations.js';

export interface NeonPortOptions {
  apiKey: string;
  /** Base URL of the API, e.g. `https://console.neon.tech/api/v2`. */
  apiHost: string;
  projectId: string;
  log: Logger;
  /** Default: real timers. Tests pass a fake one. */
  sleep?: Sleep;
  /** Clock for the operation deadline; default `Date.now`. Tests pair it with a fake `sleep`. */
  now?: () => number;
  /** Per request; the client has no timeout of its own. Default 30 s. */
  requestTimeoutMs?: number;
  retry?: RetryPolicy;
  /** Overall limit when waiting for operations. Default 10 minutes. */
  operationTimeoutMs?: number;
  operationPollInitialMs?: number;
  operationPollMaxMs?: number;
}

/** Large enough that a project needs few pages, small enough to keep each answer light. */
const BRANCH_PAGE_LIMIT = 100;
/** Neon branch ids look like `br-small-term-683261` (the spec's pattern, with Neon's `br-` prefix). */
const BRANCH_ID = /^br-[a-z0-9-]{1,57}$/;
/**
 * Operations are listed newest first and there is no filter by branch. An operation that is still
 * running is at most minutes old, so the operations of a branch that is being created sit at the top:
 * missing one would take more than this many newer operations in the project within those minutes.
 */
const OPERATIONS_PAGE_LIMIT = 100;

/** The Neon side of the executor, over `@neondatabase/api-client` (axios) with retries and timeouts. */
export function createNeonPort(options: NeonPortOptions): NeonPort {
  const { projectId, log } = options;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const failureContext: FailureContext = {
    host: hostOf(options.apiHost),
    projectId,
    requestTimeoutMs,
    apiKey: options.apiKey,
  };
  const api = createApiClient({
    apiKey: options.apiKey,
    baseURL: options.apiHost,
    timeout: requestTimeoutMs,
  });

  /** One request with retries; every failure leaves as an ApiError naming `step`. */
  async function call<T>(step: string, request: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(
        async () => {
          try {
            return await request();
          } catch (error) {
            throw describeNeonFailure(error, failureContext) ?? error;
          }
        },
        { label: step, policy, classify: classifyNeonError, sleep, log: (message) => log.warning(message) },
      );
    } catch (error) {
      if (error instanceof NeonRequestError) throw toApiError(step, error);
      throw error;
    }
  }

  /**
   * Every page of branches, oldest first. Sorting by `created_at` rather than the default
   * `updated_at` keeps a branch that changes while we page from moving between pages.
   */
  async function listAllBranches(step: string, search: string | undefined): Promise<Branch[]> {
    const seen = new Map<string, Branch>();
    let cursor: string | undefined;
    for (;;) {
      const { data } = await call(step, () =>
        api.listProjectBranches({
          projectId,
          ...(search ? { search } : {}),
          sort_by: 'created_at',
          sort_order: 'asc',
          limit: BRANCH_PAGE_LIMIT,
          ...(cursor ? { cursor } : {}),
        }),
      );
      for (const branch of data.branches) seen.set(branch.id, branch);
      const next = data.pagination?.next;
      // A cursor-paged list may hand out a `next` on its last full page; an empty page ends it too.
      if (!next || next === cursor || data.branches.length === 0) return [...seen.values()];
      cursor = next;
    }
  }

  async function findBranchByName(name: string): Promise<NeonBranch | undefined> {
    // `search` matches parts of names and ids: `preview/feat` also finds `preview/feat-2`.
    const branches = await listAllBranches(`Finding Neon branch '${name}'`, name);
    const match = branches.find((branch) => branch.name === name);
    return match && toNeonBranch(match);
  }

  async function getBranchById(id: string): Promise<NeonBranch | undefined> {
    try {
      const { data } = await call(`Reading Neon branch '${id}'`, () => api.getProjectBranch(projectId, id));
      return toNeonBranch(data.branch);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  return {
    findBranchByName,

    async resolveBranch(nameOrId) {
      // A branch may be named like an id, so a miss by id still tries the name.
      if (BRANCH_ID.test(nameOrId)) {
        const byId = await getBranchById(nameOrId);
        if (byId) return byId;
      }
      return findBranchByName(nameOrId);
    },

    async getDefaultBranch() {
      const step = `Finding the default branch of Neon project '${projectId}'`;
      const branches = await listAllBranches(step, undefined);
      const found = branches.find((branch) => branch.default === true);
      if (!found) {
        throw new ApiError(step, `Neon listed ${branches.length} branches and none of them is the default`, {
          service: 'Neon',
        });
      }
      return toNeonBranch(found);
    },

    async listBranches(prefix) {
      // `search` only narrows the list on Neon's side; the prefix is compared here, exactly.
      const branches = await listAllBranches(
        `Listing Neon branches with prefix '${prefix}'`,
        prefix === '' ? undefined : prefix,
      );
      return branches.filter((branch) => branch.name.startsWith(prefix)).map(toNeonBranch);
    },

    async createBranch({ name, parentId, suspendTimeoutSeconds }) {
      // A timeout or dropped connection is retried like any other: if the first POST did reach Neon,
      // the retry answers 409 and the executor treats the branch as one another run created.
      const { data } = await call(`Creating Neon branch '${name}'`, () =>
        api.createProjectBranch(projectId, {
          branch: { name, parent_id: parentId },
          endpoints: [
            {
              type: EndpointType.ReadWrite,
              ...(suspendTimeoutSeconds === undefined
                ? {}
                : { suspend_timeout_seconds: suspendTimeoutSeconds }),
            },
          ],
        }),
      );
      return {
        branch: toNeonBranch(data.branch),
        operationIds: data.operations.map((operation) => operation.id),
      };
    },

    async pendingOperationIds(branchId) {
      const { data } = await call(`Listing the operations of Neon branch '${branchId}'`, () =>
        api.listProjectOperations({ projectId, limit: OPERATIONS_PAGE_LIMIT }),
      );
      return data.operations
        .filter((operation) => operation.branch_id === branchId && isPending(operation))
        .map((operation) => operation.id);
    },

    async waitForOperations(operationIds) {
      await waitForOperations(operationIds, {
        read: async (id) => {
          const { data } = await call(`Reading Neon operation ${id}`, () =>
            api.getProjectOperation(projectId, id),
          );
          return data.operation;
        },
        timeoutMs: options.operationTimeoutMs ?? 10 * 60_000,
        initialDelayMs: options.operationPollInitialMs ?? 300,
        maxDelayMs: options.operationPollMaxMs ?? 5_000,
        sleep,
        now,
        log,
      });
    },

    async deleteBranch(branchId) {
      // The delete's own operations are not awaited (DESIGN.md): nothing depends on them finishing.
      try {
        const response = await call(`Deleting Neon branch '${branchId}'`, () =>
          api.deleteProjectBranch({ projectId, branchId }),
        );
        // 204: Neon's answer for a branch that was deleted before.
        return response.status === 204 ? 'gone' : 'deleted';
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return 'gone';
        throw error;
      }
    },

    async listDatabases(branchId) {
      const { data } = await call(`Listing the databases of Neon branch '${branchId}'`, () =>
        api.listProjectBranchDatabases(projectId, branchId),
      );
      return data.databases.map((database) => ({ name: database.name, ownerName: database.owner_name }));
    },

    async connectionUri({ branchId, databaseName, roleName, pooled }) {
      const step = `Getting the connection URI of database '${databaseName}' (role '${roleName}') on Neon branch '${branchId}'`;
      const { data } = await call(step, () =>
        api.getConnectionUri({
          projectId,
          branch_id: branchId,
          database_name: databaseName,
          role_name: roleName,
          pooled,
        }),
      );
      if (typeof data.uri !== 'string' || data.uri === '') {
        throw new ApiError(step, 'Neon answered without a connection URI', { service: 'Neon' });
      }
      return data.uri;
    },
  };
}

function toNeonBranch(branch: Branch): NeonBranch {
  return {
    id: branch.id,
    name: branch.name,
    default: branch.default === true,
    protected: branch.protected === true,
    parentId: branch.parent_id,
  };
}

function hostOf(apiHost: string): string {
  try {
    return new URL(apiHost).host;
  } catch {
    return apiHost;
  }
}
