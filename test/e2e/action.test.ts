import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteOf, payload, pullRequest, pushTo, tagPush, workflowDispatch } from '../fixtures/payloads.js';
import { type ActionRun, runAction } from './run-action.js';
import { APP_ID, startWorld, type World } from './world.js';

let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  expect(world.neon.violations).toEqual([]);
  await world.close();
});

function run(
  event: { name: string; payload: unknown },
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
) {
  return runAction({ event, inputs: { ...world.inputs, ...inputs }, env: { ...world.awsEnv, ...env } });
}

/** stdout and stderr without the runner's `::add-mask::` commands, which carry secrets by design. */
function printed(result: ActionRun): string {
  return `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

function expectNoSecrets(result: ActionRun, extra: string[] = []) {
  const leaks = [...world.secrets(), ...extra].filter(
    (secret) =>
      printed(result).includes(secret) ||
      result.summary.includes(secret) ||
      result.githubEnv.includes(secret),
  );
  expect(leaks).toEqual([]);
}

describe('push to a branch (deploy)', () => {
  it('creates the Neon branch, merges DATABASE_URL into the Amplify variables, then starts the job', async () => {
    world.amplify.addBranch(APP_ID, 'feature/login', {
      environmentVariables: { API_URL: 'https://api.example.com', SECRET_FLAG: 'on' },
    });
    const result = await run({ name: 'push', payload: pushTo('feature/login') });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);

    const branch = world.neon.branchByName('preview/feature/login');
    expect(branch).toBeDefined();
    expect(branch?.parent_id).toBe(world.neon.defaultBranch().id);
    const password = world.neon.passwordOf(branch?.id ?? '', 'neondb_owner') ?? 'missing';
    const variables = world.amplify.branch(APP_ID, 'feature/login')?.environmentVariables ?? {};
    expect(variables.API_URL).toBe('https://api.example.com');
    expect(variables.SECRET_FLAG).toBe('on');
    expect(variables.DATABASE_URL).toMatch(
      new RegExp(
        `^postgresql://neondb_owner:${password}@ep-[a-z0-9-]+-pooler\\.us-east-2\\.aws\\.neon\\.tech/neondb\\?sslmode=require$`,
      ),
    );

    // The variable is written before the job starts, and the job is the last thing done.
    const operations = world.amplify.requests.map((r) => r.operation);
    expect(operations.indexOf('UpdateBranch')).toBeGreaterThan(-1);
    expect(operations.indexOf('StartJob')).toBeGreaterThan(operations.indexOf('UpdateBranch'));
    const job = world.amplify.branch(APP_ID, 'feature/login')?.jobs.at(-1);

    expect(result.outputs).toEqual({
      'neon-branch-id': branch?.id,
      'neon-branch-name': 'preview/feature/login',
      created: 'true',
      'database-url': variables.DATABASE_URL,
      // Only with unpooled-env-var-name.
      'database-url-unpooled': '',
      'database-host': new URL(variables.DATABASE_URL ?? 'x:').hostname,
      'amplify-branch': 'feature/login',
      'amplify-job-id': job?.jobId,
      'preview-url': `https://feature-login.${APP_ID}.amplifyapp.com`,
      deleted: 'false',
      // Only with expires-in.
      'expires-at': '',
      'amplify-job-status': 'PENDING',
      // No pull request has the branch as its head: no comment. The stand-in keeps no schemas.
      'comment-url': '',
      'deployment-id': String(world.github.deployments('preview/feature/login')[0]?.id),
      'schema-diff': '',
      anonymized: 'false',
    });
    // Masked before anything else was printed: the add-mask commands come first.
    expect(result.stdout).toContain(`::add-mask::${variables.DATABASE_URL}`);
    expect(result.stdout).toContain(`::add-mask::${password}`);
    expect(result.stdout).toContain(`::add-mask::${world.neon.apiKey}`);
    expectNoSecrets(result, [variables.DATABASE_URL ?? '']);
    expect(result.summary).toContain('preview/feature/login');
    expect(result.summary).toContain(new URL(variables.DATABASE_URL ?? 'x:').hostname);
  });

  it('reuses the branch on the next push and writes nothing when the value is right', async () => {
    await run({ name: 'push', payload: pushTo('feature/login') });
    const creates = world.neon.requestsTo('POST', /\/branches$/).length;
    const writes =
      world.amplify.requestsFor('UpdateBranch').length + world.amplify.requestsFor('CreateBranch').length;
    const again = await run(
      { name: 'push', payload: pushTo('feature/login', false, { later: true }) },
      { 'on-running-job': 'skip' },
    );
    expect(again.exitCode).toBe(0);
    expect(again.outputs.created).toBe('false');
    expect(world.neon.requestsTo('POST', /\/branches$/)).toHaveLength(creates);
    expect(
      world.amplify.requestsFor('UpdateBranch').length + world.amplify.requestsFor('CreateBranch').length,
    ).toBe(writes);
  });

  it("a project whose database is not Neon's default: the re-push's early read on neondb is dropped quietly", async () => {
    await world.close();
    world = await startWorld({ databaseName: 'shop', ownerName: 'shop_owner' });
    await run({ name: 'push', payload: pushTo('feature/shop') });
    const again = await run(
      { name: 'push', payload: pushTo('feature/shop', false, { later: true }) },
      { 'on-running-job': 'skip' },
    );
    expect(again.exitCode).toBe(0);
    expect(again.outputs.created).toBe('false');
    // The early reads were sent on neondb/neondb_owner and Neon answered 404 ...
    const uriReads = world.neon.requestsTo('GET', /\/connection_uri$/);
    expect(uriReads.some((r) => r.query.database_name === 'neondb' && r.status === 404)).toBe(true);
    // ... which neither fails the run nor shows in its log, and the URL handed out is the shop one.
    // (As whole words: a random request id may contain the digits 404.)
    expect(printed(again)).not.toMatch(/\b404\b|neondb/);
    const branch = world.neon.branchByName('preview/feature/shop');
    const url = world.amplify.branch(APP_ID, 'feature/shop')?.environmentVariables.DATABASE_URL;
    expect(url).toBe(
      world.neon.connectionUri({
        branchId: branch?.id ?? '',
        databaseName: 'shop',
        roleName: 'shop_owner',
        pooled: true,
      }),
    );
    expect(again.outputs['database-url']).toBe(url);
  });

  it('creates a missing Amplify branch with auto-build off', async () => {
    const result = await run({ name: 'push', payload: pushTo('feat/new') });
    expect(result.exitCode).toBe(0);
    const branch = world.amplify.branch(APP_ID, 'feat/new');
    expect(branch?.enableAutoBuild).toBe(false);
    expect(Object.keys(branch?.environmentVariables ?? {})).toEqual(['DATABASE_URL']);
  });

  it('replaces a running job: stops it after the write, then starts a new one', async () => {
    world.amplify.addBranch(APP_ID, 'feat/busy');
    const running = world.amplify.addJob(APP_ID, 'feat/busy', { status: 'RUNNING' });
    const result = await run({ name: 'push', payload: pushTo('feat/busy') });
    expect(result.exitCode).toBe(0);
    const sequence = world.amplify.requests
      .map((r) => r.operation)
      .filter((op) => ['UpdateBranch', 'StartJob', 'StopJob'].includes(String(op)));
    expect(sequence[0]).toBe('UpdateBranch');
    expect(sequence.indexOf('StopJob')).toBeGreaterThan(0);
    expect(sequence.at(-1)).toBe('StartJob');
    expect(world.amplify.job(APP_ID, 'feat/busy', running.jobId)?.status).toMatch(/CANCEL/);
    expect(result.outputs['amplify-job-id']).not.toBe(running.jobId);
    expect(result.outputs['amplify-job-id']).not.toBe('');
  });

  it("gives a primary branch the parent's connection string and creates no Neon branch", async () => {
    const push = payload('push', (x) => x.ref === 'refs/heads/master' && x.deleted === false);
    const result = await run({ name: 'push', payload: push });
    expect(result.exitCode).toBe(0);
    expect(world.neon.requestsTo('POST', /\/branches$/)).toEqual([]);
    expect(result.outputs).toMatchObject({
      'neon-branch-name': 'main',
      'neon-branch-id': world.neon.defaultBranch().id,
      created: 'false',
      'amplify-branch': 'master',
    });
  });

  it('survives a Neon 503 and a dropped connection on create (retried)', async () => {
    world.neon.injectFault({ method: 'POST', path: /\/branches$/, fault: { kind: 'respond', status: 503 } });
    world.neon.injectFault({ method: 'POST', path: /\/branches$/, fault: { kind: 'drop' } });
    const result = await run({ name: 'push', payload: pushTo('feat/flaky') });
    expect(result.exitCode).toBe(0);
    expect(world.neon.branchByName('preview/feat/flaky')).toBeDefined();
    expect(world.neon.requestsTo('POST', /\/branches$/).length).toBe(3);
  });

  it('dry-run sends only reads', async () => {
    world.amplify.addBranch(APP_ID, 'feat/dry');
    const result = await run({ name: 'push', payload: pushTo('feat/dry') }, { 'dry-run': 'true' });
    expect(result.exitCode).toBe(0);
    expect(world.mutations()).toEqual([]);
    expect(result.outputs['neon-branch-name']).toBe('preview/feat/dry');
    expect(result.stdout).toContain('Dry run');
  });
});

