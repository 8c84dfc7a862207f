/** The worker with a fake core, and SQS records as the event source mapping hands them over. */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { Plan } from '../../src/core/plan.js';
import { Redactor } from '../../src/core/redact.js';
import type { Result } from '../../src/core/result.js';
import type { RunOptions } from '../../src/runner.js';
import { loadWebhookConfig } from '../../src/webhook/config/config.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import { messageGroupId, type QueueMessage } from '../../src/webhook/sqs/message.js';
import { messageSigner } from '../../src/webhook/sqs/signature.js';
import { createWorker } from '../../src/webhook/sqs/worker.js';
export const SECRET = 'whsec-worker-unit';
export const ENV = {
  GITHUB_WEBHOOK_SECRET: SECRET,
  NEON_API_KEY: 'napi_worker_unit_key',
  NEON_PROJECT_ID: 'calm-sun-123456',
  AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
  AWS_REGION: 'us-east-1',
  MAX_CONCURRENCY: '4',
};

export type Run = (plan: Plan, options: RunOptions) => Promise<Result>;

export function harness(run: Run, env: Record<string, string> = {}, file?: string) {
  const config = loadWebhookConfig(
    { ...ENV, ...env, ...(file === undefined ? {} : { CONFIG_FILE: 'f.yaml' }) },
    { role: 'worker', readFile: () => file ?? '' },
  );
  const raw: string[] = [];
  const redactor = new Redactor();
  for (const secret of config.secretValues) redactor.add(secret);
  const log = new JsonLogger({ redactor, write: (line) => raw.push(line) });
  const worker = createWorker({ config, log, run, confirm: async () => ({ ok: true }) });
  return {
    worker,
    raw,
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

let sequence = 0;
export function message(
  kind: 'deploy' | 'cleanup',
  branch: string,
  delivery = `d-${++sequence}`,
): QueueMessage {
  const plan: QueueMessage['plan'] =
    kind === 'deploy'
      ? { kind, gitBranch: branch, neonBranchName: `preview/${branch}`, primary: false }
      : {
          kind,
          gitBranch: branch,
          neonBranchName: `preview/${branch}`,
          deleteAmplifyBranch: false,
          clearAmplifyVariables: true,
        };
  return {
    version: 1,
    delivery,
    event: kind === 'deploy' ? 'push' : 'delete',
    repository: 'octo-org/shop',
    defaultBranch: 'main',
    plan,
    claim: kind === 'cleanup' ? { kind: 'branch-deleted', branch } : undefined,
    acceptedAt: new Date().toISOString(),
  };
}

/** A record as the event source mapping hands it over, signed by a receiver with `secret`. */
export function record(
  body: QueueMessage | string,
  group?: string,
  secret: string | null = SECRET,
): SQSRecord {
  const parsed = typeof body === 'string' ? undefined : body;
  const id = `m-${++sequence}`;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const signature = secret === null ? undefined : messageSigner([secret]).sign(text);
  return {
    messageId: id,
    receiptHandle: `handle-${id}`,
    body: text,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SequenceNumber: String(sequence),
      MessageGroupId:
        group ?? (parsed ? messageGroupId(parsed.repository, parsed.plan.gitBranch) : 'octo-org/shop:x'),
      SenderId: 'AIDAEXAMPLE',
      MessageDeduplicationId: parsed?.delivery ?? id,
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes:
      signature === undefined
        ? {}
        : {
            signature: {
              dataType: 'String',
              stringValue: signature,
              stringListValues: [],
              binaryListValues: [],
            },
          },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs.fifo',
    awsRegion: 'us-east-1',
  };
}

export const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
export const none: Result = { kind: 'none', reason: 'test' };
