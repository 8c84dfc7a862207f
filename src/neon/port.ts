import type { Branch } from '@neondatabase/api-client';
import { ApiError } from '../core/errors.js';
import type { NeonBranch, NeonMaskingRule, NeonPort } from '../core/ports.js';
import * as anonymized from './anonymized.js';
import { toNeonBranch } from './branch.js';
import { createRequest, explainCreateRefusal } from './create-branch.js';
import { isPending, pendingIds } from './operations.js';
import { type NeonPortOptions, NeonRequester } from './request.js';
import { compareSchema } from './schema.js';
import { OperationWaits } from './waits.js';

export type { NeonPortOptions } from './request.js';

/**
 * Pages are fetched one after another (each needs the cursor of the one before), so a listing of a
 * large project costs a round trip and a rate-limit token per page: 1,000 a page (the API allows up
 * to 10,000) lists most projects in one, and keeps each answer under a megabyte or so.
 */
const BRANCH_PAGE_LIMIT = 1000;

/**
 * The default branch is looked for in a first page this small: it is nearly always the project's
 * first branch, so the oldest-first listing has it at the top, and a page of 1,000 branches (most
 * of a megabyte in a project full of previews) would be read on every deploy for one of them.
 */
const DEFAULT_BRANCH_FIRST_PAGE = 10;
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
  return new NeonApiPort(options);
}

class NeonApiPort implements NeonPort {
  private readonly projectId: string;
  private readonly neon: NeonRequester;
  private readonly waits: OperationWaits;

  constructor(private readonly options: NeonPortOptions) {
    this.projectId = options.projectId;
    this.neon = new NeonRequester(options);
    this.waits = new OperationWaits(this.neon, options, (ms) => this.capped(ms));
  }

  async findBranchByName(name: string): Promise<NeonBranch | undefined> {
    // `search` matches parts of names and ids: `preview/feat` also finds `preview/feat-2`.
    const branches = await this.listAllBranches(`Finding Neon branch '${name}'`, name);
    const match = branches.find((branch) => branch.name === name);
    return match && toNeonBranch(match);
  }

  async resolveBranch(nameOrId: string): Promise<NeonBranch | undefined> {
    // A branch may be named like an id, so a miss by id still tries the name.
    if (BRANCH_ID.test(nameOrId)) {
      const byId = await this.getBranchById(nameOrId);
      if (byId) return byId;
    }
    return this.findBranchByName(nameOrId);
  }

  async getDefaultBranch(): Promise<NeonBranch> {
    const step = `Finding the default branch of Neon project '${this.projectId}'`;
    // The listing stops at the page that has it instead of reading a large project's every page.
    const branches = await this.listAllBranches(step, undefined, {
      firstPageLimit: DEFAULT_BRANCH_FIRST_PAGE,
      enough: (page) => page.some((branch) => branch.default === true),
    });
    const found = branches.find((branch) => branch.default === true);
    if (!found) {
      throw new ApiError(step, `Neon listed ${branches.length} branches and none of them is the default`, {
        service: 'Neon',
      });
    }
    return toNeonBranch(found);
  }

  async listBranches(prefix: string): Promise<NeonBranch[]> {
    // `search` only narrows the list on Neon's side; the prefix is compared here, exactly.
    const branches = await this.listAllBranches(
      `Listing Neon branches with prefix '${prefix}'`,
      prefix === '' ? undefined : prefix,
    );
    return branches.filter((branch) => branch.name.startsWith(prefix)).map(toNeonBranch);
  }

  async createBranch(input: Parameters<NeonPort['createBranch']>[0]) {
    const step = `Creating Neon branch '${input.name}'`;
    // A timeout or dropped connection is retried like any other: if the first POST did reach Neon,
    // the retry answers 409 and the executor treats the branch as one another run created.
    const { data, by } = await this.waits.timed(() =>
      this.neon
        .call(step, (api) => createRequest(api, this.projectId, input))
        .catch((error: unknown) => {
          throw explainCreateRefusal(step, error, input);
        }),
    );
    // The flow waits for them later (after its own steps): their kinds and timing are kept for it.
    this.waits.remember(data.operations, by);
    const [details] = data.connection_uris ?? [];
    return {
      branch: toNeonBranch(data.branch),
      operationIds: pendingIds(data.operations),
      databases: data.databases?.map((database) => ({ name: database.name, ownerName: database.owner_name })),
      connection:
        details === undefined
          ? undefined
          : {
              uri: details.connection_uri,
              poolerHost: details.connection_parameters.pooler_host,
              databaseName: details.connection_parameters.database,
              roleName: details.connection_parameters.role,
            },
    };
  }

  maskingRules(branchId: string) {
    return anonymized.maskingRules(this.target(branchId));
  }

  replaceMaskingRules(branchId: string, rules: NeonMaskingRule[]) {
    return anonymized.replaceMaskingRules(this.target(branchId), rules);
  }

  startAnonymization(branchId: string) {
    return anonymized.startAnonymization(this.target(branchId));
  }

  waitForAnonymized(branchId: string) {
    const wait = anonymized.waitOptions(this.options, this.neon.sleep, (ms) => this.capped(ms));
    return anonymized.waitForAnonymized(this.target(branchId), wait);
  }

  private target(branchId: string): anonymized.AnonymizedTarget {
    return { neon: this.neon, projectId: this.projectId, branchId };
  }

