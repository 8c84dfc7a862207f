// The action runs on node24; the tests must run on it too. npm scripts find Node 24 in
// node_modules/.bin (the `node` dev dependency) even where the system Node is older.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Node ${process.versions.node} is running the tests; Node 24 is required (run through npm, which puts node_modules/.bin/node first).`,
  );
  process.exit(1);
}
