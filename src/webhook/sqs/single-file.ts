/**
 * Imported by the Lambda entries that send deliveries to the queue (src/webhook/lambda/index.ts
 * with QUEUE_URL, receiver.ts), which ship as one file each (scripts/build.js, `single`). send.ts
 * loads the SQS SDK with `import()`, a chunk file of its own in the webhook server's build, so that
 * a server without QUEUE_URL never compiles it (measured: it was about 40 ms of the server's start
 * while it sat unevaluated in the server's entry file). Naming it here in webpack's `eager` mode puts
 * it in the Lambda's own file instead, evaluated still only with the first SendMessage. Not in
 * src/single-file.ts: that list would put the Neon client into the receiver, and the SQS SDK into
 * the worker, neither of which uses it. This function is never called: the bundler reads it.
 */
export function bundledSqs(): Promise<unknown> {
  return import(/* webpackMode: "eager" */ '@aws-sdk/client-sqs');
}
