// Bundles each entry point with @vercel/ncc into dist/. With --check, bundles into a temporary
// folder instead and fails when dist/ differs from it in any file, added and removed ones included:
// a JavaScript action ships its committed dist/, so it must be exactly a build of src/.
// `node scripts/build.js cli webhook` rebuilds only those entries (by their folder under dist/,
// `action` for the root), leaving the other bundles as they are. Bundles are minified: the
// action's start-up time counts on every workflow run (measured: 0.31 s -> 0.18 s for a no-op run).
// A dynamic `import()` in src/ becomes a chunk file of its own next to the entry's index.js
// (`689.index.js`, ...), loaded only when that import runs. Start-up is mostly V8 compiling the
// file it loads (about 100 ms for 2 MB), so what a start does not need stays out of the entry's
// file: the action loads its Neon client and flows that way (a run with nothing to do never parses
// them), the AWS SDK once the first Neon requests are out, Octokit after the Amplify job started,
// and the migrate-command runner (child_process) only when one is set; the CLI (dist/cli/) loads
// its SSM client, the run and the dotenv writer only for a command that needs them (`--version`
// and `--help` never read them); the webhook server (dist/webhook/) loads the run with its first
// delivery, and the SQS SDK only with QUEUE_URL; a Lambda function's cold start alike (a ping or
// an empty batch loads none of them). ncc minifies the entry file only, not the chunks; minifying
// them measured no faster. The chunk files are part of the bundle like any other: --check compares
// them too, and a rebuild removes stale ones. ncc writes one license list per chunk; they are merged into licenses.txt,
// where a package that several chunks list comes once.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

// Every entry is built into a folder of its own, its chunk files next to its index.js: each build
// numbers its chunks from scratch (the same `689.index.js` is different code in two builds), so two
// builds in one folder would overwrite each other's. The Lambda functions share one code package,
// dist/lambda/: the single function is its root, the receiver and the worker are in receiver/ and
// worker/ below it, and the handler files the SAM templates name (`receiver.handler`,
// `worker.handler`), dist/lambda/receiver.js and worker.js, only re-export theirs (`handler`).
const entries = [
  { source: 'src/action/index.ts', out: '.' },
  { source: 'src/webhook/server/index.ts', out: 'webhook' },
  { source: 'src/webhook/lambda/index.ts', out: 'lambda' },
  { source: 'src/webhook/lambda/receiver.ts', out: 'lambda/receiver', handler: 'lambda/receiver.js' },
  { source: 'src/webhook/lambda/worker.ts', out: 'lambda/worker', handler: 'lambda/worker.js' },
  { source: 'src/cli/index.ts', out: 'cli' },
];

const check = process.argv.includes('--check');
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const ncc = join('node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');
const scratch = mkdtempSync(join(tmpdir(), 'dist-build-'));

if (!check && only.length === 0) rmSync('dist', { recursive: true, force: true });
const assembled = join(scratch, 'dist');
const folders = new Set();
for (const [index, entry] of entries.entries()) {
  // `lambda` builds all three Lambda bundles: dist/lambda/ is replaced as a whole.
  const folder = entry.out === '.' ? '.' : entry.out.split('/')[0];
  if (only.length > 0 && !only.includes(folder === '.' ? 'action' : folder)) continue;
  try {
    statSync(entry.source);
  } catch {
    continue; // A front end not written yet has no bundle.
  }
  const out = join(scratch, 'build', String(index));
  execFileSync(
    process.execPath,
    [
      ncc,
      'build',
      entry.source,
      '-o',
      out,
      // One file per chunk: with a single name, every chunk's list overwrites the one before.
      '--license',
      '[name].licenses.txt',
      '--minify',
      '--quiet',
      '--target',
      'es2023',
    ],
    { stdio: 'inherit' },
  );
  mergeLicenses(out);
  addBundle(join(assembled, entry.out), out);
  if (entry.handler !== undefined) {
    const bundle = entry.out.split('/').at(-1);
    writeFileSync(
      join(assembled, entry.handler),
      `// The handler the templates name: its bundle is ./${bundle}/ (scripts/build.js).\nexport { handler } from './${bundle}/index.js';\n`,
    );
  }
  folders.add(folder);
}
if (!check) {
  for (const folder of folders) replaceEntry(join('dist', folder), join(assembled, folder), folder === '.');
}

