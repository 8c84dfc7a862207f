import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, type ScalarTag } from 'yaml';

/**
 * The SAM templates hold the rules the queued pair depends on and that no deploy in a test would
 * catch: checked here on the parsed YAML, CloudFormation's short tags kept as plain objects.
 */
const root = resolve(import.meta.dirname, '../..');
const tags: ScalarTag[] = ['Ref', 'Sub', 'GetAtt'].map((name) => ({
  tag: `!${name}`,
  resolve: (value: string) => ({ [name === 'Ref' ? 'Ref' : `Fn::${name}`]: value }),
}));

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template is untyped YAML
type Template = Record<string, any>;
const load = (name: string): Template =>
  parse(readFileSync(join(root, 'examples/webhook-lambda', name), 'utf8'), { customTags: tags });

describe('examples/webhook-lambda/template.yaml (the queued pair)', () => {
  const template = load('template.yaml');
  const resources = template.Resources;
  const queue = resources.DeliveriesQueue.Properties;
  const worker = resources.WorkerFunction.Properties;
  const receiver = resources.ReceiverFunction.Properties;
  const mapping = resources.WorkerDeliveries.Properties;

  it('has a FIFO queue without content-based deduplication, redriven to a FIFO dead-letter queue', () => {
    expect(queue).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false });
    expect(resources.DeadLetterQueue.Properties.FifoQueue).toBe(true);
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': 'DeadLetterQueue.Arn' },
      maxReceiveCount: { Ref: 'MaxReceiveCount' },
    });
  });

  it("keeps the queue's visibility timeout above the worker's timeout (CreateEventSourceMapping refuses less)", () => {
    expect(worker.Timeout).toBeLessThan(queue.VisibilityTimeout);
  });

  it('feeds the worker through an event source mapping that reports batch item failures', () => {
    expect(mapping).toMatchObject({
      FunctionName: { Ref: 'WorkerFunction' },
      EventSourceArn: { 'Fn::GetAtt': 'DeliveriesQueue.Arn' },
      BatchSize: { Ref: 'WorkerBatchSize' },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: { Ref: 'WorkerMaximumConcurrency' } },
    });
    expect(worker.Events.Reconcile).toMatchObject({ Type: 'Schedule' });
  });

  it('points each function at a bundle that exists and gives it only what it needs', () => {
    const code = template.Globals.Function.CodeUri as string;
    for (const [handler, file] of [
      [receiver.Handler, 'receiver.js'],
      [worker.Handler, 'worker.js'],
    ]) {
      expect(handler).toBe(`${file.replace('.js', '')}.handler`);
      expect(existsSync(join(root, 'examples/webhook-lambda', code, file)), file).toBe(true);
    }
    expect(Object.keys(receiver.Environment.Variables).sort()).toEqual([
      'BITBUCKET_WEBHOOK_SECRET',
      'GITHUB_WEBHOOK_SECRET',
      'GITLAB_WEBHOOK_TOKEN',
      'QUEUE_URL',
    ]);
    expectOptionalProviders(template, receiver);
    // The worker verifies each message's signature with a key derived from the webhook secret.
    expect(Object.keys(worker.Environment.Variables).sort()).toEqual([
      'GITHUB_WEBHOOK_SECRET',
      'NEON_API_KEY',
    ]);
    const actions = (fn: Template) =>
      fn.Policies.flatMap((policy: Template) => policy.Statement.flatMap((s: Template) => s.Action));
    expect(actions(receiver)).toEqual(['sqs:SendMessage']);
    expect(
      actions(worker)
        .filter((action: string) => action.startsWith('sqs:'))
        .sort(),
    ).toEqual(['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']);
  });
});

describe('examples/webhook-lambda/single-function.yaml', () => {
  it('still points at the single bundle', () => {
    const template = load('single-function.yaml');
    const fn = template.Resources.WebhookFunction.Properties;
    expect(fn.Handler).toBe('index.handler');
    expect(existsSync(join(root, 'examples/webhook-lambda', fn.CodeUri, 'index.js'))).toBe(true);
    expectOptionalProviders(template, fn);
  });
});

/**
 * GitLab's and Bitbucket's secrets are referenced only when their parameter says "true" (default
 * "false"): a dynamic reference to a key the secret lacks would fail the deploy of everyone else.
 */
function expectOptionalProviders(template: Template, fn: Template): void {
  for (const [variable, parameter] of [
    ['GITLAB_WEBHOOK_TOKEN', 'GitLabDeliveries'],
    ['BITBUCKET_WEBHOOK_SECRET', 'BitbucketDeliveries'],
  ] as const) {
    expect(template.Parameters[parameter]).toMatchObject({
      Default: 'false',
      AllowedValues: ['false', 'true'],
    });
    const [condition, value, otherwise] = fn.Environment.Variables[variable]['Fn::If'];
    expect(template.Conditions[condition]).toEqual({ 'Fn::Equals': [{ Ref: parameter }, 'true'] });
    expect(value).toEqual({
      'Fn::Sub': `{{resolve:secretsmanager:\${SecretName}:SecretString:${variable}}}`,
    });
    expect(otherwise).toEqual({ Ref: 'AWS::NoValue' });
  }
}
