import type { AnonymizedBranchStatusResponse, MaskingRule } from '@neondatabase/api-client';
import type pg from 'pg';
import { NeonHttpError } from './neon-model.js';

/**
 * Neon's anonymized branches (Beta; `branch_anonymized`, `anonymized_status`, `masking_rules`,
 * `anonymize` in the OpenAPI file): which branches are anonymized, their rules and their state.
 * The branch itself is made by the model like any other; with real databases the masking runs on
 * the branch's copy through `mask` (the data plane's queue, so after the copy).
 *
 * Each read of the status answers the state, then moves it one step: created → initialized →
 * anonymizing (the run starts) → anonymized, or error with a message. The steps, the wording of every refusal and message, and
 * what a restore does to the state are guesses (docs/stand-ins.md, N57 onwards).
 */
export type AnonymizedState =
  | 'created'
  | 'initialized'
  | 'initialization_error'
  | 'anonymizing'
  | 'anonymized'
  | 'error';

/** Applies the rules to the branch's databases; resolves with the columns masked, or rejects. */
export type Mask = (branchId: string, rules: MaskingRule[]) => Promise<number>;

interface Anonymized {
  rules: MaskingRule[];
  state: AnonymizedState;
  message: string | undefined;
  createdAt: string;
  updatedAt: string;
  failedAt?: string | undefined;
  /** A run asked for (start_anonymization or POST anonymize) and not started yet. */
  requested: boolean;
  run?: { startedAt: string; outcome?: { masked: number } | { error: string } } | undefined;
  lastRun?: { started_at: string; completed_at: string; masked_columns?: number } | undefined;
}

/** The masking functions the stand-in knows; PostgreSQL Anonymizer has many more. */
export const MASKING_FUNCTIONS = [
  'fake_email',
  'fake_first_name',
  'fake_last_name',
  'random_string',
  'partial',
  'hash',
] as const;

export class NeonAnonymizer {
  private readonly branches = new Map<string, Anonymized>();

  constructor(
    private readonly projectId: string,
    private readonly timestamp: () => string,
    /** undefined: no databases; a run only checks the rules' functions. */
    private readonly mask: Mask | undefined,
  ) {}

  isAnonymized(branchId: string): boolean {
    return this.branches.has(branchId);
  }

  /** After `POST branch_anonymized` made the branch. */
  created(branchId: string, rules: MaskingRule[], start: boolean): void {
    const now = this.timestamp();
    this.branches.set(branchId, {
      rules,
      state: 'created',
      message: undefined,
      createdAt: now,
      updatedAt: now,
      requested: start,
    });
  }

  /** `GET anonymized_status`: the state; the next read sees it one step on. */
  status(branchId: string): AnonymizedBranchStatusResponse {
    const record = this.require(branchId, 404);
    const reply = this.reply(branchId, record);
    this.step(branchId, record);
    return reply;
  }

  rules(branchId: string): { masking_rules: MaskingRule[] } {
    return { masking_rules: this.require(branchId, 400).rules.map((rule) => ({ ...rule })) };
  }

  /** `PATCH masking_rules`: replaces them all; refused while a run is going. */
  replaceRules(branchId: string, rules: MaskingRule[]): { masking_rules: MaskingRule[] } {
    const record = this.require(branchId, 400);
    if (record.state === 'anonymizing') {
      throw new NeonHttpError(409, 'masking rules cannot change while the branch is being anonymized');
    }
    record.rules = rules;
    record.updatedAt = this.timestamp();
    return this.rules(branchId);
  }

  /** `POST anonymize`: from initialized, error or anonymized (the spec's words), a run starts at once. */
  start(branchId: string): AnonymizedBranchStatusResponse {
    const record = this.require(branchId, 400);
    if (!['initialized', 'error', 'anonymized'].includes(record.state)) {
      throw new NeonHttpError(
        409,
        `anonymization cannot start while the branch is ${record.state}: it must be initialized, error or anonymized`,
      );
    }
    this.begin(branchId, record);
    return this.reply(branchId, record);
  }

  /** A restore brings the parent's rows back unmasked: the branch is initialized again, not anonymized. */
  restored(branchId: string): void {
    const record = this.branches.get(branchId);
    if (record === undefined) return;
    record.state = 'initialized';
    record.message = 'the branch was restored: its data is not masked until it is anonymized again';
    record.requested = false;
    record.run = undefined;
    record.updatedAt = this.timestamp();
  }

  removed(branchId: string): void {
    this.branches.delete(branchId);
  }

  private step(branchId: string, record: Anonymized): void {
    if (record.state === 'created') this.move(record, 'initialized', undefined);
    else if (record.state === 'initialized' && record.requested) this.begin(branchId, record);
    else if (record.state === 'anonymizing' && record.run?.outcome !== undefined) this.finish(record);
  }

  private begin(branchId: string, record: Anonymized): void {
    const run: NonNullable<Anonymized['run']> = { startedAt: this.timestamp() };
    record.requested = false;
    record.run = run;
    this.move(record, 'anonymizing', `Anonymizing ${record.rules.length} columns`);
    const unknown = record.rules.map(unsupported).find((message) => message !== undefined);
    if (unknown !== undefined || this.mask === undefined) {
      run.outcome = unknown === undefined ? { masked: record.rules.length } : { error: unknown };
      return;
    }
    this.mask(branchId, record.rules).then(
      (masked) => {
        run.outcome = { masked };
      },
      (error: unknown) => {
        run.outcome = { error: error instanceof Error ? error.message : String(error) };
      },
    );
  }

