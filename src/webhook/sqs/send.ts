import type { SQSClient } from '@aws-sdk/client-sqs';
import { regionFromEnvironment } from '../../core/amplify-settings.js';
import { messageOf, UsageError } from '../../core/errors.js';
import type { Dispatched } from '../delivery/types.js';
import { type Delivery, workIdOf } from '../delivery/types.js';
import { messageGroupId, toQueueMessage } from './message.js';
import { messageSigner, SIGNATURE_ATTRIBUTE } from './signature.js';

/**
 * How long SQS remembers a MessageDeduplicationId: a delivery sent again within it is accepted
 * and dropped. The receiver remembers delivery ids exactly as long, so its own "duplicate" answer
 * means what SQS would do, and a redelivery after it (of a delivery whose work failed for good,
 * say) is queued again.
 */
export const SQS_DEDUPLICATION_WINDOW_MS = 5 * 60_000;

/** The SendMessage attempts together end by then: GitHub waits 10 seconds for the answer. */
const SEND_DEADLINE_MS = 6_000;

export interface EnqueueOptions {
  queueUrl: string;
  /** Gets the SQS client (createQueueClient's loads the SDK and makes it with the first send). */
  client: () => Promise<SQSClient>;
  /** GITHUB_WEBHOOK_SECRET's list: each message is signed under the first (signature.ts). */
  secrets: readonly string[];
  now?: () => Date;
}

/**
 * The receiver's dispatch: one SendMessage per piece of work to the FIFO queue, group = repository
 * and branch, deduplication id = the delivery id (the piece's own when a delivery has several, so a
 * redelivery after a half-sent one queues only what is missing), the body signed for the worker. `queued` once SQS has accepted it (the 202); `refused` when
 * SQS refuses or cannot be reached (the 503): nothing was done, so GitHub's Redeliver is the retry.
 */
export function createSqsDispatch(options: EnqueueOptions): (delivery: Delivery) => Promise<Dispatched> {
  const now = options.now ?? (() => new Date());
  const signer = messageSigner(options.secrets);
  return async (delivery) => {
    const groupId = messageGroupId(delivery.repository, delivery.plan.gitBranch);
    const body = JSON.stringify(toQueueMessage(delivery, now()));
    try {
      const [sqs, { SendMessageCommand }] = await Promise.all([options.client(), loadSqs()]);
      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl: options.queueUrl,
          MessageBody: body,
          MessageGroupId: groupId,
          MessageDeduplicationId: workIdOf(delivery),
          MessageAttributes: {
            [SIGNATURE_ATTRIBUTE]: { DataType: 'String', StringValue: signer.sign(body) },
          },
        }),
        { abortSignal: AbortSignal.timeout(SEND_DEADLINE_MS) },
      );
      return { kind: 'accepted', messageId: sent.MessageId };
    } catch (error) {
      const code = (error as { name?: unknown }).name;
      const reason = `The queue did not take the delivery (SendMessage failed: ${typeof code === 'string' && code !== 'Error' ? `${code}: ` : ''}${messageOf(error)}); nothing was done, redeliver it later`;
      return { kind: 'refused', reason };
    }
  };
}

/**
 * The SQS SDK, evaluated with the first SendMessage rather than at start: the server and the single
 * Lambda without QUEUE_URL never need it, and a ping never does. It is a chunk file of its own
 * (scripts/build.js), so a start that does not send does not even compile it.
 */
function loadSqs() {
  return import('@aws-sdk/client-sqs');
}

/**
 * The SQS client of a receiver: its region from the queue URL (`sqs.<region>.amazonaws.com`), else
 * AWS_REGION / AWS_DEFAULT_REGION; the endpoint from AWS_ENDPOINT_URL_SQS when set (the SDK reads
 * it itself). Short timeouts, so that the SDK's three attempts fit in SEND_DEADLINE_MS: SQS answers
 * SendMessage in milliseconds, and GitHub must get its 503 inside its 10 seconds. The region is
 * checked at once (a missing one stops the start); the SDK is loaded and the client made with the
 * first send, once: a ping, or a delivery refused before it is queued, never loads them.
 */
export function createQueueClient(queueUrl: string, env: NodeJS.ProcessEnv): () => Promise<SQSClient> {
  const host = new URL(queueUrl).hostname;
  const region =
    /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host)?.[1] ??
    /^([a-z0-9-]+)\.queue\.amazonaws\.com(\.cn)?$/.exec(host)?.[1] ??
    regionFromEnvironment(env);
  if (region === undefined) {
    throw new UsageError(
      `No AWS region for QUEUE_URL '${queueUrl}': set AWS_REGION (Lambda sets it), or use the queue's sqs.<region>.amazonaws.com URL`,
    );
  }
  let client: Promise<SQSClient> | undefined;
  return () => {
    client ??= loadSqs().then(
      ({ SQSClient }) =>
        new SQSClient({
          region,
          maxAttempts: 3,
          // Without throwOnRequestTimeout the SDK only warns when requestTimeout passes, and waits on.
          requestHandler: { connectionTimeout: 1_000, requestTimeout: 1_500, throwOnRequestTimeout: true },
        }),
    );
    return client;
  };
}
