import type { MaskingRule } from '@neondatabase/api-client';
import type pg from 'pg';
import { maskDatabase } from './neon-anonymizer.js';
import {
  type PostgresCluster,
  type PostgresClusterOptions,
  startPostgresCluster,
} from './postgres-cluster.js';
import { type LoginRequest, type LoginResult, PostgresFront } from './postgres-front.js';
import { schemaText, unifiedDiff } from './schema-text.js';

/**
 * The databases behind the Neon stand-in: every database of every Neon branch is a database of its own
 * on one real PostgreSQL server, and every endpoint is a pair of addresses on the front that checks the
 * branch's role passwords. The model (neon-model.ts) calls the hooks below synchronously as its state
 * changes; the work on the server runs in order, one statement at a time, and the stand-in answers
 * each request once that work is done.
 *
 * A branch is copied with `CREATE DATABASE ... TEMPLATE`, which needs the source database without
 * sessions for a moment: the front detaches idle ones and holds new messages until the copy is made
 * (postgres-front.ts), so what a new branch holds is its parent's data at the moment of the request.
 */

/** What the model tells the data plane; every call returns at once, the work is queued. */
export interface DataPlane {
  /** Listens for the endpoint and returns its direct and pooled hosts (loopback addresses). */
  openEndpoint(endpointId: string): { host: string; poolerHost: string };
  closeEndpoint(endpointId: string): void;
  /** The port every endpoint listens on. */
  readonly port: number;
  roleCreated(roleName: string): void;
  /** A new, empty database owned by `ownerName`. */
  databaseCreated(branchId: string, database: { name: string; ownerName: string }): void;
  /** The branch's databases become copies of the source's as they are now; only the schema with `schemaOnly`. */
  branchCopied(input: { branchId: string; sourceBranchId: string; schemaOnly: boolean }): void;
  /**
   * The branch's databases are replaced with copies of the source's; with `preservedAs`, the old ones
   * become that branch's. The branch's sessions end, as a restarted compute's do.
   */
  branchRestored(input: { branchId: string; sourceBranchId: string; preservedAs?: string | undefined }): void;
  branchRemoved(branchId: string): void;
  /** Ends every session on the branch (Neon drops them when a role's password is reset). */
  endSessions(branchId: string): void;
  /** Whether work for the branch is still queued or running: its operations cannot have finished. */
  busy(branchId: string): boolean;
}

/** What the data plane asks the model: who may log in where. */
export interface LoginDirectory {
  login(
    request: LoginRequest,
  ):
    | { ok: true; branchId: string; databaseName: string; readOnly: boolean }
    | { ok: false; code: string; message: string };
}

export interface DataPlaneOptions extends PostgresClusterOptions {
  /** How long a copy waits for sessions on its source to leave their transactions. Default 10 s. */
  quiesceTimeoutMs?: number;
  /** Called when work on the server failed: the stand-in reports it as a violation. */
  onFailure?: (branchId: string | undefined, message: string) => void;
}

export interface PostgresStartTimings {
  /** initdb, paid once per machine and package version (0 when its output was in node_modules/.cache). */
  initdbMs: number;
  /** Copying initdb's output into this server's directory. */
  copyMs: number;
  /** The server's start until it accepts connections. */
  startMs: number;
}

export class NeonDataPlane implements DataPlane {
  readonly cluster: PostgresCluster;
  readonly front: PostgresFront;
  private directory: LoginDirectory | undefined;
  private readonly options: DataPlaneOptions;
  /** Branch id → Neon database name → the database's name on the server. */
  private readonly databases = new Map<string, Map<string, string>>();
  /** Server database → settles when it exists (rejects when making it failed). */
  private readonly ready = new Map<string, Promise<void>>();
  private readonly pending = new Map<string, number>();
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private endpointSerial = 0;
  private databaseSerial = 0;
  private listening: Array<Promise<void>> = [];

  private constructor(cluster: PostgresCluster, front: PostgresFront, options: DataPlaneOptions) {
    this.cluster = cluster;
    this.front = front;
    this.options = options;
  }

