import { ApiError, MaskingError } from '../../src/core/errors.js';
import type {
  AmplifyBranch,
  AmplifyJob,
  AmplifyPort,
  AnonymizedStatus,
  JobStatus,
  NeonBranch,
  NeonDatabase,
  NeonMaskingRule,
  NeonPort,
} from '../../src/core/ports.js';

/**
 * In-memory ports for the executor's unit tests: typed by the port interfaces, so a port change
 * that the executor relies on fails to compile here. Every call is appended to `calls`, which is
 * what ordering assertions read. Wire behaviour is tested against the HTTP stand-ins instead.
 */
export class MemoryNeon implements NeonPort {
  calls: string[] = [];
  branches: NeonBranch[] = [{ id: 'br-main-1', name: 'main', default: true, protected: false }];
  databases: Record<string, NeonDatabase[]> = {};
  pending: Record<string, string[]> = {};
  /** When set, the next createBranch answers 409 after this branch appears (another run won). */
  raceWinner: NeonBranch | undefined;
  failOn: Partial<Record<keyof NeonPort, Error>> = {};
  refuseDelete = new Set<string>();
  /**
   * Role passwords by `branch/role`. As in Neon, a new branch's roles carry its parent's passwords;
   * a branch not listed has the password `pw/<branch id>`. A reset gives `pw/<branch id>` the first
   * time and a new suffix after that.
   */
  passwords: Record<string, string> = {};
  private resets = 0;
  private next = 1;

  private check(method: keyof NeonPort, detail: string) {
    this.calls.push(`neon.${method}(${detail})`);
    const failure = this.failOn[method];
    if (failure) throw failure;
  }