  async setExpiry(branchId: string, expiresAt: string): Promise<void> {
    await this.neon.call(`Moving the expiry of Neon branch '${branchId}' to ${expiresAt}`, (api) =>
      api.updateProjectBranch(this.projectId, branchId, { branch: { expires_at: expiresAt } }),
    );
  }

  async restoreBranch(branchId: string, sourceBranchId: string): Promise<void> {
    const { data, by } = await this.waits.timed(() =>
      this.neon.call(
        `Resetting Neon branch '${branchId}' to the latest state of '${sourceBranchId}'`,
        (api) => api.restoreProjectBranch(this.projectId, branchId, { source_branch_id: sourceBranchId }),
      ),
    );
    await this.waits.forAnswer(data.operations, by);
  }

  async pendingOperationIds(branchId: string): Promise<string[]> {
    const { data } = await this.neon.call(`Listing the operations of Neon branch '${branchId}'`, (api) =>
      api.listProjectOperations({ projectId: this.projectId, limit: OPERATIONS_PAGE_LIMIT }),
    );
    return data.operations
      .filter((operation) => operation.branch_id === branchId && isPending(operation))
      .map((operation) => operation.id);
  }

  waitForOperations(operationIds: string[]): Promise<void> {
    return this.waits.forIds(operationIds);
  }

  async deleteBranch(branchId: string): Promise<'deleted' | 'gone'> {
    // The delete's own operations are not awaited: nothing depends on them finishing.
    // A retry that finds the branch gone follows an attempt of ours whose answer was lost: that
    // attempt deleted it. Only a first attempt that finds it gone means someone else did (or Neon's
    // expiry).
    let attempts = 0;
    const gone = () => (attempts > 1 ? 'deleted' : 'gone');
    try {
      const response = await this.neon.call(`Deleting Neon branch '${branchId}'`, (api) => {
        attempts += 1;
        return api.deleteProjectBranch({ projectId: this.projectId, branchId });
      });
      // 204: Neon's answer for a branch that was deleted before.
      return response.status === 204 ? gone() : 'deleted';
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return gone();
      throw error;
    }
  }

  async listDatabases(branchId: string) {
    const { data } = await this.neon.call(`Listing the databases of Neon branch '${branchId}'`, (api) =>
      api.listProjectBranchDatabases(this.projectId, branchId),
    );
    return data.databases.map((database) => ({ name: database.name, ownerName: database.owner_name }));
  }

  async resetRolePassword(branchId: string, roleName: string, after: string[] = []) {
    const step = `Resetting the password of role '${roleName}' on Neon branch '${branchId}'`;
    const send = (locked: 'retry' | 'fail') =>
      this.neon.call(step, (api) => api.resetProjectBranchRolePassword(this.projectId, branchId, roleName), {
        locked,
      });
    const { data, by } =
      after.length === 0
        ? await this.waits.timed(() => send('retry'))
        : await this.waits.whenOver(after, send);
    // Neon: the new password works once the operations have finished; the old one until then.
    await this.waits.forAnswer(data.operations, by, after);
    return data.role.password;
  }

  async connectionUri({
    branchId,
    databaseName,
    roleName,
    pooled,
  }: Parameters<NeonPort['connectionUri']>[0]) {
    const step = `Getting the connection URI of database '${databaseName}' (role '${roleName}') on Neon branch '${branchId}'`;
    const { data } = await this.neon.call(step, (api) =>
      api.getConnectionUri({
        projectId: this.projectId,
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
  }

  compareSchema(branchId: string, baseBranchId: string, databaseName: string): Promise<string> {
    return compareSchema(this.neon, { projectId: this.projectId, branchId, baseBranchId, databaseName });
  }

  /** A wait of the port's own, cut to what is left of the run's budget. */
  private capped(ms: number): number {
    return this.options.deadline?.cap(ms) ?? ms;
  }

  /**
   * Every page of branches, oldest first, or up to the first page for which `enough` is true (the
   * first page `firstPageLimit` long). Sorting by `created_at` rather than the default `updated_at`
   * keeps a branch that changes while we page from moving between pages.
   */
  private async listAllBranches(
    step: string,
    search: string | undefined,
    until: { firstPageLimit?: number; enough?: (page: Branch[]) => boolean } = {},
  ): Promise<Branch[]> {
    const seen = new Map<string, Branch>();
    const pageLimit = this.options.branchPageLimit ?? BRANCH_PAGE_LIMIT;
    let cursor: string | undefined;
    for (;;) {
      const limit = cursor === undefined ? Math.min(until.firstPageLimit ?? pageLimit, pageLimit) : pageLimit;
      const { data } = await this.neon.call(step, (api) =>
        api.listProjectBranches({
          projectId: this.projectId,
          ...(search ? { search } : {}),
          sort_by: 'created_at',
          sort_order: 'asc',
          limit,
          ...(cursor ? { cursor } : {}),
        }),
      );
      for (const branch of data.branches) seen.set(branch.id, branch);
      if (until.enough?.(data.branches)) return [...seen.values()];
      const next = data.pagination?.next;
      // A cursor-paged list may hand out a `next` on its last full page; an empty page ends it too.
      if (!next || next === cursor || data.branches.length === 0) return [...seen.values()];
      cursor = next;
    }
  }

  private async getBranchById(id: string): Promise<NeonBranch | undefined> {
    try {
      const { data } = await this.neon.call(`Reading Neon branch '${id}'`, (api) =>
        api.getProjectBranch(this.projectId, id),
      );
      return toNeonBranch(data.branch);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }
}
