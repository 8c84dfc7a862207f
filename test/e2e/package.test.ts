/**
 * The CLI as users get it from npm (`npx neon-amplify-branch@1 deploy` in amplify.yml): the package
 * is packed with `npm pack`, installed from the tarball alone into an empty folder with npm offline
 * (so a runtime dependency the bundle still needs, or a file missing from package.json `files`,
 * fails here), and its bin is run from there on Node 22 and 24, through its shebang as npx runs it.
 * The bundle is a folder: the bin loads chunk files (dist/cli/NNN.index.js, scripts/build.js) only
 * when a command needs them, so a deploy that reads its key from SSM runs here too, and a chunk the
 * package lacks fails it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { SSM_TEST_CREDENTIALS, type SsmStandIn, startSsmStandIn } from '../fakes/ssm-server.js';
import { runChild } from './child-process.js';
import { supportedNodes } from './supported-nodes.js';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const NODES = supportedNodes();

/** npm as `npm test` runs it (npm_execpath), else the one on PATH. */
function npm(args: string[], cwd: string): string {
  const script = process.env.npm_execpath;
  const [file, prefix] = script ? [process.execPath, [script]] : ['npm', []];
  return execFileSync(file, [...prefix, ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

let scratch: string;
let files: string[];
let installed: string;
let neon: NeonStandIn;
let ssm: SsmStandIn;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'cli-package-'));
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], ROOT));
  files = packed.files.map((file: { path: string }) => file.path).sort();
  installed = join(scratch, 'project');
  mkdirSync(installed);
  writeFileSync(join(installed, 'package.json'), '{ "private": true }\n');
  // Offline with an empty cache: nothing can come from anywhere but the tarball.
  const cache = join(scratch, 'npm-cache');
  npm(
    ['install', '--offline', '--cache', cache, '--no-audit', '--no-fund', join(scratch, packed.filename)],
    installed,
  );
  neon = await startNeonStandIn({ operationSteps: 0, operationDurationMs: null });
  ssm = await startSsmStandIn();
  ssm.putParameter({ name: '/neon/api-key', value: neon.apiKey });
}, 120_000);

afterAll(async () => {
  await Promise.all([neon?.close(), ssm?.close()]);
  rmSync(scratch, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the CLI bundle with every chunk file, its licenses, the README, LICENSE and CHANGELOG, and nothing else', () => {
    const bundle = readdirSync(join(ROOT, 'dist/cli')).map((file) => `dist/cli/${file}`);
    expect(bundle.filter((file) => /^dist\/cli\/\d+\.index\.js$/.test(file)).length).toBeGreaterThan(0);
    expect(files).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', ...bundle, 'package.json'].sort());
  });

  it('needs nothing from the registry: the bundle has every dependency inside', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin).toEqual({ 'neon-amplify-branch': 'dist/cli/index.js' });
  });

  it.each(NODES)('installed from the tarball, runs --version and deploy --help on $name', ({ bin }) => {
    const env = { PATH: `${dirname(bin)}${delimiter}/usr/bin${delimiter}/bin`, HOME: scratch };
    const cli = join(installed, 'node_modules', '.bin', 'neon-amplify-branch');
    const run = (args: string[]) => execFileSync(cli, args, { cwd: installed, env, encoding: 'utf8' });
    expect(run(['--version'])).toBe(`neon-amplify-branch ${pkg.version}\n`);
    expect(run(['deploy', '--help'])).toContain('Usage: neon-amplify-branch deploy');
    expect(execFileSync('node', ['--version'], { env, encoding: 'utf8' })).toBe(
      `${execFileSync(bin, ['--version'], { encoding: 'utf8' })}`,
    );
  });

  it.each(NODES)(
    'installed from the tarball, a deploy dry run loads its chunks on $name',
    async ({ bin }) => {
      // Inside an Amplify build with the key in SSM: the SSM client's chunks, then the run's (the
      // Neon client, the flows), with which a dry run only reads.
      const env = {
        PATH: `${dirname(bin)}${delimiter}/usr/bin${delimiter}/bin`,
        HOME: scratch,
        AWS_APP_ID: 'd1a2b3c4d5e6f7',
        AWS_BRANCH: 'feature/packaged',
        AWS_REGION: ssm.region,
        AWS_ACCESS_KEY_ID: SSM_TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: SSM_TEST_CREDENTIALS.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/nonexistent/aws-config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
        AWS_ENDPOINT_URL_SSM: ssm.url,
        NEON_API_HOST: neon.url,
        NEON_PROJECT_ID: neon.projectId,
        NEON_API_KEY_SSM_PARAMETER: '/neon/api-key',
      };
      const cli = join(installed, 'node_modules', '.bin', 'neon-amplify-branch');
      // Not execFileSync: the stand-ins answer from this process, whose event loop must keep running.
      const run = await runChild(cli, ['deploy', '--dry-run', '--output', 'json'], { cwd: installed, env });
      expect(run.stderr).not.toContain('error:');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({
        ok: true,
        dryRun: true,
        outputs: { 'neon-branch-name': 'preview/feature/packaged', created: 'false' },
      });
      expect(ssm.requests.at(-1)).toMatchObject({ name: '/neon/api-key', status: 200 });
      expect(neon.requests.length).toBeGreaterThan(0);
      expect(neon.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    },
  );
});