  async findBranchByName(name: string) {
    this.check('findBranchByName', name);
    return this.branches.find((b) => b.name === name);
  }
  async resolveBranch(nameOrId: string) {
    this.check('resolveBranch', nameOrId);
    return this.branches.find((b) => b.id === nameOrId || b.name === nameOrId);
  }
  async getDefaultBranch() {
    this.check('getDefaultBranch', '');
    const branch = this.branches.find((b) => b.default);
    if (!branch) throw new Error('no default branch');
    return branch;
  }
  async listBranches(prefix: string) {
    this.check('listBranches', prefix);
    return this.branches.filter((b) => b.name.startsWith(prefix));
  }
  /** What the create answer lists as the new branch's databases; undefined: the answer has none. */
  createAnswersDatabases: NeonDatabase[] | undefined;
  /** The last createBranch input, as the port received it. */
  created: Parameters<NeonPort['createBranch']>[0] | undefined;
  async createBranch(input: Parameters<NeonPort['createBranch']>[0]) {
    this.check('createBranch', `${input.name} from ${input.parentId}`);
    this.created = input;
    if (this.raceWinner) {
      this.branches.push(this.raceWinner);
      this.pending[this.raceWinner.id] = ['op-winner'];
      this.raceWinner = undefined;
      throw new ApiError(`Creating Neon branch '${input.name}'`, '409 BRANCH_ALREADY_EXISTS', {
        service: 'Neon',
        status: 409,
      });
    }
    if (this.branches.some((b) => b.name === input.name)) {
      throw new ApiError(`Creating Neon branch '${input.name}'`, '409 BRANCH_ALREADY_EXISTS', {
        service: 'Neon',
        status: 409,
      });
    }
    // As in Neon: no parent_id means the default branch.
    const parentId = input.parentId ?? this.branches.find((b) => b.default)?.id ?? 'br-main-1';
    const branch: NeonBranch = {
      id: `br-new-${this.next++}`,
      name: input.name,
      default: false,
      protected: false,
      // A schema-only branch is a root branch in Neon.
      ...(input.schemaOnly ? {} : { parentId }),
      ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
    };
    this.branches.push(branch);
    if (input.maskingRules !== undefined) this.masking[branch.id] = { rules: input.maskingRules, runs: 1 };
    for (const [key, password] of Object.entries(this.passwords)) {
      const [from, role] = key.split('/');
      if (from === parentId) this.passwords[`${branch.id}/${role}`] = password;
    }
    this.passwords[`${branch.id}/neondb_owner`] ??= this.passwordOf(parentId, 'neondb_owner');
    // Like Neon: the answer carries a connection when there is one database (and its owner) to pick.
    const [only, ...others] = this.createAnswersDatabases ?? [];
    const connection =
      only === undefined || others.length > 0
        ? undefined
        : {
            uri: this.uriOf(branch.id, only.name, only.ownerName, false),
            poolerHost: `ep-${branch.id}-pooler.us-east-2.aws.neon.tech`,
            databaseName: only.name,
            roleName: only.ownerName,
          };
    return {
      branch,
      operationIds: [`op-create-${branch.id}`],
      databases: this.createAnswersDatabases,
      connection,
    };
  }
  async setExpiry(branchId: string, expiresAt: string) {
    this.check('setExpiry', `${branchId} ${expiresAt}`);
    this.refuseWithChildren(branchId, 'cannot set expires_at on a branch that has child branches');
    const branch = this.branches.find((b) => b.id === branchId);
    if (branch) branch.expiresAt = expiresAt;
  }
  async restoreBranch(branchId: string, sourceBranchId: string) {
    this.check('restoreBranch', `${branchId} from ${sourceBranchId}`);
    this.refuseWithChildren(branchId, 'preserve_under_name is required when the branch has child branches');
    // As in Neon: the roles, passwords included, become the source's again.
    for (const [key, password] of Object.entries(this.passwords)) {
      const [from, role] = key.split('/');
      if (from === sourceBranchId) this.passwords[`${branchId}/${role}`] = password;
    }
    this.passwords[`${branchId}/neondb_owner`] = this.passwordOf(sourceBranchId, 'neondb_owner');
  }
  private refuseWithChildren(branchId: string, message: string) {
    if (this.branches.some((b) => b.parentId === branchId)) {
      throw new ApiError(`Neon branch ${branchId}`, `400: ${message}`, { service: 'Neon', status: 400 });
    }
  }
  async pendingOperationIds(branchId: string) {
    this.check('pendingOperationIds', branchId);
    return this.pending[branchId] ?? [];
  }
  async waitForOperations(ids: string[]) {
    this.check('waitForOperations', ids.join(','));
  }
  async deleteBranch(branchId: string) {
    this.check('deleteBranch', branchId);
    if (this.refuseDelete.has(branchId)) {
      throw new ApiError(`Deleting Neon branch ${branchId}`, '422 BRANCH_HAS_CHILDREN', {
        service: 'Neon',
        status: 422,
      });
    }
    const before = this.branches.length;
    this.branches = this.branches.filter((b) => b.id !== branchId);
    return before === this.branches.length ? ('gone' as const) : ('deleted' as const);
  }
  async listDatabases(branchId: string) {
    this.check('listDatabases', branchId);
    return this.databases[branchId] ?? [{ name: 'neondb', ownerName: 'neondb_owner' }];
  }
  async resetRolePassword(branchId: string, roleName: string, after: string[] = []) {
    // `after`: the create's operations, which the real port waits for with the reset's own.
    this.check('resetRolePassword', `${branchId} ${roleName}${after.length > 0 ? ` after ${after}` : ''}`);
    const own = `pw/${branchId}`;
    const key = `${branchId}/${roleName}`;
    this.passwords[key] = this.passwords[key] === own ? `${own}~${++this.resets}` : own;
    return this.passwords[key];
  }
  async connectionUri(input: { branchId: string; databaseName: string; roleName: string; pooled: boolean }) {
    this.check('connectionUri', `${input.branchId} ${input.databaseName} ${input.roleName} ${input.pooled}`);
    return this.uriOf(input.branchId, input.databaseName, input.roleName, input.pooled);
  }
  private uriOf(branchId: string, databaseName: string, roleName: string, pooled: boolean): string {
    const host = `ep-${branchId}${pooled ? '-pooler' : ''}.us-east-2.aws.neon.tech`;
    const password = encodeURIComponent(this.passwordOf(branchId, roleName));
    return `postgresql://${roleName}:${password}@${host}/${databaseName}?sslmode=require`;
  }
  passwordOf(branchId: string, roleName: string): string {
    return this.passwords[`${branchId}/${roleName}`] ?? `pw/${branchId}`;
  }
  /** compare_schema answers by branch id; a branch not listed has the same schema as its base. */
  schemaDiffs: Record<string, string> = {};
  async compareSchema(branchId: string, baseBranchId: string, databaseName: string) {
    this.check('compareSchema', `${branchId} ${baseBranchId} ${databaseName}`);
    return this.schemaDiffs[branchId] ?? '';
  }
  /** Anonymized branches by id: their rules and how many times masking was started. */
  masking: Record<string, { rules: NeonMaskingRule[]; runs: number }> = {};
  /** What `waitForAnonymized` answers in turn; past the list, `anonymized`. */
  anonymizedStates: AnonymizedStatus[] = [];
  async maskingRules(branchId: string) {
    this.check('maskingRules', branchId);
    return this.masking[branchId]?.rules;
  }
  async replaceMaskingRules(branchId: string, rules: NeonMaskingRule[]) {
    this.check('replaceMaskingRules', branchId);
    const record = this.masking[branchId];
    if (record === undefined)
      throw new ApiError('Replacing', 'not anonymized', { service: 'Neon', status: 400 });
    record.rules = rules;
  }
  async startAnonymization(branchId: string) {
    this.check('startAnonymization', branchId);
    const record = this.masking[branchId];
    if (record === undefined)
      throw new ApiError('Starting', 'not anonymized', { service: 'Neon', status: 400 });
    record.runs += 1;
  }
  async waitForAnonymized(branchId: string) {
    this.check('waitForAnonymized', branchId);
    const status = this.anonymizedStates.shift() ?? {
      state: 'anonymized',
      maskedColumns: this.masking[branchId]?.rules.length,
    };
    if (status.state !== 'anonymized') {
      throw new MaskingError(
        `Anonymizing Neon branch '${branchId}'`,
        `Neon's masking ended in '${status.state}': ${status.message}`,
        {
          service: 'Neon',
        },
      );
    }
    return status;
  }
}

