// The CLI and the webhook server run on Node 22 as well as 24 (package.json engines), so their
// end-to-end tests run the built bundles on both (test/e2e/supported-nodes.ts). Node 24 is the
// `node` dev dependency; Node 22 comes from the same npm `node` package, installed here into a
// cache folder of its own (a second `node` in this project's node_modules would fight over
// node_modules/.bin/node).
// Does nothing when it is already there; `npm test` and .ci/run call it. Prints the binary's path.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const NODE22_DIR = resolve(import.meta.dirname, '..', 'node_modules', '.cache', 'node22');
const NODE22_BIN = join(NODE22_DIR, 'node_modules', '.bin', 'node');

function installedMajor() {
  if (!existsSync(NODE22_BIN)) return undefined;
  try {
    return execFileSync(NODE22_BIN, ['--version'], { encoding: 'utf8' }).trim().split('.')[0];
  } catch {
    return undefined;
  }
}

if (installedMajor() !== 'v22') {
  mkdirSync(NODE22_DIR, { recursive: true });
  // A manifest of its own, so npm installs here and not into the project, and so npm 11 runs the
  // package's preinstall (it fetches the platform's binary) without an install-scripts warning.
  writeFileSync(
    join(NODE22_DIR, 'package.json'),
    `${JSON.stringify({ private: true, allowScripts: { node: true } }, null, 2)}\n`,
  );
  // The npm that runs this script when there is one (`npm test`), else the one on PATH.
  const npm = process.env.npm_execpath;
  const [file, prefix] = npm ? [process.execPath, [npm]] : ['npm', []];
  execFileSync(
    file,
    [...prefix, 'install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', 'node@22'],
    { cwd: NODE22_DIR, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  if (installedMajor() !== 'v22') {
    console.error(`npm install node@22 in ${NODE22_DIR} left no Node 22 at ${NODE22_BIN}`);
    process.exit(1);
  }
}
console.log(`Node 22 for the CLI tests: ${dirname(NODE22_BIN)}/node`);
