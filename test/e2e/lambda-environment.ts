import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { SqsBatchHandler } from '../fakes/sqs-poller.js';
import type { LogLine } from './webhook-process.js';

const root = resolve(import.meta.dirname, '../..');
export const RECEIVER_ENTRY = join(root, 'dist/lambda/receiver.js');
export const WORKER_ENTRY = join(root, 'dist/lambda/worker.js');

/**
 * One Lambda function's execution environment as a process of its own: the built bundle loaded by
 * the runtime stand-in (webhook-lambda-runtime.mjs), one invocation at a time, with exactly the
 * environment given (plus PATH). It starts on the first invocation (a cold start) and stays warm;
 * `kill()` ends it as Lambda does at a timeout or a crash, failing the invocation under way, and
 * the next invocation starts a new one.
 */
export interface LambdaEnvironment {
  invoke(event: unknown): Promise<unknown>;
  /** For the SQS poller: the handler Lambda would call. */
  handler: SqsBatchHandler;
  kill(): void;
  /** Every JSON line the function wrote (CloudWatch's view), across environments. */
  lines: LogLine[];
  output(): string;
  coldStarts(): number;
  close(): Promise<void>;
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
  pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
}

export function lambdaEnvironment(entry: string, env: Record<string, string>): LambdaEnvironment {
  const lines: LogLine[] = [];
  let text = '';
  let running: Running | undefined;
  let starts = 0;
  let nextId = 0;

  const start = (): Running => {
    starts += 1;
    const child = spawn(process.execPath, [join(import.meta.dirname, 'webhook-lambda-runtime.mjs'), entry], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const pending: Running['pending'] = new Map();
    let partial = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      text += chunk;
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const part of parts.filter((line) => line !== '')) {
        try {
          lines.push(JSON.parse(part) as LogLine);
        } catch {
          lines.push({ unparsed: part });
        }
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      text += chunk;
    });
    createInterface({ input: child.stdio[3] as Readable }).on('line', (line) => {
      const { id, result, error } = JSON.parse(line) as { id: number; result?: unknown; error?: string };
      const waiter = pending.get(id);
      pending.delete(id);
      if (error === undefined) waiter?.resolve(result);
      else waiter?.reject(new Error(error));
    });
    const exited = new Promise<void>((resolveExit) => {
      child.once('exit', (code, signal) => {
        if (running?.child === child) running = undefined;
        for (const waiter of pending.values()) {
          waiter.reject(new Error(`The execution environment ended (${signal ?? `exit code ${code}`})`));
        }
        pending.clear();
        resolveExit();
      });
    });
    return { child, exited, pending };
  };

  const invoke = (event: unknown): Promise<unknown> => {
    running ??= start();
    const { child, pending } = running;
    const id = nextId++;
    return new Promise((resolveResult, reject) => {
      pending.set(id, { resolve: resolveResult, reject });
      child.stdin?.write(`${JSON.stringify({ id, event })}\n`);
    });
  };

  return {
    invoke,
    handler: (event) => invoke(event),
    kill: () => running?.child.kill('SIGKILL'),
    lines,
    output: () => text,
    coldStarts: () => starts,
    close: async () => {
      const current = running;
      if (current === undefined) return;
      current.child.stdin?.end();
      await current.exited;
    },
  };
}
