// Only `version` and `engines.node` reach the bundle: the bundler keeps the JSON fields that are used.
import pkg from '../../package.json' with { type: 'json' };

/** The package's version, as `--version` prints it. */
export const VERSION: string = pkg.version;

/**
 * The Node.js range the package declares (package.json `engines.node`, `>=N`): N is the oldest it is
 * tested on (test/e2e/supported-nodes.ts runs the built CLI on Node 22 and 24).
 */
export const NODE_RANGE: string = pkg.engines.node;

/** The oldest Node.js major version the CLI runs on, from NODE_RANGE. */
export const MINIMUM_NODE_MAJOR = minimumMajor(NODE_RANGE);

/**
 * One line saying what is needed, or undefined when `version` (`process.version`) is recent enough.
 * Below it the AWS SDK would print its own warning on every run (it warns below Node.js 22), and
 * nothing older is tested; a clear refusal up front beats either.
 */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? Number.NaN);
  if (major >= MINIMUM_NODE_MAJOR) return undefined;
  const need = MINIMUM_NODE_MAJOR;
  return `neon-amplify-branch needs Node.js ${need} or later (package.json engines ${NODE_RANGE}); this is Node.js ${version}. In an Amplify build: nvm install ${need} && nvm use ${need} before it.`;
}

function minimumMajor(range: string): number {
  const match = /^>=\s*(\d+)(\.\d+)*$/.exec(range.trim());
  // A range this cannot read is a packaging mistake; the unit tests load this file and see it.
  if (match === null) throw new Error(`package.json engines.node '${range}': expected >=N`);
  return Number(match[1]);
}
