// A Lambda's cold start in a fresh node: import the bundle, get its handler, and invoke it once with
// BENCH_EVENT (a signed ping, an empty SQS batch), which needs no request to any service. Plain
// JavaScript run by node itself, so that no loader (tsx) is counted. Exits 3 when the answer is not
// what a healthy function gives.
const module = await import(process.env.BENCH_ENTRY);
if (typeof module.handler !== 'function') {
  process.stderr.write(`${process.env.BENCH_ENTRY} exports no handler function\n`);
  process.exit(3);
}
const answer = await module.handler(JSON.parse(process.env.BENCH_EVENT));
const ok =
  answer?.statusCode === undefined ? Array.isArray(answer?.batchItemFailures) : answer.statusCode === 200;
if (!ok) {
  process.stderr.write(`unexpected answer: ${JSON.stringify(answer)}\n`);
  process.exit(3);
}
