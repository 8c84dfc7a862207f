/**
 * Imported by the entries that ship as one file (the CLI, the webhook server, the Lambda functions).
 * The modules the action loads lazily are `import()`ed from shared code; naming them here in
 * webpack's `eager` mode puts them in the entry's own file, so the bundler emits no chunk file for
 * them and a copied `index.js` has everything, while they still run only when first imported: a
 * start-up that needs none of them (`--version`, a ping) does not evaluate the AWS SDK or Octokit
 * (measured in bench/measures/start-up.ts). This function is never called: the bundler reads it.
 */
export function bundledModules(): Promise<unknown>[] {
  return [
    import(/* webpackMode: "eager" */ './amplify/port.js'),
    import(/* webpackMode: "eager" */ './github/client.js'),
    import(/* webpackMode: "eager" */ './migrate/shell.js'),
  ];
}
