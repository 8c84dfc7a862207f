// The story `npm run demo` tells, as a function the test suite runs too, so its claims are checked.
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runAction } from '../test/e2e/run-action.js';
import { APP_ID, EXAMPLE_PUSH_SHA, startWorld } from '../test/e2e/world.js';
import { type Person, readPeople, seedPeople, seedShows } from '../test/fakes/neon-seed.js';
import { pullRequest, pushTo } from '../test/fixtures/payloads.js';

export type Row = Record<string, string | number | boolean | null>;

/** What the demo showed, for the test to assert. */
export interface DemoFacts {
  previewRows: Row[];
  parentRows: Row[];
  /** `people` through the preview's DATABASE_URL (masked by Neon) and in production. */
  previewPeople: Person[];
  parentPeople: Person[];
  /** The Amplify variable names after the push, and after the pull request closed. */
  variablesAfterPush: string[];
  variablesAfterClose: string[];
  jobs: string[];
  previewExistsAfterClose: boolean;
  /** The pull request's comments (passwords masked) after the push, and after it closed. */
  commentsAfterPush: string[];
  commentsAfterClose: string[];
  /** Every `::warning::` the action printed, both runs. */
  warnings: string[];
  exitCodes: (number | null)[];
}

const BRANCH = 'feature/seasons';
const MIGRATION = fileURLToPath(new URL('../examples/demo/migrate.mjs', import.meta.url));
const MASKING_RULES = fileURLToPath(new URL('../examples/demo/masking-rules.yml', import.meta.url));

async function rows(url: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>('SELECT * FROM shows ORDER BY id')).rows.map((row) => ({
      ...row,
      rating: Number(row.rating),
    }));
  } finally {
    await client.end();
  }
}

async function insert(url: string, title: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client
    .query('INSERT INTO shows (title, rating) VALUES ($1, 7.9)', [title])
    .finally(() => client.end());
}

function table(title: string, data: Row[]): string[] {
  const columns = [...new Set(data.flatMap((row) => Object.keys(row)))];
  return [
    title,
    `    ${columns.join(' | ')}`,
    ...data.map((row) => `    ${columns.map((c) => String(row[c] ?? '—')).join(' | ')}`),
  ];
}

/** Runs the whole story; `print` gets every line a person reads. */
export async function runDemo(print: (line: string) => void): Promise<DemoFacts> {
  const world = await startWorld({ postgres: true });
  const exitCodes: (number | null)[] = [];
  const warnings: string[] = [];
  try {
    const parentId = world.neon.defaultBranch().id;
    await seedShows(world.neon, { branchId: parentId });
    await seedPeople(world.neon, { branchId: parentId });
    const parentUrl = world.neon.connectionUri({ branchId: parentId });
    world.amplify.addBranch(APP_ID, BRANCH, { environmentVariables: { API_URL: 'https://api.example.com' } });
    const hide = (text: string) => world.secrets().reduce((t, secret) => t.replaceAll(secret, '****'), text);
    // The pull request is open before the push, as on GitHub, so the run has one to comment on.
    const pull = world.github.addPullRequest({
      head: BRANCH,
      headSha: EXAMPLE_PUSH_SHA,
      title: 'Add seasons',
    });
    const comments = (title: string): string[] => {
      const bodies = world.github.comments(pull.number).map((comment) => hide(comment.body));
      print(`\n=== ${title}`);
      for (const line of bodies.join('\n---\n').split('\n')) print(`  > ${line}`);
      return bodies;
    };
    const act = async (title: string, event: { name: string; payload: unknown }) => {
      print(`\n=== ${title}`);
      const inputs = {
        ...world.inputs,
        // The workspace is a fresh folder, as on a runner: the script is named by its full path.
        'migrate-command': `node ${JSON.stringify(MIGRATION)}`,
        'unpooled-env-var-name': 'DATABASE_URL_UNPOOLED',
        // Production's people reach the preview with fake e-mail addresses only.
        anonymize: 'true',
        'masking-rules': MASKING_RULES,
      };
      const run = await runAction({ event, inputs, env: world.awsEnv });
      for (const line of run.stdout.split('\n')) {
        if (line !== '' && !line.startsWith('::add-mask::') && !line.startsWith('::debug::')) {
          print(`  | ${hide(line)}`);
        }
        if (line.startsWith('::warning')) warnings.push(hide(line));
      }
      if (run.stderr) print(hide(run.stderr));
      exitCodes.push(run.exitCode);
      return run;
    };

    const pushed = await act(`A push to ${BRANCH} (a real push payload from @octokit/webhooks-examples)`, {
      name: 'push',
      payload: pushTo(BRANCH),
    });
    if (pushed.exitCode !== 0)
      throw new Error(`The action failed on the push (exit code ${pushed.exitCode})`);
    const amplifyBranch = world.amplify.branch(APP_ID, BRANCH);
    const variables = amplifyBranch?.environmentVariables ?? {};
    const previewUrl = variables.DATABASE_URL ?? '';
    // The app's first write, through the very URL the build received.
    await insert(previewUrl, 'Made in the preview');
    const previewRows = await rows(previewUrl);
    const parentRows = await rows(parentUrl);
    print('\n=== What each database holds now');
    for (const line of table('  The preview (through the DATABASE_URL written to Amplify):', previewRows))
      print(line);
    for (const line of table('  Its parent, production (untouched: no new column, no new row):', parentRows))
      print(line);
    const previewPeople = await readPeople(previewUrl);
    const parentPeople = await readPeople(parentUrl);
    print('\n=== People: production e-mail addresses, and what the preview holds (anonymize)');
    for (const [index, person] of parentPeople.entries()) {
      print(
        `    ${person.firstName} ${person.lastName} | ${person.email} | ${previewPeople[index]?.email ?? '—'}`,
      );
    }
    print(`\n  Amplify '${BRANCH}' variables: ${hide(JSON.stringify(variables))}`);
    const jobs = amplifyBranch?.jobs.map((job) => `${job.jobId} ${job.jobType} ${job.status}`) ?? [];
    print(`  Amplify jobs: ${jobs.join(', ') || 'none'} (started only after the variables were written)`);
    const commentsAfterPush = comments(`The comment on pull request #${pull.number} (GitHub stand-in)`);

    pull.state = 'closed';
    const closed = pullRequest('closed', BRANCH);
    closed.pull_request.number = pull.number;
    await act(`The pull request from ${BRANCH} is closed`, { name: 'pull_request', payload: closed });
    const after = world.amplify.branch(APP_ID, BRANCH)?.environmentVariables ?? {};
    const previewExistsAfterClose = world.neon.branchByName(`preview/${BRANCH}`) !== undefined;
    print(`\n  Neon branches now: ${world.neon.state.branches.map((b) => b.name).join(', ')}`);
    print(`  Amplify '${BRANCH}' variables now: ${JSON.stringify(Object.keys(after))}`);
    const commentsAfterClose = comments(`The same comment, edited`);
    return {
      previewRows,
      parentRows,
      previewPeople,
      parentPeople,
      variablesAfterPush: Object.keys(variables).sort(),
      variablesAfterClose: Object.keys(after).sort(),
      jobs,
      previewExistsAfterClose,
      commentsAfterPush,
      commentsAfterClose,
      warnings,
      exitCodes,
    };
  } finally {
    await world.close();
  }
}
