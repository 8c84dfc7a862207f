/**
 * The built CLI (dist/cli/index.js, rebuilt once before the suite so it is never stale) run as a child
 * process the way a shell runs it: inside an Amplify build (AWS_APP_ID, AWS_BRANCH, AWS_REGION and the
 * build role's credentials in the environment) and outside one, against the Neon, Amplify and SSM
 * stand-ins. Every assertion reads the stand-ins' state and request logs, the files on disk and the
 * exit code; nothing is checked against a value the CLI printed itself.
 */

import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  APP_ID,
  amplify,
  baseEnv,
  buildEnv,
  CLI,
  cwd,
  expectUrlOfBranch,
  KEY_PARAMETER,
  neon,
  run,
  secretsOf,
  ssm,
  useCliStandIns,
  useNode,
} from './cli-harness.js';
import { supportedNodes } from './supported-nodes.js';

useCliStandIns();

/**
 * Every supported Node.js runs what leans on the runtime: the bundle's requests to Neon, Amplify
 * and SSM, the dotenv file, the bin, migrate-command. Argument parsing and the checks of the
 * --write-env target run on Node 24 only, in cli-usage.test.ts: they are the bundle's own code over
 * `fs`, the same on both, and Node 22 still runs the bundle's start, --version and --help in
 * package.test.ts.
 */
