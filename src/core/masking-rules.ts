import { parse } from 'yaml';
import { messageOf } from './errors.js';
import type { NeonMaskingRule } from './ports.js';
import { isRecord } from './records.js';
import { invalid } from './setting-parsers.js';

/**
 * One Neon masking rule (the OpenAPI file's `MaskingRule`, in node_modules/@neondatabase/api-client):
 * the column it masks and the PostgreSQL Anonymizer function or literal value it gets.
 */
export interface MaskingRule {
  /** undefined: the `database` setting, else the branch's only database (resolved when deploying). */
  databaseName: string | undefined;
  schemaName: string;
  tableName: string;
  columnName: string;
  maskingFunction?: string;
  maskingValue?: string;
}

/** Where the rules came from, for messages: a file path or `CONFIG_FILE inline rules`. */
export interface RulesText {
  text: string;
  source: string;
}

const KEYS = [
  'database_name',
  'schema_name',
  'table_name',
  'column_name',
  'masking_function',
  'masking_value',
];
const FORM =
  'a JSON or YAML list of rules such as [{"table_name": "users", "column_name": "email", "masking_function": "anon.fake_email()"}]';

/**
 * `masking-rules`, already read: a JSON or YAML list of rules. `database_name` falls back to the
 * `database` setting and `schema_name` to `public`. A rule with neither a function nor a value, or
 * with both, is refused rather than guessed: a rule that masks nothing would leave real data in.
 */
export function parseMaskingRules(rules: RulesText, database: string | undefined): MaskingRule[] {
  let document: unknown;
  try {
    document = parse(rules.text);
  } catch (error) {
    throw invalid('masking-rules', rules.source, `${FORM}; it does not parse: ${messageOf(error)}`);
  }
  if (!Array.isArray(document) || document.length === 0) {
    throw invalid('masking-rules', rules.source, `${FORM}; it names no column`);
  }
  return document.map((item, index) => parseRule(item, `${rules.source} rule ${index + 1}`, database));
}

function parseRule(item: unknown, where: string, database: string | undefined): MaskingRule {
  if (!isRecord(item)) {
    throw invalid('masking-rules', where, `a mapping with table_name and column_name; ${FORM}`);
  }
  const record = item;
  const unknown = Object.keys(record).find((key) => !KEYS.includes(key));
  if (unknown !== undefined) {
    throw invalid('masking-rules', where, `only the keys ${KEYS.join(', ')}, not '${unknown}'`);
  }
  const text = (key: string, required: boolean): string | undefined => {
    const value = record[key];
    if (value === undefined || value === null) {
      if (required) throw invalid('masking-rules', where, `${key}, a non-empty string`);
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      throw invalid('masking-rules', where, `${key} as a non-empty string`);
    }
    return value.trim();
  };
  const maskingFunction = text('masking_function', false);
  const value = literal(record.masking_value, where);
  if ((maskingFunction === undefined) === (value === undefined)) {
    throw invalid('masking-rules', where, 'exactly one of masking_function and masking_value');
  }
  return {
    databaseName: text('database_name', false) ?? database,
    schemaName: text('schema_name', false) ?? 'public',
    tableName: text('table_name', true) as string,
    columnName: text('column_name', true) as string,
    ...(maskingFunction === undefined ? { maskingValue: value as string } : { maskingFunction }),
  };
}

/** A literal value may be any string, empty included (a blanked column), or a number or boolean. */
function literal(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  throw invalid('masking-rules', where, 'masking_value as a string');
}

/** The rules in Neon's form, for `branch_anonymized` and `masking_rules`, once the database is known. */
export function toNeonRules(rules: readonly MaskingRule[], database: string): NeonMaskingRule[] {
  return rules.map((rule) => ({
    database_name: rule.databaseName ?? database,
    schema_name: rule.schemaName,
    table_name: rule.tableName,
    column_name: rule.columnName,
    ...(rule.maskingFunction === undefined ? {} : { masking_function: rule.maskingFunction }),
    ...(rule.maskingValue === undefined ? {} : { masking_value: rule.maskingValue }),
  }));
}

/**
 * Reads `masking-rules` into text: each front end resolves a path its own way (the action against
 * GITHUB_WORKSPACE, the CLI against the working directory); CONFIG_FILE gives the rules inline.
 */
export type LoadRules = (value: string) => RulesText;

/** Without a loader the value is the rules themselves (CONFIG_FILE inline rules, tests). */
const inline: LoadRules = (text) => ({ text, source: 'inline rules' });

/**
 * `anonymize` and `masking-rules`, refused before any request when they cannot mask anything: a
 * preview that should have been anonymized must never come out as a plain copy.
 */
export function anonymizeSettings(options: {
  anonymize: boolean;
  rulesValue: string | undefined;
  branchType: string;
  database: string | undefined;
  load: LoadRules | undefined;
}): { anonymize: boolean; maskingRules: MaskingRule[] | undefined } {
  const { anonymize, rulesValue, branchType, database } = options;
  if (anonymize && rulesValue === undefined) {
    throw invalid('anonymize', 'true', 'masking-rules as well: the rules name the columns to mask');
  }
  if (anonymize && branchType === 'schema-only') {
    throw invalid(
      'anonymize',
      'true',
      'false with branch-type: schema-only (a schema-only branch has no rows to mask; choose one of them)',
    );
  }
  if (rulesValue === undefined) return { anonymize, maskingRules: undefined };
  return { anonymize, maskingRules: parseMaskingRules((options.load ?? inline)(rulesValue), database) };
}
