/**
 * The CLI as users get it from npm (`npx neon-amplify-branch@1 deploy` in amplify.yml): the package
 * is packed with `npm pack`, installed from the tarball alone into an empty folder with npm offline
 * (so a runtime dependency the bundle still needs, or a file missing from package.json `files`,
 * fails here), and its bin is run from there on Node 22 and 24, through its shebang as npx runs it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

beforeAll(() => {
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
}, 120_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('holds the CLI bundle, its licenses, the README, LICENSE and CHANGELOG, and nothing else', () => {
    expect(files).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist/cli/index.js',
      'dist/cli/licenses.txt',
      'dist/cli/package.json',
      'package.json',
    ]);
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
});
