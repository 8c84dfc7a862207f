import { UsageError } from '../core/errors.js';
import { makePlan, type Plan } from '../core/plan.js';
import type { Settings } from '../core/settings.js';
import { intentFromEvent } from '../github/event.js';
import { pushedSha } from '../github/target.js';
import type { WebhookConfig } from './config.js';
import type { CleanupClaim } from './replay-guard.js';
import type { Verified } from './validate.js';

/** A verified delivery that asks for work. */
export interface Delivery {
  id: string;
  event: string;
  repository: string | undefined;
  /** A deploy or a cleanup: deliveries that need nothing are answered without dispatching. */
  plan: Extract<Plan, { kind: 'deploy' | 'cleanup' }>;
  settings: Settings;
  /** For a cleanup: what the delivery says happened, checked with GitHub before deleting. */
  claim?: CleanupClaim | undefined;
  /** The repository's default branch as the payload gives it: the primary branch by default. */
  defaultBranch?: string | undefined;
  /** The pushed commit, for the GitHub deployment. */
  sha?: string | undefined;
  /**
   * Set when the delivery carries several pieces of work (a Bitbucket push of several branches):
   * this piece's own id, for SQS's deduplication and the worker's memory (src/webhook/message.ts,
   * `sqsId`). Absent, the delivery id serves.
   */
  workId?: string | undefined;
}

/** The id a piece of work is deduplicated under: its own, or its delivery's. */
export function workIdOf(delivery: Pick<Delivery, 'id' | 'workId'>): string {
  return delivery.workId ?? delivery.id;
}

/**
 * What a verified delivery turns into: work (one piece per branch; only a Bitbucket push of several
 * branches has more than one), or the reason it needs none, or why it cannot be used.
 */
export type Classified =
  | { kind: 'work'; pieces: [Delivery, ...Delivery[]] }
  | { kind: 'ignored'; status: 'pong' | 'ignored'; reason: string }
  | { kind: 'unusable'; error: string };

/** The events that can ask for work; every other one is acknowledged and ignored. */
const HANDLED_EVENTS = ['push', 'pull_request', 'delete'];

/** Pure: which repository's settings apply, and what the event asks for under them. */
export function classify(verified: Verified, config: Pick<WebhookConfig, 'settingsFor'>): Classified {
  const { event, payload, delivery } = verified;
  if (event === 'ping') return { kind: 'ignored', status: 'pong', reason: 'Ping' };
  if (!HANDLED_EVENTS.includes(event)) {
    return {
      kind: 'ignored',
      status: 'ignored',
      reason: `event '${event}' needs nothing (handled: ${HANDLED_EVENTS.join(', ')})`,
    };
  }
  const repository = repositoryOf(payload);
  const settings = config.settingsFor(repository);
  if (settings === undefined) {
    return {
      kind: 'ignored',
      status: 'ignored',
      reason: `repository '${repository ?? ''}' is not in CONFIG_FILE`,
    };
  }
  let plan: Plan;
  let defaultBranch: string | undefined;
  try {
    // `auto`: a delivery's event decides; it never asks for reconcile.
    const found = intentFromEvent({ name: event, payload }, { command: 'auto', gitBranch: undefined });
    defaultBranch = found.defaultBranch;
    plan = makePlan(found.intent, settings, { defaultBranch });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { kind: 'unusable', error: `Unusable ${event} payload: ${error.message}` };
  }
  if (plan.kind !== 'deploy' && plan.kind !== 'cleanup') {
    return { kind: 'ignored', status: 'ignored', reason: plan.kind === 'none' ? plan.reason : 'no work' };
  }
  const claim = plan.kind === 'cleanup' ? claimOf(event, payload, plan.gitBranch) : undefined;
  const sha = pushedSha(payload);
  return {
    kind: 'work',
    pieces: [{ id: delivery, event, repository, plan, settings, claim, defaultBranch, sha }],
  };
}

function claimOf(event: string, payload: object, branch: string): CleanupClaim | undefined {
  if (event !== 'pull_request') return { kind: 'branch-deleted', branch };
  const number = (payload as { pull_request?: { number?: unknown } }).pull_request?.number;
  return typeof number === 'number' ? { kind: 'pull-request-closed', number } : undefined;
}

export function repositoryOf(payload: object): string | undefined {
  const repository = (payload as { repository?: { full_name?: unknown } | null }).repository;
  const name = repository?.full_name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}