  static async start(options: DataPlaneOptions = {}): Promise<NeonDataPlane> {
    const cluster = await startPostgresCluster(options);
    let plane: NeonDataPlane | undefined;
    try {
      const front = await PostgresFront.start({
        upstreamPath: cluster.socketPath,
        login: (request) => {
          if (!plane) return { ok: false, code: '57P03', message: 'the database system is starting up' };
          return plane.login(request);
        },
        whenReady: (physical) => plane?.ready.get(physical) ?? Promise.resolve(),
      });
      plane = new NeonDataPlane(cluster, front, options);
      return plane;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  get port(): number {
    return this.front.port;
  }

  get timings(): PostgresStartTimings {
    return this.cluster.timings;
  }

  /** The model, once it exists: the front asks it about every login. */
  attach(directory: LoginDirectory): void {
    this.directory = directory;
  }

  /** The database's name on the server, for tests that look behind the front. */
  physicalDatabase(branchId: string, databaseName: string): string | undefined {
    return this.databases.get(branchId)?.get(databaseName);
  }

  /** Settles when every queued piece of work and every listener is done. */
  async idle(): Promise<void> {
    for (;;) {
      const listening = this.listening;
      const tail = this.tail;
      await Promise.all([tail, ...listening]);
      if (tail === this.tail && listening === this.listening && this.queued === 0) return;
    }
  }

  // --- hooks ------------------------------------------------------------------------------------

  openEndpoint(endpointId: string): { host: string; poolerHost: string } {
    this.endpointSerial += 1;
    const hosts = PostgresFront.addressesFor(this.endpointSerial);
    const listening = this.front.openEndpoint(endpointId, [hosts.host, hosts.poolerHost]).catch((error) => {
      this.options.onFailure?.(undefined, `listening for endpoint ${endpointId} failed: ${describe(error)}`);
    });
    this.listening = [...this.listening, listening];
    return hosts;
  }

  closeEndpoint(endpointId: string): void {
    const closing = this.front.closeEndpoint(endpointId);
    this.listening = [...this.listening, closing];
  }

  roleCreated(roleName: string): void {
    this.enqueue(undefined, `creating role ${roleName}`, () =>
      this.cluster.withClient(async (client) => {
        const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [roleName]);
        if (exists.rowCount === 0)
          await client.query(`CREATE ROLE ${client.escapeIdentifier(roleName)} LOGIN`);
      }),
    );
  }

  databaseCreated(branchId: string, database: { name: string; ownerName: string }): void {
    const physical = this.allocate(branchId, database.name);
    this.track(
      [physical],
      this.enqueue(branchId, `creating database ${database.name}`, () =>
        this.cluster.withClient(async (client) => {
          await client.query(
            `CREATE DATABASE ${client.escapeIdentifier(physical)} OWNER ${client.escapeIdentifier(database.ownerName)}`,
          );
        }),
      ),
    );
  }

  branchCopied(input: { branchId: string; sourceBranchId: string; schemaOnly: boolean }): void {
    const sources = [...(this.databases.get(input.sourceBranchId) ?? new Map<string, string>())];
    const copies = sources.map(([name, source]) => ({ source, target: this.allocate(input.branchId, name) }));
    this.copy(input.branchId, copies, { schemaOnly: input.schemaOnly, drop: [] });
  }

  branchRestored(input: {
    branchId: string;
    sourceBranchId: string;
    preservedAs?: string | undefined;
  }): void {
    this.endSessions(input.branchId);
    const previous = this.databases.get(input.branchId) ?? new Map<string, string>();
    this.databases.delete(input.branchId);
    if (input.preservedAs !== undefined) this.databases.set(input.preservedAs, previous);
    const sources = [...(this.databases.get(input.sourceBranchId) ?? new Map<string, string>())];
    const copies = sources.map(([name, source]) => ({ source, target: this.allocate(input.branchId, name) }));
    const drop = input.preservedAs === undefined ? [...previous.values()] : [];
    this.copy(input.branchId, copies, { schemaOnly: false, drop });
  }

  branchRemoved(branchId: string): void {
    this.endSessions(branchId);
    const physicals = [...(this.databases.get(branchId)?.values() ?? [])];
    this.databases.delete(branchId);
    this.enqueue(branchId, 'dropping its databases', () => this.drop(physicals));
  }

  endSessions(branchId: string): void {
    this.front.endSessions((session) => session.branchId === branchId);
  }

  busy(branchId: string): boolean {
    return (this.pending.get(branchId) ?? 0) > 0;
  }

  /**
   * Masks the branch's columns as the rules say (neon-anonymizer.ts), after every copy queued before;
   * resolves with the number of rules applied. A rule that cannot apply (a missing database, table or
   * function) rejects with PostgreSQL's message: the anonymized branch's `error` state, not a failure
   * of the stand-in, so it never reaches `onFailure`.
   */
  async mask(branchId: string, rules: MaskingRule[]): Promise<number> {
    const outcome = await this.enqueue(branchId, 'masking its databases', async () => {
      try {
        for (const [database, ofDatabase] of groupBy(rules, (rule) => rule.database_name)) {
          const physical = this.physicalDatabase(branchId, database);
          if (physical === undefined) throw new Error(`database "${database}" does not exist`);
          await this.cluster.withClient((client) => maskDatabase(client, ofDatabase), physical);
        }
        return { masked: rules.length };
      } catch (error) {
        return { error: describe(error) };
      }
    });
    if ('error' in outcome) throw new Error(outcome.error);
    return outcome.masked;
  }

  // --- reads ------------------------------------------------------------------------------------

  /** `compare_schema`: the unified diff from the base branch's schema to the branch's; empty when equal. */
  compareSchema(input: { branchId: string; baseBranchId: string; databaseName: string }): Promise<string> {
    const branch = this.physicalDatabase(input.branchId, input.databaseName);
    const base = this.physicalDatabase(input.baseBranchId, input.databaseName);
    if (branch === undefined || base === undefined) {
      return Promise.reject(new Error(`database ${input.databaseName} has no server database`));
    }
    return this.enqueue(undefined, 'comparing schemas', async () => {
      const [before, after] = [
        await this.cluster.withClient(schemaText, base),
        await this.cluster.withClient(schemaText, branch),
      ];
      return unifiedDiff(before, after, {
        from: `a/${input.databaseName} (${input.baseBranchId})`,
        to: `b/${input.databaseName} (${input.branchId})`,
      });
    });
  }

  /** A superuser connection to a branch's database, behind the front: for seeding and inspection. */
  withDatabase<T>(
    branchId: string,
    databaseName: string,
    work: (client: pg.Client) => Promise<T>,
  ): Promise<T> {
    const physical = this.physicalDatabase(branchId, databaseName);
    if (physical === undefined) {
      return Promise.reject(new Error(`branch ${branchId} has no database ${databaseName}`));
    }
    return this.enqueue(undefined, 'running a query', () => this.cluster.withClient(work, physical));
  }

  async close(): Promise<void> {
    await Promise.race([
      this.idle().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 10_000)),
    ]);
    await this.front.close();
    await this.cluster.stop();
  }

  // --- internals --------------------------------------------------------------------------------

  private login(request: LoginRequest): LoginResult {
    if (!this.directory) return { ok: false, code: '57P03', message: 'the database system is starting up' };
    const result = this.directory.login(request);
    if (!result.ok) return result;
    const physical = this.physicalDatabase(result.branchId, result.databaseName);
    if (physical === undefined) {
      return { ok: false, code: '3D000', message: `database "${result.databaseName}" does not exist` };
    }
    return { ok: true, branchId: result.branchId, physical, readOnly: result.readOnly };
  }

  private allocate(branchId: string, databaseName: string): string {
    this.databaseSerial += 1;
    // The server's names are at most 63 bytes; the Neon name is kept in them only to help whoever reads
    // current_database() or the server's log.
    const readable = databaseName
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .slice(0, 40);
    const physical = `b${this.databaseSerial}_${readable}`;
    const names = this.databases.get(branchId) ?? new Map<string, string>();
    names.set(databaseName, physical);
    this.databases.set(branchId, names);
    return physical;
  }

  private copy(
    branchId: string,
    copies: Array<{ source: string; target: string }>,
    options: { schemaOnly: boolean; drop: string[] },
  ): void {
    const sources = copies.map((each) => each.source);
    // Frozen now, not when the queue gets to it: what happens on the source after this request is not
    // in the copy.
    for (const source of sources) this.front.freeze(source);
    const work = this.enqueue(branchId, 'copying its databases', async () => {
      try {
        await this.front.quiesce(sources, this.options.quiesceTimeoutMs ?? 10_000);
        for (const { source, target } of copies) {
          await this.cluster.withClient(async (client) => {
            // The copy keeps its source's owner, as a Neon branch's database stays its role's: a
            // template copy would otherwise belong to the superuser, and the owner role could not
            // create tables in it (PostgreSQL 15+ grants CREATE on public to the database owner only).
            const { rows } = await client.query<{ owner: string }>(
              'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
              [source],
            );
            const owner = rows[0]?.owner;
            await client.query(
              `CREATE DATABASE ${client.escapeIdentifier(target)} TEMPLATE ${client.escapeIdentifier(source)}${owner === undefined ? '' : ` OWNER ${client.escapeIdentifier(owner)}`}`,
            );
          });
          if (options.schemaOnly) await this.cluster.withClient(emptyDatabase, target);
        }
      } finally {
        for (const source of sources) this.front.thaw(source);
      }
      await this.drop(options.drop);
    });
    this.track(
      copies.map((each) => each.target),
      work,
    );
  }

  private async drop(physicals: string[]): Promise<void> {
    if (physicals.length === 0) return;
    await this.cluster.withClient(async (client) => {
      for (const physical of physicals) {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(physical)} WITH (FORCE)`);
      }
    });
  }

  private track(physicals: string[], work: Promise<unknown>): void {
    const done = work.then(() => undefined);
    // A failure is reported once, by enqueue; sessions waiting for the database learn it from this.
    done.catch(() => undefined);
    for (const physical of physicals) this.ready.set(physical, done);
  }

  /** Runs `work` after everything queued before it; the branch counts as busy meanwhile. */
  private enqueue<T>(branchId: string | undefined, what: string, work: () => Promise<T>): Promise<T> {
    if (branchId !== undefined) this.pending.set(branchId, (this.pending.get(branchId) ?? 0) + 1);
    this.queued += 1;
    const result = this.tail.then(work);
    const settle = () => {
      this.queued -= 1;
      if (branchId !== undefined) {
        const left = (this.pending.get(branchId) ?? 1) - 1;
        if (left > 0) this.pending.set(branchId, left);
        else this.pending.delete(branchId);
      }
    };
    this.tail = result.then(settle, (error: unknown) => {
      settle();
      const subject = branchId === undefined ? 'the stand-in' : `branch ${branchId}`;
      this.options.onFailure?.(branchId, `${what} for ${subject} failed: ${describe(error)}`);
    });
    return result;
  }
}

/** What a schema-only branch keeps of its source: everything but rows, sequence positions and large objects. */
async function emptyDatabase(client: pg.Client): Promise<void> {
  const userRelation = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`;
  const tables = await client.query<{ name: string }>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${userRelation}`,
  );
  if (tables.rows.length > 0) {
    await client.query(`TRUNCATE ${tables.rows.map((row) => row.name).join(', ')} RESTART IDENTITY CASCADE`);
  }
  const sequences = await client.query<{ name: string }>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND ${userRelation}`,
  );
  for (const { name } of sequences.rows) await client.query(`ALTER SEQUENCE ${name} RESTART`);
  const views = await client.query<{ name: string }>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm' AND ${userRelation}`,
  );
  for (const { name } of views.rows) await client.query(`REFRESH MATERIALIZED VIEW ${name} WITH NO DATA`);
  await client.query('SELECT lo_unlink(oid) FROM pg_largeobject_metadata');
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
