// The peer: a bare node:http server that reads the body and answers 202 without verifying,
// parsing or remembering anything; the floor for any webhook server on this machine. Plain
// JavaScript, run without loader flags, so its memory is a bare Node process's too.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json', 'content-length': 2 });
    res.end('{}');
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
