import { describe, expect, it } from 'vitest';
import { ApiError, SettingError } from '../../src/core/errors.js';
import type { Plan } from '../../src/core/plan.js';
import { batch, harness, message, none, record, SECRET } from './webhook-worker-harness.js';

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
});
