import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { messageOf, UsageError } from '../../core/errors.js';
import { isWorkPlan, makePlan } from '../../core/plan.js';
import type { Settings } from '../../core/settings.js';
import type { WebhookConfig } from '../config/config.js';
import type { JsonLogger } from '../config/log.js';
import { type Delivery, workIdOf } from '../delivery/types.js';
import type { DeliveryMemory } from '../run/dedupe.js';
import { type WorkOptions, work } from '../run/job.js';
import { Lanes } from '../run/lanes.js';
import { MalformedMessage, parseQueueMessage, type QueueMessage } from './message.js';
import { type MessageSigner, messageSigner, SIGNATURE_ATTRIBUTE } from './signature.js';

export interface BatchOptions extends Omit<WorkOptions, 'deliveries'> {
  config: Pick<WebhookConfig, 'settingsFor' | 'concurrency' | 'secrets'>;
  /** The delivery ids this instance has done, so a message seen again here is not done twice. */
  deliveries: DeliveryMemory;
}

/** Done: delete it (succeeded, or failed for good and logged). Retry: SQS gives it back later. */
type Settled = 'done' | 'retry';

/**
 * One SQS batch. A FIFO queue's order holds per message group (a repository's branch): records of a
 * group run one after the other, different groups side by side (MAX_CONCURRENCY at once). Lambda
 * deletes every record the answer does not list, so once a record of a group must be retried, it
 * and every later record of that group are listed, not run: run now, a later delivery (the pull
 * request closing) would overtake the earlier one (the push) it must follow. Records of other
 * groups go on: a failing branch does not hold up the others.
 */
export async function processBatch(event: SQSEvent, batch: BatchOptions): Promise<SQSBatchResponse> {
  const options = { ...batch, signer: messageSigner(batch.config.secrets) };
  const records = event.Records;
  const lanes = new Lanes({ concurrency: options.config.concurrency, capacity: records.length + 1 });
  const stopped = new Set<string>();
  const failed = new Set<string>();
  await Promise.all(
    records.map((record) => {
      // A standard queue has no groups: each record stands alone.
      const group = record.attributes.MessageGroupId ?? `\0${record.messageId}`;
      return lanes.push(group, async () => {
        if (stopped.has(group)) {
          options.log.info('Not run: an earlier message of its group is to be retried first', {
            step: 'dequeue',
            messageId: record.messageId,
            outcome: 'deferred',
          });
        } else if ((await settle(record, options)) === 'done') {
          return;
        }
        stopped.add(group);
        failed.add(record.messageId);
      });
    }),
  );
  return {
    batchItemFailures: records
      .filter((record) => failed.has(record.messageId))
      .map((record) => ({ itemIdentifier: record.messageId })),
  };
}

/** One record: read, planned again under this worker's settings, worked on; never throws. */
async function settle(
  record: SQSRecord,
  options: BatchOptions & { signer: MessageSigner },
): Promise<Settled> {
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  let log = options.log.with({ step: 'dequeue', messageId: record.messageId, receiveCount });
  try {
    // Before anything in it is read: only what a receiver holding the secret sent is taken.
    const signature = record.messageAttributes?.[SIGNATURE_ATTRIBUTE]?.stringValue;
    if (!options.signer.verify(record.body, signature)) {
      throw new MalformedMessage(
        'the signature does not verify: not sent by a receiver with this GITHUB_WEBHOOK_SECRET',
      );
    }
    const message = parseQueueMessage(record.body);
    log = log.with({
      delivery: message.delivery,
      event: message.event,
      repository: message.repository,
      branch: message.plan.gitBranch,
    });
    const delivery = deliveryOf(message, options.config, log);
    if (delivery === undefined) return 'done';
    if (!options.deliveries.claim(workIdOf(delivery))) {
      log.info('Duplicate delivery: already done here, not done again', { outcome: 'duplicate' });
      return 'done';
    }
    const waited = Math.max(0, Date.now() - Date.parse(message.acceptedAt));
    if (Number.isFinite(waited)) log.info(`Taken from the queue after ${waited} ms`, { waited });
    const outcome = await work(delivery, options);
    if (outcome.ok) return 'done';
    if (!outcome.permanent) return 'retry';
    log.error(`Not retried: it would fail the same way again (${outcome.message})`, {
      outcome: 'dropped',
    });
    return 'done';
  } catch (error) {
    if (error instanceof UsageError || error instanceof MalformedMessage) {
      // The body holds no secret (message.ts); a long one is cut, the log line stays readable.
      const body = record.body.length > 2_000 ? `${record.body.slice(0, 2_000)}...` : record.body;
      log.error(`Dropped: ${messageOf(error)}; not retried`, { outcome: 'dropped', body });
      return 'done';
    }
    log.error(`Failed: ${messageOf(error)}`, { outcome: 'failed' });
    return 'retry';
  }
}

/**
 * The delivery to work on, with this worker's settings for the repository, or undefined when
 * there is none to do (logged). The plan is made again from what the event asked for: the settings
 * it runs with are the worker's, and a plan made under the receiver's (a prefix changed since)
 * would not match them.
 */
function deliveryOf(
  message: QueueMessage,
  config: BatchOptions['config'],
  log: JsonLogger,
): Delivery | undefined {
  const settings: Settings | undefined = config.settingsFor(message.repository);
  if (settings === undefined) {
    log.warning(`Dropped: repository '${message.repository ?? ''}' is not in CONFIG_FILE`, {
      outcome: 'dropped',
    });
    return undefined;
  }
  const { plan: sent } = message;
  // Whether the push created the git branch is the delivery's fact, not a setting: it travels.
  const newInGit = sent.kind === 'deploy' && sent.newInGit === true;
  const intent = { command: sent.kind, gitBranch: sent.gitBranch, ...(newInGit ? { newInGit } : {}) };
  const plan = makePlan(intent, settings, { defaultBranch: message.defaultBranch });
  if (!isWorkPlan(plan)) {
    log.info(`Nothing to do: ${plan.kind === 'none' ? plan.reason : plan.kind}`, { outcome: 'ignored' });
    return undefined;
  }
  if (JSON.stringify(plan) !== JSON.stringify(message.plan)) {
    log.warning("The worker's settings give another plan than the receiver's: running the worker's", {
      received: message.plan,
      planned: plan,
    });
  }
  const { delivery: id, workId, event, repository, claim, defaultBranch, sha } = message;
  return { id, workId, event, repository, plan, settings, claim, defaultBranch, sha };
}