describe('cleanup', () => {
  it('deletes exactly preview/<branch> when the pull request closes, and removes only DATABASE_URL from the kept Amplify branch', async () => {
    const doomed = world.neon.addBranch({ name: 'preview/feat/pr' });
    const sibling = world.neon.addBranch({ name: 'preview/feat/pr-2' });
    world.amplify.addBranch(APP_ID, 'feat/pr', {
      environmentVariables: { DATABASE_URL: 'postgresql://u:p@gone/db', API_URL: 'https://api' },
    });
    const result = await run({ name: 'pull_request', payload: pullRequest('closed', 'feat/pr') });
    expect(result.exitCode).toBe(0);
    expect(world.neon.branchById(doomed.id)).toBeUndefined();
    expect(world.neon.branchById(sibling.id)).toBeDefined();
    // One read-merge-write: nothing points at the deleted database, every other variable stays.
    expect(world.amplify.requests.map((r) => r.operation)).toEqual(['GetBranch', 'UpdateBranch']);
    expect(world.amplify.branch(APP_ID, 'feat/pr')?.environmentVariables).toEqual({ API_URL: 'https://api' });
    expect(result.stdout).toContain('Removed DATABASE_URL from Amplify branch');
    expect(result.outputs).toMatchObject({
      deleted: 'true',
      'neon-branch-id': doomed.id,
      'neon-branch-name': 'preview/feat/pr',
    });
  });

  it('cleans up on the delete event and on a push with deleted: true; already gone is success', async () => {
    const a = world.neon.addBranch({ name: 'preview/fix/a' });
    const viaDelete = await run({ name: 'delete', payload: deleteOf('fix/a') });
    expect(viaDelete.exitCode).toBe(0);
    expect(world.neon.branchById(a.id)).toBeUndefined();
    const b = world.neon.addBranch({ name: 'preview/fix/b' });
    const viaPush = await run({ name: 'push', payload: pushTo('fix/b', true) });
    expect(viaPush.outputs.deleted).toBe('true');
    expect(world.neon.branchById(b.id)).toBeUndefined();
    const gone = await run({ name: 'push', payload: pushTo('fix/b', true) });
    expect(gone.exitCode).toBe(0);
    expect(gone.outputs.deleted).toBe('false');
  });

  it("never deletes for a fork's pull request", async () => {
    const ours = world.neon.addBranch({ name: 'preview/feat/pr' });
    const result = await run({ name: 'pull_request', payload: pullRequest('closed', 'feat/pr', true) });
    expect(result.exitCode).toBe(0);
    expect(world.neon.branchById(ours.id)).toBeDefined();
    expect(world.neon.requests).toEqual([]);
    expect(result.stdout).toMatch(/::notice::.*fork/);
    expect(result.outputs.deleted).toBe('false');
  });

  it('with delete-amplify-branch also deletes the Amplify branch', async () => {
    world.neon.addBranch({ name: 'preview/feat/both' });
    world.amplify.addBranch(APP_ID, 'feat/both');
    const result = await run(
      { name: 'delete', payload: deleteOf('feat/both') },
      { 'delete-amplify-branch': 'true' },
    );
    expect(result.exitCode).toBe(0);
    expect(world.amplify.branch(APP_ID, 'feat/both')).toBeUndefined();
  });

  it('a cleanup without an AWS region fails before any request: it must clear the Amplify variable', async () => {
    const kept = world.neon.addBranch({ name: 'preview/feat/noregion' });
    const before = world.neon.requests.length;
    const result = await run({ name: 'delete', payload: deleteOf('feat/noregion') }, {}, { AWS_REGION: '' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('No AWS region');
    expect(world.neon.requests.length).toBe(before);
    expect(world.neon.branchById(kept.id)).toBeDefined();
  });
});

describe('reconcile', () => {
  it('deletes prefixed Neon branches with no Amplify branch of exactly that name, nothing else', async () => {
    world.amplify.addBranch(APP_ID, 'feat-2');
    const orphan = world.neon.addBranch({ name: 'preview/feat' });
    const kept = world.neon.addBranch({ name: 'preview/feat-2' });
    const outside = world.neon.addBranch({ name: 'other/feat' });
    const guarded = world.neon.addBranch({ name: 'preview/guarded', protected: true });
    const result = await run(
      { name: 'workflow_dispatch', payload: workflowDispatch() },
      { command: 'reconcile' },
    );
    expect(result.exitCode).toBe(0);
    expect(world.neon.branchById(orphan.id)).toBeUndefined();
    for (const branch of [kept, outside, guarded]) expect(world.neon.branchById(branch.id)).toBeDefined();
    expect(result.summary).toContain('preview/feat');
  });

  it('refuses an empty prefix before any request', async () => {
    const result = await run(
      { name: 'workflow_dispatch', payload: workflowDispatch() },
      { command: 'reconcile', 'branch-prefix': '' },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/::error::.*branch-prefix.*reconcile refuses/);
    expect(world.neon.requests).toEqual([]);
  });
});

describe('list', () => {
  it('writes one row per preview to the job summary, changes nothing and prints no secret', async () => {
    const deployed = await run({ name: 'push', payload: pushTo('feature/login') });
    expect(deployed.exitCode).toBe(0);
    const branch = world.neon.branchByName('preview/feature/login');
    const job = world.amplify.branch(APP_ID, 'feature/login')?.jobs.at(-1);
    world.amplify.setJobStatus(APP_ID, 'feature/login', job?.jobId ?? '', 'SUCCEED');
    const orphan = world.neon.addBranch({ name: 'preview/old' });
    const writes = () => world.neon.requests.filter((r) => r.method !== 'GET').length;
    const before = writes();
    const result = await run({ name: 'workflow_dispatch', payload: workflowDispatch() }, { command: 'list' });
    expect(result.exitCode).toBe(0);
    expect(writes()).toBe(before);
    const rows = result.summary.split('\n').filter((line) => line.startsWith('| ') && line.includes('(br-'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(`preview/feature/login (${branch?.id})`);
    expect(rows[0]).toContain(`${job?.jobId} SUCCEED`);
    expect(rows[0]).toContain(branch?.created_at);
    expect(rows[1]).toContain(`preview/old (${orphan.id})`);
    expectNoSecrets(result, [world.neon.passwordOf(branch?.id ?? '', 'neondb_owner') ?? 'missing']);
  });
});

describe('nothing to do, and bad input', () => {
  it('a tag push does nothing and says so', async () => {
    const result = await run({ name: 'push', payload: tagPush() });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/::notice::Nothing to do: a tag push/);
    expect(world.neon.requests).toEqual([]);
    expect(world.amplify.requests).toEqual([]);
    expect(result.outputs.deleted).toBe('false');
    expect(result.outputs['neon-branch-name']).toBe('');
  });

  it.each([
    [{ pooled: 'ture' }, "Invalid pooled 'ture': expected true or false"],
    [{ 'neon-api-key': '' }, 'Input required and not supplied: neon-api-key'],
    [{ 'amplify-app-id': 'my-app' }, "Invalid amplify-app-id 'my-app'"],
    [{ 'on-running-job': 'kill' }, "Invalid on-running-job 'kill'"],
  ])('fails on %j with ::error:: naming it, before any request', async (inputs, message) => {
    const result = await run({ name: 'push', payload: pushTo('feat/x') }, inputs);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(`::error::${message}`);
    expect(world.neon.requests).toEqual([]);
    expect(world.amplify.requests).toEqual([]);
  });

  it('no region for a deploy is a clear error before any request', async () => {
    const result = await run({ name: 'push', payload: pushTo('feat/x') }, {}, { AWS_REGION: '' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/::error::No AWS region/);
    expect(world.neon.requests).toEqual([]);
  });

  it('a wrong Neon API key fails naming neon-api-key, leaves Amplify untouched and prints no key', async () => {
    const result = await run(
      { name: 'push', payload: pushTo('feat/x') },
      { 'neon-api-key': 'napi_wrongwrongwrong' },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/::error::.*401.*neon-api-key/);
    expect(world.mutations()).toEqual([]);
    expect(printed(result)).not.toContain('napi_wrongwrongwrong');
  });

  it('a full branch quota fails with the reason and how to free it, Amplify untouched', async () => {
    world.neon.setBranchLimit(1);
    world.amplify.addBranch(APP_ID, 'feat/x', { environmentVariables: { KEEP: '1' } });
    const result = await run({ name: 'push', payload: pushTo('feat/x') });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /::error::Creating Neon branch 'preview\/feat\/x' failed: 422 BRANCHES_LIMIT_EXCEEDED.*reconcile/,
    );
    expect(world.amplify.requestsFor('UpdateBranch')).toEqual([]);
    expect(world.amplify.branch(APP_ID, 'feat/x')?.environmentVariables).toEqual({ KEEP: '1' });
  });
});
