/**
 * Imported by the Lambda entries that run plans (src/webhook/lambda/index.ts, worker.ts), which
 * ship as one file each (scripts/build.js, `single`). The action, the CLI and the webhook server
 * load these modules with `import()`, each a chunk file of its own, so that a start that needs none
 * of them does not even compile them. Naming them here in webpack's `eager` mode puts them in the
 * Lambda's own file instead, so the bundler emits no chunk file for them, while they still run only
 * when first imported: a cold start that needs none of them (a ping) does not evaluate the Neon
 * client, the AWS SDK or Octokit (measured in bench/measures/start-up.ts). The SQS SDK has its own
 * list (src/webhook/sqs/single-file.ts): the Lambdas that send are not the ones that run plans. This
 * function is never called: the bundler reads it.
 */
export function bundledModules(): Promise<unknown>[] {
  return [
    import(/* webpackMode: "eager" */ './amplify/port.js'),
    import(/* webpackMode: "eager" */ './github/client.js'),
    import(/* webpackMode: "eager" */ './migrate/shell.js'),
    import(/* webpackMode: "eager" */ './publishing.js'),
  ];
}
