import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** A Node.js binary the built CLI and webhook server are run on, and the name a test title gives it. */
export interface SupportedNode {
  name: string;
  bin: string;
}

/** Node 24, the runtime: this process's Node.js, the `node` dev dependency. */
export const RUNTIME_NODE: SupportedNode = { name: `Node ${process.version}`, bin: process.execPath };

/** Where scripts/install-node22.js puts Node 22 (the npm `node` package, in a cache folder). */
const INSTALLED_NODE22 = resolve(
  import.meta.dirname,
  '../../node_modules/.cache/node22/node_modules/.bin/node',
);

/**
 * The Node.js versions package.json engines promises: this process's Node 24, and Node 22 from
 * NODE22_BIN or scripts/install-node22.js. Without Node 22 the test file fails here, saying how to
 * get it, rather than running on one version and passing.
 */
export function supportedNodes(): SupportedNode[] {
  const node22 = process.env.NODE22_BIN || INSTALLED_NODE22;
  if (!existsSync(node22)) {
    throw new Error(
      `No Node 22 at ${node22}: the CLI tests run on Node 22 and 24. Install it with \`node scripts/install-node22.js\` (npm test does), or point NODE22_BIN at a Node 22 binary.`,
    );
  }
  const version = execFileSync(node22, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('v22.')) throw new Error(`${node22} is Node ${version}, not Node 22`);
  return [RUNTIME_NODE, { name: `Node ${version}`, bin: node22 }];
}