if (check) {
  const differences = compare('dist', assembled);
  if (differences.length > 0) {
    console.error(
      `dist/ is not a fresh build of src/ (run \`npm run build\` and commit dist/):\n  ${differences.join('\n  ')}`,
    );
    process.exit(1);
  }
  console.log('dist/ is a fresh build of src/');
}
rmSync(scratch, { recursive: true, force: true });

/** Copies a bundle into its folder; two bundles may share a folder only in sub-folders of their own. */
function addBundle(folder, fresh) {
  mkdirSync(folder, { recursive: true });
  for (const entry of readdirSync(fresh, { withFileTypes: true })) {
    const destination = join(folder, entry.name);
    if (existsSync(destination)) throw new Error(`Two bundles write ${destination}`);
    cpSync(join(fresh, entry.name), destination, { recursive: true });
  }
}

/**
 * The per-chunk license lists of a bundle as one `licenses.txt`, the entry's first. A package with
 * code in several chunks is in each of their lists: it is listed once, where it first comes.
 */
function mergeLicenses(bundle) {
  const lists = readdirSync(bundle)
    .filter((file) => file.endsWith('.licenses.txt'))
    .sort((a, b) => (a === 'main.licenses.txt' ? -1 : b === 'main.licenses.txt' ? 1 : a.localeCompare(b)));
  const entries = [];
  for (const list of lists) {
    for (const entry of licenseEntries(readFileSync(join(bundle, list), 'utf8')))
      if (!entries.includes(entry)) entries.push(entry);
    rmSync(join(bundle, list));
  }
  writeFileSync(join(bundle, 'licenses.txt'), `${entries.join('\n\n')}\n`);
}

/**
 * A license list's entries. ncc writes each package as its name, its license and the license's
 * text, with a blank line between packages, and the texts have blank lines of their own: a
 * paragraph starts an entry when its first line names a package in node_modules. An entry is left
 * out of the merge only when the very same text, name first, is already in, so whatever the split,
 * no text is lost: a paragraph taken for an entry by mistake can at worst keep a duplicate.
 */
function licenseEntries(text) {
  const entries = [];
  // Split at blank lines, however many (a text that ends in a line break leaves two before the next
  // package), keeping them to put a text back together as it was.
  const parts = text.trim().split(/(\n\n+)/);
  for (let index = 0; index < parts.length; index += 2) {
    const paragraph = parts[index];
    const name = paragraph.split('\n', 1)[0];
    const starts =
      /^(@[\w.-]+\/)?[\w.-]+$/.test(name) && existsSync(join('node_modules', name, 'package.json'));
    if (starts || entries.length === 0) entries.push(paragraph);
    else entries[entries.length - 1] += `${parts[index - 1]}${paragraph}`;
  }
  return entries.filter((entry) => entry !== '');
}

/** Puts a fresh bundle in place of the old one; the root bundle leaves the sub-folders alone. */
function replaceEntry(destination, fresh, root) {
  for (const entry of safeReaddir(destination)) {
    if (!root || !entry.isDirectory())
      rmSync(join(destination, entry.name), { recursive: true, force: true });
  }
  for (const entry of readdirSync(fresh, { withFileTypes: true })) {
    if (root && entry.isDirectory()) continue;
    cpSync(join(fresh, entry.name), join(destination, entry.name), { recursive: true });
  }
}

function safeReaddir(dir) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function compare(committed, fresh) {
  const a = listFiles(committed);
  const b = listFiles(fresh);
  const differences = [];
  for (const file of b.keys()) if (!a.has(file)) differences.push(`missing from dist/: ${file}`);
  for (const file of a.keys()) if (!b.has(file)) differences.push(`not produced by the build: dist/${file}`);
  for (const [file, path] of a) {
    const other = b.get(file);
    if (other !== undefined && !readFileSync(path).equals(readFileSync(other)))
      differences.push(`differs: dist/${file}`);
  }
  return differences;
}

function listFiles(root) {
  const files = new Map();
  const walk = (dir) => {
    let names;
    try {
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of names) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(root, path), path);
    }
  };
  walk(root);
  return files;
}
