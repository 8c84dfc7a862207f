import type { Plan } from '../../core/plan.js';
import type { Settings } from '../../core/settings.js';

/** What a cleanup delivery claims, to be checked with GitHub before anything is deleted. */
export type CleanupClaim =
  | { kind: 'pull-request-closed'; number: number }
  | { kind: 'branch-deleted'; branch: string };

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
