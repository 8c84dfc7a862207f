// What real databases cost the Neon stand-in (`startNeonStandIn({ postgres: true })`): starting it,
// the first time in a process (initdb) and again; creating a branch (the HTTP answer waits for the
// CREATE DATABASE ... TEMPLATE copy); restoring one; stopping it.
//
//   npx tsx bench/neon-postgres/run.ts
//
// BENCH_ROWS (rows in the parent's `shows`, default 100,000) and BENCH_BRANCHES (default 5) change the
// load. Each line is one measurement in milliseconds; medians are printed where there are several.
import pg from 'pg';
import { type SeededNeon, startSeededNeon } from '../../test/fakes/neon-seed.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const BRANCHES = Number(process.env.BENCH_BRANCHES ?? 5);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const ms = (value: number) => `${Math.round(value)} ms`;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

async function post(neon: SeededNeon, path: string, body: unknown): Promise<number> {
  const { standIn } = neon;
  const [response, elapsed] = await timed(() =>
    fetch(`${standIn.url}/projects/${standIn.projectId}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${standIn.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
  return elapsed;
}

console.log(`node ${process.version}, ${ROWS} rows in the parent, ${BRANCHES} branches`);

const starts: number[] = [];
for (let round = 0; round < 4; round += 1) {
  const [neon, elapsed] = await timed(() => startSeededNeon({ operationDurationMs: 0, operationSteps: 0 }));
  const { timings } = neon.standIn.postgres ?? { timings: { initdbMs: 0, copyMs: 0, startMs: 0 } };
  console.log(
    `start ${round + 1}: ${ms(elapsed)} in all (initdb ${ms(timings.initdbMs)}, copy of its output ` +
      `${ms(timings.copyMs)}, server start ${ms(timings.startMs)}, the rest: spec, front, seeding)`,
  );
  if (round > 0) starts.push(elapsed);
  if (round < 3) {
    const [, stopMs] = await timed(() => neon.stop());
    console.log(`stop ${round + 1}: ${ms(stopMs)}`);
    continue;
  }

  const client = new pg.Client({ connectionString: neon.url });
  await client.connect();
  await client.query(
    `INSERT INTO shows (title, rating) SELECT 'show ' || g, (g % 100) / 10.0 FROM generate_series(1, $1::int) g`,
    [ROWS],
  );
  const size = await client.query<{ size: string }>(
    'SELECT pg_size_pretty(pg_database_size(current_database())) AS size',
  );
  await client.end();
  console.log(`parent database: ${size.rows[0]?.size}`);

  const copies: number[] = [];
  for (let index = 0; index < BRANCHES; index += 1) {
    copies.push(
      await post(neon, '/branches', {
        branch: { name: `preview/bench-${index}`, parent_id: neon.parentId },
        endpoints: [{ type: 'read_write' }],
      }),
    );
  }
  console.log(
    `create branch (POST, copy included): ${copies.map(ms).join(', ')}; median ${ms(median(copies))}`,
  );
  const schemaOnly = await post(neon, '/branches', {
    branch: { name: 'preview/bench-schema', parent_id: neon.parentId, init_source: 'schema-only' },
    endpoints: [{ type: 'read_write' }],
  });
  console.log(`create schema-only branch: ${ms(schemaOnly)}`);
  const preview = neon.standIn.branchByName('preview/bench-0');
  if (!preview) throw new Error('the first branch is missing');
  const restore = await post(neon, `/branches/${preview.id}/restore`, { source_branch_id: neon.parentId });
  console.log(`restore a branch from its parent: ${ms(restore)}`);
  const [, stopMs] = await timed(() => neon.stop());
  console.log(`stop with ${BRANCHES + 2} branches: ${ms(stopMs)}`);
}
console.log(`start once initdb is done (median of ${starts.length}): ${ms(median(starts))}`);
