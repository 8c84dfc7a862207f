// The demo's migration, run by the action as `migrate-command` with DATABASE_URL set to the new
// branch's direct URL: one SQL file, applied once (a real project would run prisma migrate deploy or
// drizzle-kit migrate here).
import pg from 'pg';

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
try {
  await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY)');
  const name = '001_add_seasons';
  const done = await client.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name]);
  if (done.rowCount === 0) {
    await client.query('BEGIN');
    await client.query('ALTER TABLE shows ADD COLUMN seasons integer NOT NULL DEFAULT 1');
    await client.query("UPDATE shows SET seasons = 2 WHERE title = 'Severance'");
    await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
    await client.query('COMMIT');
    console.log(`Applied ${name} on ${process.env.NEON_BRANCH_NAME}`);
  } else {
    console.log(`${name} already applied on ${process.env.NEON_BRANCH_NAME}`);
  }
} finally {
  await client.end();
}
