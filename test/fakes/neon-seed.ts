import pg from 'pg';
import { type NeonStandIn, type NeonStandInOptions, startNeonStandIn } from './neon-server.js';

/**
 * The Neon stand-in with real databases and a parent branch that holds data, for the demo and the
 * end-to-end tests: `startSeededNeon()` starts it and fills the default branch's database with a
 * `shows` table; `stop()` ends every session, stops the server and removes its files.
 *
 *     const neon = await startSeededNeon();
 *     try {
 *       // ... point the product at neon.standIn.url, then read a preview's rows:
 *       await readShows(previewUrl); // [{ title: 'Severance', rating: 8.7 }, ...]
 *     } finally {
 *       await neon.stop();
 *     }
 */

export interface Show {
  title: string;
  rating: number;
}

export const SHOWS: readonly Show[] = [
  { title: 'Severance', rating: 8.7 },
  { title: 'The Bear', rating: 8.5 },
  { title: 'Slow Horses', rating: 8.3 },
];

export interface SeededNeon {
  standIn: NeonStandIn;
  /** The default branch's id: the parent of previews, holding SHOWS. */
  parentId: string;
  /** The parent's direct and pooled connection strings, as `connection_uri` gives them. */
  url: string;
  pooledUrl: string;
  stop(): Promise<void>;
}

export async function startSeededNeon(
  options: NeonStandInOptions & { shows?: readonly Show[] } = {},
): Promise<SeededNeon> {
  const { shows = SHOWS, ...standInOptions } = options;
  const standIn = await startNeonStandIn({ postgres: true, ...standInOptions });
  try {
    const parentId = standIn.defaultBranch().id;
    await seedShows(standIn, { branchId: parentId, shows });
    return {
      standIn,
      parentId,
      url: standIn.connectionUri({ branchId: parentId }),
      pooledUrl: standIn.connectionUri({ branchId: parentId, pooled: true }),
      stop: () => standIn.close(),
    };
  } catch (error) {
    await standIn.close();
    throw error;
  }
}

/**
 * Creates `shows` on the branch's first database and inserts `shows`. It connects through the front as
 * the database's owner, as an application would, so the table belongs to the role that previews get.
 */
export async function seedShows(
  standIn: NeonStandIn,
  options: { branchId?: string; shows?: readonly Show[] } = {},
): Promise<void> {
  await withClient(ownerUrl(standIn, options.branchId), async (client) => {
    await client.query(`
      CREATE TABLE shows (
        id serial PRIMARY KEY,
        title text NOT NULL UNIQUE,
        rating numeric(3, 1) NOT NULL CHECK (rating BETWEEN 0 AND 10)
      )`);
    for (const show of options.shows ?? SHOWS) {
      await client.query('INSERT INTO shows (title, rating) VALUES ($1, $2)', [show.title, show.rating]);
    }
  });
}

/** The rows of `shows` behind a connection string, in id order. */
export async function readShows(url: string): Promise<Show[]> {
  return withClient(url, async (client) => {
    const result = await client.query<{ title: string; rating: string }>(
      'SELECT title, rating FROM shows ORDER BY id',
    );
    return result.rows.map((row) => ({ title: row.title, rating: Number(row.rating) }));
  });
}

export interface Person {
  firstName: string;
  lastName: string;
  email: string;
}

/** Personal data for the anonymized previews: real-looking rows that a preview must never show. */
export const PEOPLE: readonly Person[] = [
  { firstName: 'Ada', lastName: 'Lovelace', email: 'ada.lovelace@example.org' },
  { firstName: 'Grace', lastName: 'Hopper', email: 'grace.hopper@example.org' },
  { firstName: 'Alan', lastName: 'Turing', email: 'alan.turing@example.org' },
];

/** Creates `people` on the branch's first database, as its owner, and inserts `people`. */
export async function seedPeople(
  standIn: NeonStandIn,
  options: { branchId?: string; people?: readonly Person[] } = {},
): Promise<void> {
  await withClient(ownerUrl(standIn, options.branchId), async (client) => {
    await client.query(`
      CREATE TABLE people (
        id serial PRIMARY KEY,
        first_name text NOT NULL,
        last_name text NOT NULL,
        email text NOT NULL
      )`);
    for (const person of options.people ?? PEOPLE) {
      await client.query('INSERT INTO people (first_name, last_name, email) VALUES ($1, $2, $3)', [
        person.firstName,
        person.lastName,
        person.email,
      ]);
    }
  });
}

/** The rows of `people` behind a connection string, in id order. */
export async function readPeople(url: string): Promise<Person[]> {
  return withClient(url, async (client) => {
    const result = await client.query<{ first_name: string; last_name: string; email: string }>(
      'SELECT first_name, last_name, email FROM people ORDER BY id',
    );
    return result.rows.map((row) => ({
      firstName: row.first_name,
      lastName: row.last_name,
      email: row.email,
    }));
  });
}

/** The branch's first database as its owner: how an application of the preview connects. */
function ownerUrl(standIn: NeonStandIn, branchId: string | undefined): string {
  return standIn.connectionUri(branchId === undefined ? {} : { branchId });
}

/** One connection for `use`, closed whatever it does. */
async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
