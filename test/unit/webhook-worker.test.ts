import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ApiError, SettingError } from '../../src/core/errors.js';
import type { Plan } from '../../src/core/plan.js';
import { Redactor } from '../../src/core/redact.js';
import type { Result } from '../../src/core/result.js';
import type { PublishedRunOptions } from '../../src/publishing.js';
import type { RunOptions } from '../../src/runner.js';
import { loadWebhookConfig } from '../../src/webhook/config/config.js';
import { JsonLogger } from '../../src/webhook/config/log.js';
import { messageGroupId, type QueueMessage } from '../../src/webhook/sqs/message.js';
import { messageSigner } from '../../src/webhook/sqs/signature.js';
import { createWorker } from '../../src/webhook/sqs/worker.js';

const SECRET = 'whsec-worker-unit';
const ENV = {
  GITHUB_WEBHOOK_SECRET: SECRET,
  NEON_API_KEY: 'napi_worker_unit_key',
  NEON_PROJECT_ID: 'calm-sun-123456',
  AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
  AWS_REGION: 'us-east-1',
  MAX_CONCURRENCY: '4',
};

type Run = (plan: Plan, options: RunOptions) => Promise<Result>;

function harness(run: Run, env: Record<string, string> = {}, file?: string) {
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
function message(kind: 'deploy' | 'cleanup', branch: string, delivery = `d-${++sequence}`): QueueMessage {
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
function record(body: QueueMessage | string, group?: string, secret: string | null = SECRET): SQSRecord {
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

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const none: Result = { kind: 'none', reason: 'test' };

describe('the worker on an SQS batch', () => {
  it("runs a group's records in order and different groups side by side", async () => {
    const log: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { worker } = harness(async (plan) => {
      log.push(`start ${plan.kind} ${'gitBranch' in plan ? plan.gitBranch : ''}`);
      if ('gitBranch' in plan && plan.gitBranch === 'a' && plan.kind === 'deploy') await gate;
      log.push(`end ${plan.kind} ${'gitBranch' in plan ? plan.gitBranch : ''}`);
      return none;
    });
    const answer = worker.handle(
      batch(record(message('deploy', 'a')), record(message('deploy', 'b')), record(message('cleanup', 'a'))),
    );
    await expect.poll(() => log).toContain('end deploy b');
    expect(log).not.toContain('start cleanup a');
    release();

    expect(await answer).toEqual({ batchItemFailures: [] });
    expect(log.indexOf('start cleanup a')).toBeGreaterThan(log.indexOf('end deploy a'));
  });

  it('lists a failed record and every later record of its group, and runs the other groups', async () => {
    const ran: string[] = [];
    const { worker, lines } = harness(async (plan) => {
      const branch = 'gitBranch' in plan ? plan.gitBranch : '';
      ran.push(`${plan.kind} ${branch}`);
      if (branch === 'a' && plan.kind === 'deploy') {
        throw new ApiError("Creating Neon branch 'preview/a'", '503 Service Unavailable', {
          service: 'Neon',
          status: 503,
        });
      }
      return none;
    });
    const records = [
      record(message('deploy', 'a')),
      record(message('deploy', 'b')),
      record(message('cleanup', 'a')),
      record(message('cleanup', 'b')),
    ];

    const answer = await worker.handle(batch(...records));

    expect(answer).toEqual({
      batchItemFailures: [
        { itemIdentifier: records[0]?.messageId },
        { itemIdentifier: records[2]?.messageId },
      ],
    });
    expect(ran).toEqual(['deploy a', 'deploy b', 'cleanup b']);
    expect(lines().find((line) => line.messageId === records[2]?.messageId)).toMatchObject({
      outcome: 'deferred',
    });
  });

  it('drops, logged and not retried, what fails the same way every time', async () => {
    const { worker, lines } = harness(
      async () => {
        throw SettingError.invalid('git-branch', 'x', 'too long for Amplify');
      },
      {},
      'repositories:\n  octo-org/shop: {}\n',
    );
    const records = [
      record('{"not":"a message"}', 'octo-org/shop:a'),
      record({ ...message('deploy', 'b'), repository: 'someone/else' }),
      record(message('deploy', 'c')),
      record(message('cleanup', 'c')),
    ];

    expect(await worker.handle(batch(...records))).toEqual({ batchItemFailures: [] });

    const dropped = records.map((r) =>
      lines().find((line) => line.outcome === 'dropped' && line.messageId === r.messageId),
    );
    expect(dropped.filter((line) => line !== undefined)).toHaveLength(4);
    expect(dropped[0]).toMatchObject({ level: 'error', body: '{"not":"a message"}' });
    expect(dropped[1]?.msg).toContain("repository 'someone/else' is not in CONFIG_FILE");
    expect(dropped[2]?.msg).toMatch(/^Not retried: .*Invalid git-branch 'x'/);
  });

  it('drops, logged and not retried, a message whose signature does not verify, and runs nothing of it', async () => {
    const plans: Plan[] = [];
    const { worker, lines } = harness(
      async (plan) => {
        plans.push(plan);
        return none;
      },
      { GITHUB_WEBHOOK_SECRET: `new-secret,${SECRET}` },
    );
    // Someone who may send to the queue, without the secret: production named as the default branch.
    const forged = { ...message('deploy', 'production'), defaultBranch: 'production' };
    const signed = record(message('deploy', 'a'));
    const altered = record(message('deploy', 'b'));
    altered.body = altered.body.replace('"main"', '"b"');
    const records = [
      record(forged, undefined, null),
      record(forged, undefined, 'not-the-secret'),
      altered,
      signed,
    ];

    expect(await worker.handle(batch(...records))).toEqual({ batchItemFailures: [] });

    expect(plans).toEqual([{ kind: 'deploy', gitBranch: 'a', neonBranchName: 'preview/a', primary: false }]);
    for (const r of records.slice(0, 3)) {
      expect(
        lines().find((line) => line.messageId === r.messageId && line.outcome === 'dropped'),
      ).toMatchObject({
        level: 'error',
        msg: expect.stringMatching(/^Dropped: the signature does not verify/),
      });
    }
  });

  it('does a delivery once per instance, however often SQS hands it over; a failed one again', async () => {
    let runs = 0;
    let fail = true;
    const { worker, lines } = harness(async () => {
      runs += 1;
      if (fail) throw new Error('Amplify is down');
      return none;
    });
    const push = message('deploy', 'a', 'same-delivery');

    expect(await worker.handle(batch(record(push)))).toEqual({
      batchItemFailures: [{ itemIdentifier: expect.any(String) }],
    });
    fail = false;
    expect(await worker.handle(batch(record(push)))).toEqual({ batchItemFailures: [] });
    expect(await worker.handle(batch(record(push)))).toEqual({ batchItemFailures: [] });

    expect(runs).toBe(2);
    expect(lines().filter((line) => line.outcome === 'duplicate')).toHaveLength(1);
  });

  it("plans again under the worker's settings: its prefix, its primary branches", async () => {
    const plans: Plan[] = [];
    const { worker, lines } = harness(
      async (plan) => {
        plans.push(plan);
        return none;
      },
      { BRANCH_PREFIX: 'pr-', PRIMARY_BRANCHES: 'main,release' },
    );

    await worker.handle(batch(record(message('deploy', 'a')), record(message('cleanup', 'release'))));

    expect(plans).toEqual([{ kind: 'deploy', gitBranch: 'a', neonBranchName: 'pr-a', primary: false }]);
    expect(lines().find((line) => line.planned !== undefined)?.msg).toMatch(/another plan/);
    expect(lines().find((line) => line.outcome === 'ignored')?.msg).toMatch(/'release' is a primary branch/);
  });

  it("reports on GitHub as the server does: the configured token, the push's commit, the closed pull request", async () => {
    const targets: unknown[] = [];
    const { worker } = harness(
      async (_plan, options) => {
        targets.push((options as PublishedRunOptions).github);
        return none;
      },
      { GITHUB_TOKEN: 'ghp_worker_unit_token', GITHUB_API_URL: 'https://github.example/api/v3' },
    );
    const push = { ...message('deploy', 'a'), sha: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c' };
    const closed = { ...message('cleanup', 'a'), claim: { kind: 'pull-request-closed' as const, number: 7 } };

    await worker.handle(batch(record(push), record(closed)));

    const target = {
      token: 'ghp_worker_unit_token',
      apiUrl: 'https://github.example/api/v3',
      repository: { owner: 'octo-org', repo: 'shop' },
    };
    expect(targets).toEqual([
      { ...target, sha: push.sha, pullNumbers: undefined },
      { ...target, sha: undefined, pullNumbers: [7] },
    ]);
  });

  it('never logs the key or a connection string the core reports', async () => {
    const { worker, raw } = harness(async (_plan, options) => {
      options.secret('pw-secret-123');
      options.secret('postgresql://owner:pw-secret-123@host/db');
      options.log.info('Connection postgresql://owner:pw-secret-123@host/db');
      throw new Error(`Failed with napi_worker_unit_key and pw-secret-123`);
    });
    await worker.handle(batch(record(message('deploy', 'a'))));
    const text = raw.join('');
    expect(text).not.toContain('pw-secret-123');
    expect(text).not.toContain('napi_worker_unit_key');
  });

  it("gives a batch's runs, side by side, the one limiter of their Neon account", async () => {
    const limiters: RunOptions['limiter'][] = [];
    const { worker } = harness(async (_plan, options) => {
      limiters.push(options.limiter);
      return none;
    });
    await worker.handle(batch(record(message('deploy', 'a')), record(message('deploy', 'b'))));
    expect(limiters).toHaveLength(2);
    expect(limiters[0]).toBeDefined();
    expect(limiters[1]).toBe(limiters[0]);
  });
});

describe('the worker on its schedule', () => {
  it('reconciles every configured repository and fails, naming them, when one fails', async () => {
    const file = [
      'repositories:',
      '  octo-org/shop: {neon-project-id: shop-1, amplify-app-id: dshop}',
      '  octo-org/blog: {neon-project-id: blog-2, amplify-app-id: dblog}',
    ].join('\n');
    const config = loadWebhookConfig(
      { ...ENV, CONFIG_FILE: 'f.yaml' },
      { role: 'worker', readFile: () => file },
    );
    const seen: string[] = [];
    const limiters: RunOptions['limiter'][] = [];
    const lines: string[] = [];
    const worker = createWorker({
      config,
      log: new JsonLogger({ redactor: new Redactor(), write: (line) => lines.push(line) }),
      run: async (plan, options) => {
        seen.push(`${plan.kind} ${options.settings.neonProjectId}`);
        limiters.push(options.limiter);
        if (options.settings.neonProjectId === 'shop-1') throw new Error('Neon said 500');
        return {
          kind: 'reconcile',
          dryRun: false,
          report: {
            deleted: ['preview/gone'],
            gone: ['preview/expired'],
            wouldDelete: [],
            kept: [],
            failed: [],
          },
        };
      },
    });
    const scheduled = { 'detail-type': 'Scheduled Event' as const, source: 'aws.events' };

    await expect(worker.handle(scheduled)).rejects.toThrow(
      'Reconcile failed for 1 of 2 repositories: octo-org/shop: Neon said 500',
    );
    expect(seen).toEqual(['reconcile shop-1', 'reconcile blog-2']);
    // One API key for both projects: one limiter.
    expect(limiters[0]).toBeDefined();
    expect(limiters[1]).toBe(limiters[0]);
    // A branch Neon expired on its own is reported as gone, not as a failure.
    const blog = lines.map((line) => JSON.parse(line)).find((entry) => entry.repository === 'octo-org/blog');
    expect(blog).toMatchObject({
      msg: 'Reconciled: 1 deleted, 1 already gone (expired), 0 kept',
      outcome: 'succeeded',
      gone: ['preview/expired'],
    });
    await expect(worker.handle({ command: 'reconcile' })).rejects.toThrow(/1 of 2/);
    await expect(worker.handle({} as never)).rejects.toThrow(/Unknown event/);
  });
});
