import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import type { Branch } from '@neondatabase/api-client';
import { type AmplifyStandIn, amplifyClientEnv } from '../fakes/amplify-server.js';
import type { NeonStandIn } from '../fakes/neon-server.js';

const root = resolve(import.meta.dirname, '../..');
export const WEBHOOK_ENTRY = join(root, 'dist/webhook/index.js');
export const LAMBDA_ENTRY = join(root, 'dist/lambda/index.js');

/**
 * The tests run the bundles; a missing one is a setup error with the command that makes it. Whether
 * a bundle is up to date is `node scripts/build.js --check`'s to say (`npm test` runs it): file
 * times prove nothing after a copy or a fresh clone.
 */
export function requireBuilt(entry: string): void {
  if (!existsSync(entry)) {
    throw new Error(`${entry} is missing: run \`node scripts/build.js webhook lambda\` before these tests`);
  }
}

export type LogLine = Record<string, unknown>;

export interface WebhookProcess {
  url: string;
  child: ChildProcess;
  /** Every JSON line written so far. */
  lines: LogLine[];
  /** Everything written to stdout and stderr, for the no-secret check. */
  output(): string;
  /** Resolves with the first line (already written or still to come) that `match` accepts. */
  waitForLine(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Environment for a server talking to the stand-ins; the test adds the rest. */
export function standInEnv(
  neon: NeonStandIn,
  amplify: AmplifyStandIn,
  appId: string,
): Record<string, string> {
  return {
    NEON_API_KEY: neon.apiKey,
    NEON_PROJECT_ID: neon.projectId,
    NEON_API_HOST: neon.url,
    AMPLIFY_APP_ID: appId,
    ...amplifyClientEnv(amplify),
  };
}

/**
 * Runs `node dist/webhook/index.js` as a child process with exactly `env` (plus PATH and HOME) on a
 * free port: PORT=0 lets the system pick one, and the server's "Listening" line says which.
 */
export async function startWebhookProcess(
  env: Record<string, string>,
  /** The Node.js binary; by default this process's own. */
  node: string = process.execPath,
): Promise<WebhookProcess> {
  const child = spawn(node, [WEBHOOK_ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  let text = '';
  let pending = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    text += chunk;
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const part of parts) {
      if (part === '') continue;
      let line: LogLine;
      try {
        line = JSON.parse(part) as LogLine;
      } catch {
        line = { unparsed: part };
      }
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    text += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const waitForLine = (match: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> => {
    const found = lines.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(`No matching log line within ${timeoutMs} ms; output so far:\n${text.slice(-4000)}`),
        );
      }, timeoutMs);
      waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`The server exited; output:\n${text.slice(-4000)}`));
      });
    });
  };

  const listening = await Promise.race([
    waitForLine((line) => line.step === 'start' && typeof line.port === 'number'),
    exited.then((code) => {
      throw new Error(`The server exited with ${code} before listening:\n${text}`);
    }),
  ]);
  return {
    url: `http://127.0.0.1:${listening.port}`,
    child,
    lines,
    output: () => text,
    waitForLine,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the server expecting it to refuse to start; resolves with its exit code and output. */
export async function failedStart(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [WEBHOOK_ENTRY], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

/**
 * Sends headers and only part of the body (or a body in chunks that never ends), and resolves
 * with the answer as soon as it comes: the server must answer without the rest. Then waits up to
 * `closeWithinMs` for the server to cut the connection it no longer reads.
 */
export function partialPost(
  url: string,
  options: { headers: Record<string, string>; chunk: Buffer; chunks: number; closeWithinMs?: number },
): Promise<{ status: number; body: string; sentBytes: number; cut: boolean }> {
  return new Promise((resolvePromise, reject) => {
    const target = new URL('/webhook', url);
    let sentBytes = 0;
    let answered = false;
    const req = request(target, { method: 'POST', headers: options.headers });
    req.on('error', (error) => {
      // Writing into a socket the server cut after answering is expected; the answer counts.
      if (!answered) reject(error);
    });
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (data: string) => {
        body += data;
      });
      res.on('end', () => {
        const socket = req.socket;
        const timer = setTimeout(() => {
          req.destroy();
          resolvePromise({ status: res.statusCode ?? 0, body, sentBytes, cut: false });
        }, options.closeWithinMs ?? 3_000);
        const closed = () => {
          clearTimeout(timer);
          resolvePromise({ status: res.statusCode ?? 0, body, sentBytes, cut: true });
        };
        if (socket === null || socket.destroyed) closed();
        else socket.once('close', closed);
      });
    });
    let written = 0;
    const writeNext = () => {
      if (answered || written >= options.chunks) return; // never end(): the body stays unfinished
      written += 1;
      sentBytes += options.chunk.length;
      if (req.write(options.chunk)) setImmediate(writeNext);
      else req.once('drain', writeNext);
    };
    req.flushHeaders();
    writeNext();
  });
}

/** The connection string Neon gives for a branch, rebuilt from the stand-in's state (pooled host). */
export function expectedDatabaseUrl(neon: NeonStandIn, branch: Branch): { host: string; password: string } {
  const endpoint = neon.state.endpoints.find((e) => e.branch_id === branch.id && e.type === 'read_write');
  if (endpoint === undefined) throw new Error(`No read-write endpoint for ${branch.name}`);
  const password = neon.passwordOf(branch.id, 'neondb_owner');
  if (password === undefined) throw new Error(`No neondb_owner password for ${branch.name}`);
  // Neon's pooled host is the endpoint id with -pooler appended, in the same domain.
  return { host: endpoint.host.replace(/^([^.]+)/, '$1-pooler'), password };
}