export class MemoryAmplify implements AmplifyPort {
  calls: string[] = [];
  branches = new Map<string, AmplifyBranch>();
  jobs = new Map<string, AmplifyJob & { branch: string }>();
  failOn: Partial<Record<keyof AmplifyPort, Error>> = {};
  /** The account's concurrent-build quota: active jobs of every branch together; none by default. */
  buildQuota = Number.POSITIVE_INFINITY;
  /** Where StopJob puts a job; CANCELLING keeps StartJob away while `cancellingBlocks`. */
  stopTo: JobStatus = 'CANCELLED';
  cancellingBlocks = true;
  /** Job statuses GetJob/ListJobs report in turn for a job, to simulate a job that ends. */
  private next = 1;

  private check(method: keyof AmplifyPort, detail: string) {
    this.calls.push(`amplify.${method}(${detail})`);
    const failure = this.failOn[method];
    if (failure) throw failure;
  }

  addJob(branch: string, status: JobStatus): string {
    const id = String(this.next++);
    this.jobs.set(id, { id, status, branch });
    return id;
  }

  async getApp() {
    this.check('getApp', '');
    return { defaultDomain: 'd1a2b3c4d5e6f7.amplifyapp.com' };
  }
  async getBranch(name: string) {
    this.check('getBranch', name);
    const branch = this.branches.get(name);
    return branch && structuredClone(branch);
  }
  async createBranch(input: { name: string; environmentVariables: Record<string, string> }) {
    this.check('createBranch', input.name);
    const branch = {
      name: input.name,
      displayName: input.name.toLowerCase().replace(/[^a-z0-9-]/g, '-'),
      environmentVariables: { ...input.environmentVariables },
    };
    this.branches.set(input.name, branch);
    return structuredClone(branch);
  }
  async setEnvironmentVariables(name: string, variables: Record<string, string>) {
    this.check('setEnvironmentVariables', name);
    const branch = this.branches.get(name);
    if (!branch) throw new Error('no such branch');
    branch.environmentVariables = { ...variables };
    return structuredClone(branch);
  }
  async deleteBranch(name: string) {
    this.check('deleteBranch', name);
    return this.branches.delete(name) ? ('deleted' as const) : ('gone' as const);
  }
  async listBranchNames() {
    this.check('listBranchNames', '');
    return [...this.branches.keys()];
  }
  private active(branch: string) {
    return [...this.jobs.values()].filter(
      (j) => j.branch === branch && ['CREATED', 'PENDING', 'PROVISIONING', 'RUNNING'].includes(j.status),
    );
  }
  private holdsBranch(branch: string) {
    const cancelling = [...this.jobs.values()].some(
      (j) => j.branch === branch && j.status === 'CANCELLING' && this.cancellingBlocks,
    );
    return cancelling || this.active(branch).length > 0;
  }
  private accountFull() {
    const active = [...this.jobs.values()].filter((j) =>
      ['CREATED', 'PENDING', 'PROVISIONING', 'RUNNING'].includes(j.status),
    );
    return active.length >= this.buildQuota;
  }
  async startJob(branch: string) {
    this.check('startJob', branch);
    if (this.holdsBranch(branch) || this.accountFull()) {
      throw new ApiError('Starting a job', '429 LimitExceededException', {
        service: 'Amplify',
        status: 429,
        code: 'LimitExceededException',
      });
    }
    const id = this.addJob(branch, 'PENDING');
    return { id, status: 'PENDING' as const };
  }
  async listActiveJobs(branch: string) {
    this.check('listActiveJobs', branch);
    return this.active(branch).map(({ id, status }) => ({ id, status }));
  }
  async latestJob(branch: string) {
    this.check('latestJob', branch);
    const job = [...this.jobs.values()].filter((j) => j.branch === branch).at(-1);
    return job && { id: job.id, status: job.status };
  }
  async getJob(_branch: string, jobId: string) {
    this.check('getJob', jobId);
    const job = this.jobs.get(jobId);
    if (!job) throw new Error('no such job');
    return { id: job.id, status: job.status };
  }
  async stopJob(branch: string, jobId: string) {
    this.check('stopJob', `${branch} ${jobId}`);
    const job = this.jobs.get(jobId);
    if (job) job.status = this.stopTo;
  }
}
