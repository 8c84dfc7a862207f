// A stand-in for the Lambda runtime: imports the handler the way the Node.js runtime does (a native
// ESM import of the bundle) and invokes it once per event. Events come in as JSON lines on stdin;
// results go out as JSON lines on fd 3, so that stdout carries only the function's own log lines,
// as CloudWatch would receive them.
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const { handler } = await import(pathToFileURL(process.argv[2]).href);
const results = createWriteStream('', { fd: 3 });
for await (const line of createInterface({ input: process.stdin })) {
  const { id, event } = JSON.parse(line);
  try {
    results.write(`${JSON.stringify({ id, result: await handler(event) })}\n`);
  } catch (error) {
    results.write(`${JSON.stringify({ id, error: String(error?.message ?? error) })}\n`);
  }
}
