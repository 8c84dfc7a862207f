/**
 * Imported by the entries that ship as one file (the CLI, the webhook server, the Lambda functions):
 * the modules the action loads lazily, `import()`ed from shared code, are then already part of the
 * entry, so the bundler emits no chunk file for them and a copied `index.js` has everything.
 */
export { createAmplifyPort } from './amplify/port.js';
export { createGitHubClient } from './github/client.js';
export { runShellMigration } from './migrate/shell.js';