  private finish(record: Anonymized): void {
    const outcome = record.run?.outcome;
    if (record.run === undefined || outcome === undefined) return;
    const completed = this.timestamp();
    if ('error' in outcome) {
      record.failedAt = completed;
      record.lastRun = { started_at: record.run.startedAt, completed_at: completed };
      this.move(record, 'error', `anonymization failed: ${outcome.error}`);
    } else {
      record.lastRun = {
        started_at: record.run.startedAt,
        completed_at: completed,
        masked_columns: outcome.masked,
      };
      this.move(record, 'anonymized', `Anonymized ${outcome.masked} columns`);
    }
  }

  private move(record: Anonymized, state: AnonymizedState, message: string | undefined): void {
    record.state = state;
    record.message = message;
    record.updatedAt = this.timestamp();
  }

  private require(branchId: string, status: 400 | 404): Anonymized {
    const record = this.branches.get(branchId);
    if (record === undefined)
      throw new NeonHttpError(status, `branch ${branchId} is not an anonymized branch`);
    return record;
  }

  private reply(branchId: string, record: Anonymized): AnonymizedBranchStatusResponse {
    return {
      project_id: this.projectId,
      branch_id: branchId,
      state: record.state,
      ...(record.message === undefined ? {} : { status_message: record.message }),
      created_at: record.createdAt,
      updated_at: record.updatedAt,
      ...(record.failedAt === undefined ? {} : { failed_at: record.failedAt }),
      ...(record.lastRun === undefined ? {} : { last_run: { ...record.lastRun } }),
    };
  }
}

const FUNCTION_CALL = /^anon\.([a-z_]+)\s*\(([^;]*)\)$/s;

/** Why the stand-in cannot apply the rule's function, or undefined when it can. */
function unsupported(rule: MaskingRule): string | undefined {
  if (rule.masking_function === undefined) {
    return rule.masking_value === undefined
      ? `no masking_function or masking_value for ${columnOf(rule)}`
      : undefined;
  }
  const name = FUNCTION_CALL.exec(rule.masking_function.trim())?.[1];
  if (name !== undefined && (MASKING_FUNCTIONS as readonly string[]).includes(name)) return undefined;
  return `function ${rule.masking_function} does not exist (masking ${columnOf(rule)})`;
}

function columnOf(rule: MaskingRule): string {
  return `${rule.database_name}.${rule.schema_name}.${rule.table_name}.${rule.column_name}`;
}

/**
 * The stand-in's `anon` functions, as SQL, in the shapes PostgreSQL Anonymizer documents them
 * (fake_*, random_string(n), partial(value, prefix, padding, suffix), hash(value)); the fake data is
 * the stand-in's own, and hash is a plain SHA-256 where Anonymizer salts it.
 */
const ANON_FUNCTIONS = `
CREATE SCHEMA anon;
CREATE FUNCTION anon.fake_first_name() RETURNS text LANGUAGE sql VOLATILE AS
  $$ SELECT (ARRAY['Alex','Sam','Robin','Kim','Jo','Charlie','Max','Noa'])[1 + floor(random() * 8)::int] $$;
CREATE FUNCTION anon.fake_last_name() RETURNS text LANGUAGE sql VOLATILE AS
  $$ SELECT (ARRAY['Smith','Garcia','Müller','Rossi','Tanaka','Novak','Silva','Dubois'])[1 + floor(random() * 8)::int] $$;
CREATE FUNCTION anon.random_string(n integer) RETURNS text LANGUAGE sql VOLATILE AS
  $$ SELECT string_agg(substr('abcdefghijklmnopqrstuvwxyz0123456789', 1 + floor(random() * 36)::int, 1), '')
     FROM generate_series(1, n) $$;
CREATE FUNCTION anon.fake_email() RETURNS text LANGUAGE sql VOLATILE AS
  $$ SELECT anon.random_string(10) || '@example.com' $$;
CREATE FUNCTION anon.partial(ov text, prefix integer, padding text, suffix integer) RETURNS text
  LANGUAGE sql IMMUTABLE AS
  $$ SELECT substring(ov FROM 1 FOR prefix) || padding || substring(ov FROM (length(ov) - suffix + 1)::int FOR suffix) $$;
CREATE FUNCTION anon.hash(seed text) RETURNS text LANGUAGE sql IMMUTABLE AS
  $$ SELECT encode(sha256(convert_to(seed, 'UTF8')), 'hex') $$;
`;

/**
 * Masks one database's columns in one transaction: all of them or none. The `anon` schema exists
 * only during the run, so the branch's schema stays its parent's (compare_schema shows no change).
 */
export async function maskDatabase(client: pg.Client, rules: MaskingRule[]): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(ANON_FUNCTIONS);
    for (const rule of rules) {
      const target = `${client.escapeIdentifier(rule.schema_name)}.${client.escapeIdentifier(rule.table_name)}`;
      const column = client.escapeIdentifier(rule.column_name);
      if (rule.masking_function !== undefined) {
        await client.query(`UPDATE ${target} SET ${column} = ${rule.masking_function}`);
      } else {
        await client.query(`UPDATE ${target} SET ${column} = $1`, [rule.masking_value]);
      }
    }
    await client.query('DROP SCHEMA anon CASCADE');
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
