import type { WorkPlan } from '../../core/plan.js';
import { isRecord } from '../../core/records.js';
import { DELIVERY_ID, sqsId } from '../delivery/ids.js';
import type { CleanupClaim, Delivery } from '../delivery/types.js';

/**
 * What the receiver puts on the queue for the worker: the verified delivery's classification,
 * never a secret. The worker reads the settings (the Neon API key among them) from its own
 * configuration for the repository, so a message in the queue, in the dead-letter queue or in a
 * log holds nothing that opens a database. The receiver signs the body (the `signature` attribute,
^ * signature.ts); the worker reads nothing of a body whose signature does not verify.
 */
export interface QueueMessage {
  /** The format; a worker refuses one it does not know (logged, not retried). */
  version: 1;
  /** X-GitHub-Delivery (or the provider's delivery id), also the message's MessageDeduplicationId. */
  delivery: string;
  /**
   * One piece of a delivery with several (a Bitbucket push of several branches): its own id, the
   * MessageDeduplicationId instead of the delivery id (src/webhook/delivery/classified.ts, `workId`).
   */
  workId?: string | undefined;
  event: string;
  /** `owner/name`; undefined only for a payload without one (taken with the environment's settings). */
  repository: string | undefined;
  /** The payload's default branch: the primary branch when PRIMARY_BRANCHES is not set. */
  defaultBranch: string | undefined;
  plan: WorkPlan;
  /** For a cleanup, what it claims, checked with GitHub by the worker right before deleting. */
  claim: CleanupClaim | undefined;
  /** The pushed commit (a push's `after`): the GitHub deployment is made of it. */
  sha?: string | undefined;
  /** When the receiver accepted it (ISO 8601), so the worker can log how long it waited. */
  acceptedAt: string;
}

/** A body the worker cannot use: it fails the same way every time, so it is not retried. */
export class MalformedMessage extends Error {
  override name = 'MalformedMessage';
}

/**
 * The FIFO group of a delivery: one per repository and git branch, so a branch's deliveries run
 * in order and different branches in parallel: `{owner}/{repo}:{branch}` through `sqsId`.
 */
export function messageGroupId(repository: string | undefined, branch: string): string {
  return sqsId(`${repository ?? '(none)'}:${branch}`);
}

/** The message for a delivery that asks for work. */
export function toQueueMessage(delivery: Delivery, acceptedAt: Date): QueueMessage {
  return {
    version: 1,
    delivery: delivery.id,
    ...(delivery.workId === undefined ? {} : { workId: delivery.workId }),
    event: delivery.event,
    repository: delivery.repository,
    defaultBranch: delivery.defaultBranch,
    plan: delivery.plan,
    claim: delivery.claim,
    sha: delivery.sha,
    acceptedAt: acceptedAt.toISOString(),
  };
}

/** Checks a queue message's body field by field; MalformedMessage says what is wrong. */
export function parseQueueMessage(body: string): QueueMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new MalformedMessage(`the body is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(value)) throw new MalformedMessage('the body is not a JSON object');
  if (value.version !== 1) {
    throw new MalformedMessage(`unknown message version ${JSON.stringify(value.version)}; expected 1`);
  }
  const text = (name: string, optional = false): string | undefined => {
    const field = value[name];
    if (field === undefined && optional) return undefined;
    if (typeof field !== 'string' || field === '') throw new MalformedMessage(`'${name}' is not a string`);
    return field;
  };
  const delivery = text('delivery') as string;
  if (!DELIVERY_ID.test(delivery)) throw new MalformedMessage(`'delivery' is not a delivery id`);
  const workId = text('workId', true);
  if (workId !== undefined && !DELIVERY_ID.test(workId))
    throw new MalformedMessage(`'workId' is not an SQS id`);
  return {
    version: 1,
    delivery,
    ...(workId === undefined ? {} : { workId }),
    event: text('event') as string,
    repository: text('repository', true),
    defaultBranch: text('defaultBranch', true),
    plan: planOf(value.plan),
    claim: claimOf(value.claim),
    sha: shaOf(text('sha', true)),
    acceptedAt: text('acceptedAt') as string,
  };
}

/** A commit id as git prints it: 40 hex digits, 64 in a SHA-256 repository. */
function shaOf(sha: string | undefined): string | undefined {
  if (sha !== undefined && !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) {
    throw new MalformedMessage("'sha' is not a commit id");
  }
  return sha;
}

function planOf(plan: unknown): QueueMessage['plan'] {
  if (!isRecord(plan) || (plan.kind !== 'deploy' && plan.kind !== 'cleanup')) {
    throw new MalformedMessage("'plan' is not a deploy or a cleanup");
  }
  if (typeof plan.gitBranch !== 'string' || typeof plan.neonBranchName !== 'string') {
    throw new MalformedMessage("'plan' names no git branch and Neon branch");
  }
  // The worker plans again under its own settings; these fields are compared, not trusted.
  return plan as QueueMessage['plan'];
}

function claimOf(claim: unknown): CleanupClaim | undefined {
  if (claim === undefined) return undefined;
  if (isRecord(claim)) {
    if (claim.kind === 'pull-request-closed' && Number.isInteger(claim.number)) {
      return { kind: 'pull-request-closed', number: claim.number as number };
    }
    if (claim.kind === 'branch-deleted' && typeof claim.branch === 'string') {
      return { kind: 'branch-deleted', branch: claim.branch };
    }
  }
  throw new MalformedMessage("'claim' is not a pull request closed or a branch deleted");
}