describe.each(supportedNodes())('on $name', ({ bin }) => {
  useNode(bin);

  describe('inside an Amplify build', () => {
    it('replaces neon-ci.sh create-branch with its own option names: a branch, one DATABASE_URL line, Amplify untouched', async () => {
      const dotenv = [
        '# Written by hand: keep me',
        'NEXT_PUBLIC_SITE=https://example.com',
        'export DATABASE_URL=postgresql://old:old@old.example/old',
        '',
        "SESSION_SECRET='s3cr=t # not a comment'",
        '# DATABASE_URL=postgresql://commented-out/stays',
        'DATABASE_URL="postgresql://duplicate@old.example/dup"',
        'TAIL=1',
        '',
      ].join('\n');
      await writeFile(join(cwd, '.env'), dotenv, { mode: 0o640 });
      await chmod(join(cwd, '.env'), 0o640);

      const result = await run(
        [
          'create-branch',
          '--app-id',
          APP_ID,
          '--neon-project-id',
          neon.projectId,
          '--branch-name',
          'feat/login',
          '--parent-branch',
          'main',
          '--api-key-param',
          KEY_PARAMETER,
          '--role-name',
          'neondb_owner',
          '--database-name',
          'neondb',
          '--suspend-timeout',
          '300',
          '--branch-prefix',
          `${APP_ID}-`,
          '--write-env',
          '.env',
        ],
        buildEnv('feat/login'),
      );

      expect(result.stderr).not.toContain('error:');
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('');

      const name = `${APP_ID}-feat/login`;
      const created = neon.branchByName(name);
      expect(created?.parent_id).toBe(neon.defaultBranch().id);
      expect(neon.requestsTo('POST', `/projects/${neon.projectId}/branches`)).toHaveLength(1);
      const endpoint = neon.state.endpoints.find((e) => e.branch_id === created?.id);
      expect(endpoint?.suspend_timeout_seconds).toBe(300);
      expect(neon.requests.every((request) => request.authorized)).toBe(true);

      const written = await readFile(join(cwd, '.env'), 'utf8');
      const lines = written.split('\n');
      expect(lines.filter((line) => /^\s*(export\s+)?DATABASE_URL=/.test(line))).toHaveLength(1);
      expect(lines[2]).toMatch(/^export DATABASE_URL="/);
      // Every other line is byte for byte what it was, in its place.
      expect(lines.filter((line) => !/^\s*(export\s+)?DATABASE_URL=/.test(line))).toEqual(
        dotenv.split('\n').filter((line) => !/^\s*(export\s+)?DATABASE_URL=/.test(line)),
      );
      expectUrlOfBranch(parseEnv(written).DATABASE_URL, name, { pooled: true });
      expect((await stat(join(cwd, '.env'))).mode & 0o777).toBe(0o640);
      expect((await readdir(cwd)).sort()).toEqual(['.env']);

      // Inside the build nothing is asked of Amplify: no variables, no job (that would build again).
      expect(amplify.requests).toEqual([]);
      expect(ssm.requests).toHaveLength(1);
      expect(ssm.requests[0]).toMatchObject({ name: KEY_PARAMETER, withDecryption: true, status: 200 });

      for (const secret of secretsOf(name)) expect(result.stderr).not.toContain(secret);
      expect(result.stderr).not.toContain('postgresql://');
    });

    it('deploy from the environment alone creates the dotenv file 0600, then reuses the branch on the next build', async () => {
      const env = { ...buildEnv('feature/cart'), NEON_API_KEY_SSM_PARAMETER: KEY_PARAMETER };
      const first = await run(['deploy', '--write-env', '.env.production', '--output', 'json'], env);
      expect(first.stderr).not.toContain('error:');
      expect(first.code).toBe(0);

      const file = join(cwd, '.env.production');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const firstText = await readFile(file, 'utf8');
      expect(Object.keys(parseEnv(firstText))).toEqual(['DATABASE_URL']);
      expectUrlOfBranch(parseEnv(firstText).DATABASE_URL, 'preview/feature/cart', { pooled: true });

      const json = JSON.parse(first.stdout);
      expect(json).toMatchObject({
        ok: true,
        command: 'deploy',
        plan: 'deploy',
        outputs: { 'neon-branch-name': 'preview/feature/cart', created: 'true', 'amplify-job-id': '' },
      });
      expect(json.outputs['neon-branch-id']).toBe(neon.branchByName('preview/feature/cart')?.id);
      // No connection string on stdout unless asked for: stdout of a build is its log.
      expect(json.outputs).not.toHaveProperty('database-url');
      for (const secret of secretsOf('preview/feature/cart')) {
        expect(first.stdout + first.stderr).not.toContain(secret);
      }

      const second = await run(['deploy', '--write-env', '.env.production', '--output', 'json'], env);
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout).outputs.created).toBe('false');
      expect(neon.requestsTo('POST', `/projects/${neon.projectId}/branches`)).toHaveLength(1);
      expect(await readFile(file, 'utf8')).toBe(firstText);
      expect(amplify.requests).toEqual([]);
    });

    it('--dry-run reads only: no branch, no file', async () => {
      const result = await run(['deploy', '--write-env', '.env', '--dry-run', '--output', 'json'], {
        ...buildEnv('feat'),
        NEON_API_KEY: neon.apiKey,
      });
      expect(result.code).toBe(0);
      expect(neon.branchByName('preview/feat')).toBeUndefined();
      expect(neon.requests.filter((request) => request.method !== 'GET')).toEqual([]);
      expect(await readdir(cwd)).toEqual([]);
      expect(JSON.parse(result.stdout)).toMatchObject({
        ok: true,
        dryRun: true,
        outputs: { created: 'false' },
      });
    });

    it('the primary branch gets the parent database, and cleanup of it deletes nothing', async () => {
      const env = { ...buildEnv('main'), NEON_API_KEY: neon.apiKey };
      const deploy = await run(['deploy', '--write-env', '.env', '--no-pooled'], env);
      expect(deploy.code).toBe(0);
      expect(neon.requestsTo('POST', `/projects/${neon.projectId}/branches`)).toHaveLength(0);
      expectUrlOfBranch(parseEnv(await readFile(join(cwd, '.env'), 'utf8')).DATABASE_URL, 'main', {
        pooled: false,
      });

      const branches = neon.state.branches.length;
      const cleanup = await run(['cleanup'], env);
      expect(cleanup.code).toBe(0);
      expect(neon.state.branches).toHaveLength(branches);
      expect(neon.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
    });

    it('cleanup deletes exactly preview/<AWS_BRANCH>, not the branch whose name only starts the same', async () => {
      neon.addBranch({ name: 'preview/feat' });
      neon.addBranch({ name: 'preview/feat-2' });
      const result = await run(['cleanup', '--output', 'json'], {
        ...buildEnv('feat'),
        NEON_API_KEY: neon.apiKey,
      });
      expect(result.code).toBe(0);
      expect(neon.branchByName('preview/feat')).toBeUndefined();
      expect(neon.branchByName('preview/feat-2')).toBeDefined();
      expect(JSON.parse(result.stdout).outputs.deleted).toBe('true');
      // The build's Amplify branch has no DATABASE_URL to remove: read, nothing written.
      expect(amplify.requests.map((r) => r.operation)).toEqual(['GetBranch', 'GetApp']);

      // Gone already: still success, and nothing else is touched.
      const again = await run(['cleanup', '--git-branch', 'feat'], {
        ...buildEnv('other'),
        NEON_API_KEY: neon.apiKey,
      });
      expect(again.code).toBe(0);
      expect(neon.branchByName('preview/feat-2')).toBeDefined();
    });
  });

  describe('outside an Amplify build', () => {
    it('deploy behaves like the action: merges the variable into Amplify and starts a job', async () => {
      amplify.addBranch(APP_ID, 'feat/x', { environmentVariables: { KEEP_ME: 'yes' } });
      const result = await run(
        [
          'deploy',
          '--amplify-app-id',
          APP_ID,
          '--git-branch=feat/x',
          '--output=json',
          '--include-database-url',
          '--write-env=.env',
        ],
        { ...baseEnv(), NEON_API_KEY: neon.apiKey },
      );
      expect(result.stderr).not.toContain('error:');
      expect(result.code).toBe(0);

      const branch = amplify.branch(APP_ID, 'feat/x');
      expect(branch?.environmentVariables.KEEP_ME).toBe('yes');
      const url = branch?.environmentVariables.DATABASE_URL;
      expectUrlOfBranch(url, 'preview/feat/x', { pooled: true });
      expect(branch?.jobs).toHaveLength(1);
      expect(branch?.jobs[0]?.jobType).toBe('RELEASE');

      // Asked for explicitly, the JSON carries the same URL Amplify holds; stderr never does.
      const json = JSON.parse(result.stdout);
      expect(json.outputs['database-url']).toBe(url);
      expect(json.outputs['amplify-job-id']).toBe(branch?.jobs[0]?.jobId);
      expect(parseEnv(await readFile(join(cwd, '.env'), 'utf8')).DATABASE_URL).toBe(url);
      for (const secret of secretsOf('preview/feat/x')) expect(result.stderr).not.toContain(secret);
      expect(amplify.requestsFor('StartJob')).toHaveLength(1);
    });

    it('reconcile (neon-ci.sh cleanup-branches) compares names exactly, never by substring', async () => {
      const prefix = `${APP_ID}-`;
      for (const name of ['feat-2', 'release', 'team/login', 'main']) amplify.addBranch(APP_ID, name);
      const keep = [`${prefix}feat-2`, `${prefix}release`, `${prefix}team/login`, `${prefix}main`];
      // Each of these is a substring of a kept name, or contains one: substring matching keeps or
      // deletes them wrongly; exact matching deletes exactly these.
      const remove = [`${prefix}feat`, `${prefix}rel`, `${prefix}login`, `${prefix}team`];
      const untouched = ['other-feat', 'feat'];
      for (const name of [...keep, ...remove, ...untouched]) neon.addBranch({ name });
      const guarded = neon.addBranch({ name: `${prefix}guarded`, protected: true });

      const result = await run(
        [
          'cleanup-branches',
          '--app-id',
          APP_ID,
          '--neon-project-id',
          neon.projectId,
          '--api-key-param',
          KEY_PARAMETER,
          '--branch-prefix',
          prefix,
          '--output',
          'json',
        ],
        baseEnv(),
      );
      expect(result.stderr).not.toContain('error:');
      expect(result.code).toBe(0);
      for (const name of [...keep, ...untouched, guarded.name])
        expect(neon.branchByName(name), name).toBeDefined();
      for (const name of remove) expect(neon.branchByName(name), name).toBeUndefined();
      expect(neon.branchByName('main')).toBeDefined();
      const deletes = neon.requests.filter((request) => request.method === 'DELETE');
      expect(deletes).toHaveLength(remove.length);
      expect(JSON.parse(result.stdout).reconcile.deleted.sort()).toEqual([...remove].sort());
    });

    it('a reconcile Neon refuses part of fails with exit 1 after trying every deletion, and says which', async () => {
      amplify.addBranch(APP_ID, 'kept');
      const a = neon.addBranch({ name: 'preview/a' });
      neon.addBranch({ name: 'preview/b' });
      neon.addBranch({ name: 'preview/kept' });
      neon.injectFault({
        method: 'DELETE',
        path: `/projects/${neon.projectId}/branches/${a.id}`,
        fault: { kind: 'respond', status: 422, body: { code: '', message: 'branch has children' } },
      });
      const result = await run(['reconcile', '--amplify-app-id', APP_ID, '--output', 'json'], {
        ...baseEnv(),
        NEON_API_KEY: neon.apiKey,
      });
      expect(result.code).toBe(1);
      expect(neon.branchByName('preview/a')).toBeDefined();
      expect(neon.branchByName('preview/b')).toBeUndefined();
      expect(neon.branchByName('preview/kept')).toBeDefined();
      const json = JSON.parse(result.stdout);
      expect(json.ok).toBe(false);
      expect(json.reconcile.failed.map((failure: { name: string }) => failure.name)).toEqual(['preview/a']);
      expect(result.stderr).toContain('preview/a');
    });

    it('runs as a bin through its shebang', async () => {
      expect((await stat(CLI)).mode & 0o111).not.toBe(0);
      const result = await run(['reconcile', '--help'], baseEnv(), [CLI]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: neon-amplify-branch reconcile');
    });
  });

  describe('the Neon API key from SSM', () => {
    it('a missing parameter fails with exit 1 and names it, before anything is sent to Neon', async () => {
      const result = await run(
        ['deploy', '--neon-api-key-ssm-parameter', '/neon/missing', '--write-env', '.env'],
        {
          ...buildEnv('feat'),
        },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("'/neon/missing'");
      expect(result.stderr).toContain('ParameterNotFound');
      expect(ssm.requests.map((request) => request.errorType)).toEqual(['ParameterNotFound']);
      expect(neon.requests).toEqual([]);
      expect(await readdir(cwd)).toEqual([]);
    });

    it('denied access fails with exit 1 and names the parameter and the permission', async () => {
      ssm.denyParameter(KEY_PARAMETER);
      const result = await run(['deploy', '--api-key-param', KEY_PARAMETER], buildEnv('feat'));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`'${KEY_PARAMETER}'`);
      expect(result.stderr).toContain('ssm:GetParameter');
      expect(neon.requests).toEqual([]);
    });
  });

  describe('migrate-command and unpooled-env-var-name in an Amplify build', () => {
    it('runs the migration with the direct URL masked in its output, then writes both lines to the dotenv file', async () => {
      const result = await run(
        [
          'deploy',
          '--migrate-command',
          'echo "migrating $NEON_BRANCH_NAME via $DATABASE_URL"',
          '--unpooled-env-var-name',
          'DATABASE_URL_UNPOOLED',
          '--write-env',
          '.env',
        ],
        { ...buildEnv('feat/migrate'), NEON_API_KEY: neon.apiKey },
      );
      expect(result.code, result.stderr).toBe(0);
      const env = parseEnv(await readFile(join(cwd, '.env'), 'utf8'));
      expectUrlOfBranch(env.DATABASE_URL, 'preview/feat/migrate', { pooled: true });
      expectUrlOfBranch(env.DATABASE_URL_UNPOOLED, 'preview/feat/migrate', { pooled: false });
      expect(result.stderr).toContain('migrating preview/feat/migrate via ***');
      const password = decodeURIComponent(new URL(env.DATABASE_URL_UNPOOLED ?? '').password);
      expect(result.stderr).not.toContain(password);
      expect(result.stdout).not.toContain(password);
    });
  });
});
