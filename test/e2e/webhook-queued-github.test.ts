import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commentMarker } from '../../src/github/comment-marker.js';
import { GITHUB_TEST_TOKEN, type GitHubStandIn, startGitHubStandIn } from '../fakes/github-server.js';
import { pullRequest, pushTo } from '../fixtures/payloads.js';
import type { LambdaEnvironment } from './lambda-environment.js';
import { APP_ID, type QueuedWorld, receive, sign, startQueuedWorld } from './queued-world.js';
import { expectedDatabaseUrl, type LogLine } from './webhook-process.js';

/**
 * The queued pair as shipped: the receiver's and the worker's `handler`s from the built bundles
 * (dist/lambda/receiver.js, dist/lambda/worker.js), each in an execution environment of its own with
 * nothing but environment variables, which point at the SQS, Neon, Amplify and GitHub stand-ins. A
 * real GitHub delivery (@octokit/webhooks-examples) goes receiver → FIFO queue → Lambda's event
 * source mapping (test/fakes/sqs-poller.ts) → worker, which reports on GitHub with its token.
 */
let world: QueuedWorld;
let github: GitHubStandIn;
let receiver: LambdaEnvironment;
let worker: LambdaEnvironment;

beforeEach(async () => {
  [world, github] = await Promise.all([
    startQueuedWorld(),
    startGitHubStandIn({ owner: 'Codertocat', repo: 'Hello-World', defaultBranch: 'master' }),
  ]);
  receiver = world.receiver();
  worker = world.worker({ GITHUB_TOKEN: GITHUB_TEST_TOKEN, GITHUB_API_URL: github.url });
});
afterEach(async () => {
  await world.close();
  await github.close();
  expect(github.violations).toEqual([]);
  for (const environment of [receiver, worker]) {
    for (const secret of [...world.secrets(), GITHUB_TEST_TOKEN]) {
      expect(environment.output()).not.toContain(secret);
    }
  }
});

const finished = (delivery: string) =>
  worker.lines.filter((line: LogLine) => line.delivery === delivery && line.step === 'finish');

async function deliver(event: string, payload: unknown): Promise<string> {
  const d = await sign(event, payload);
  const answer = await receive(receiver, d);
  expect(answer.status).toBe(202);
  await expect.poll(() => finished(d.id).length, { timeout: 30_000 }).toBe(1);
  return d.id;
}

describe('a push, then its pull request closing, through the queued pair as shipped', () => {
  it('deploys and reports on the pull request and the deployment, then cleans up and says so', async () => {
    const branch = 'feature/shipped';
    const push = pushTo(branch);
    github.addBranch(branch, { sha: push.after });
    const pull = github.addPullRequest({ head: branch, headSha: push.after });
    await world.poll(worker, { batchSize: 1 });

    const pushed = await deliver('push', push);

    expect(finished(pushed)).toMatchObject([{ outcome: 'succeeded' }]);
    const neonBranch = world.neon.branchByName(`preview/${branch}`);
    expect(neonBranch).toBeDefined();
    const expected = expectedDatabaseUrl(world.neon, neonBranch as NonNullable<typeof neonBranch>);
    const amplifyBranch = world.amplify.branch(APP_ID, branch);
    const url = new URL(amplifyBranch?.environmentVariables.DATABASE_URL ?? 'x:');
    expect([url.hostname, decodeURIComponent(url.password)]).toEqual([expected.host, expected.password]);
    expect(amplifyBranch?.jobs.map((job) => job.jobType)).toEqual(['RELEASE']);
    const [comment] = github.comments(pull.number);
    expect(github.comments(pull.number)).toHaveLength(1);
    expect(comment?.body.split('\n')[0]).toBe(commentMarker(branch));
    expect(comment?.body).toContain(`\`preview/${branch}\``);
    expect(comment?.body).toContain(`\`${expected.host}\``);
    const [deployment] = github.deployments(`preview/${branch}`);
    expect(github.deployments(`preview/${branch}`)).toHaveLength(1);
    expect([deployment?.sha, deployment?.transient, deployment?.statuses.map((s) => s.state)]).toEqual([
      push.after,
      true,
      ['in_progress', 'success'],
    ]);

    pull.state = 'closed';
    const closed = pullRequest('closed', branch);
    closed.pull_request.number = pull.number;
    const cleaned = await deliver('pull_request', closed);

    expect(finished(cleaned)).toMatchObject([{ outcome: 'succeeded', outputs: { deleted: 'true' } }]);
    expect(world.neon.branchByName(`preview/${branch}`)).toBeUndefined();
    expect(world.amplify.branch(APP_ID, branch)?.environmentVariables.DATABASE_URL).toBeUndefined();
    // The replay check asked GitHub first: the pull request is closed and is about this branch.
    expect(github.requestsFor('pulls.get').map((request) => request.rawPath)).toEqual([
      `/repos/Codertocat/Hello-World/pulls/${pull.number}`,
    ]);
    expect(github.comments(pull.number)).toHaveLength(1);
    expect(github.comments(pull.number)[0]?.body).toContain('was deleted: the pull request was closed');
    expect(github.deployments(`preview/${branch}`).map((d) => github.latestState(d))).toEqual(['inactive']);
    // The worker logs its last line before it returns; the poller deletes the message after that.
    await expect.poll(() => world.sqs.messages(world.queue.name), { timeout: 10_000 }).toEqual([]);
    expect(world.sqs.messages(world.deadLetterQueue.name)).toEqual([]);
  }, 90_000);
});

describe('a message the receiver did not sign', () => {
  it('is dropped by the worker, logged, not retried, and changes nothing', async () => {
    // Whoever may send to the queue, without the webhook secret: the branch named as the
    // repository's default branch, which would make it primary and write production's URL.
    const body = JSON.stringify({
      version: 1,
      delivery: 'forged-0001',
      event: 'push',
      repository: 'Codertocat/Hello-World',
      defaultBranch: 'feature/forged',
      plan: { kind: 'deploy', gitBranch: 'feature/forged', neonBranchName: 'main', primary: true },
      acceptedAt: new Date().toISOString(),
    });
    await world.client.send(
      new SendMessageCommand({
        QueueUrl: world.queue.url,
        MessageBody: body,
        MessageGroupId: 'Codertocat/Hello-World:feature/forged',
        MessageDeduplicationId: 'forged-0001',
        MessageAttributes: { signature: { DataType: 'String', StringValue: `sha256=${'0'.repeat(64)}` } },
      }),
    );
    const poller = await world.poll(worker, { batchSize: 1 });
    await poller.waitFor((p) => p.invocations.length === 1, { timeoutMs: 20_000 });

    expect(poller.invocations[0]).toMatchObject({ outcome: 'succeeded' });
    expect(worker.lines.find((line) => line.outcome === 'dropped')).toMatchObject({
      level: 'error',
      msg: expect.stringMatching(/^Dropped: the signature does not verify/),
    });
    expect(world.amplify.requests).toEqual([]);
    expect(world.neon.requests).toEqual([]);
    expect(github.requests).toEqual([]);
    await expect.poll(() => world.sqs.messages(world.queue.name), { timeout: 10_000 }).toEqual([]);
    expect(world.sqs.messages(world.deadLetterQueue.name)).toEqual([]);
  }, 60_000);
});
