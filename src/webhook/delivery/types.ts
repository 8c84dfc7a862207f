import type { WorkPlan } from '../../core/plan.js';
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
  plan: WorkPlan;
  settings: Settings;
  /** For a cleanup: what the delivery says happened, checked with GitHub before deleting. */
  claim?: CleanupClaim | undefined;
  /** The repository's default branch as the payload gives it: the primary branch by default. */
  defaultBranch?: string | undefined;
  /** The pushed commit, for the GitHub deployment. */
  sha?: string | undefined;
  /**
   * Set when the delivery carries several pieces of work (a Bitbucket push of several branches):
   * this piece's own id, for SQS's deduplication and the worker's memory (src/webhook/delivery/ids.ts,
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

/** Reads the body, stopping as soon as it passes `limit` bytes (undefined then). */
export type BodyReader = (limit: number) => Promise<Buffer | undefined>;

/** The little a request needs to be handled; the Node server and the Lambda adapter each build one. */
export interface WebhookRequest {
  method: string;
  /** The path; a query string after it is ignored. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, or a reader for it, so that an oversize body is never read whole. */
  body: Buffer | BodyReader;
}

/** A delivery whose signature matched and whose body is a JSON object. */
export interface Verified {
  ok: true;
  delivery: string;
  event: string;
  payload: object;
}

/** Why a request was refused; `delivery` and `event` only when they have the provider's shape, for the log. */
export interface Rejection {
  ok: false;
  status: number;
  error: string;
  headers?: Record<string, string>;
  delivery?: string | undefined;
  event?: string | undefined;
}

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * What became of a dispatched piece of work: accepted (in its lane on the server, or sent to SQS:
 * `messageId`), refused (the lanes full, SQS unreachable), or already run (the single Lambda).
 */
export type Dispatched =
  | { kind: 'accepted'; messageId?: string | undefined }
  | { kind: 'refused'; reason: string }
  | { kind: 'done'; outputs: Record<string, string> }
  | { kind: 'failed'; message: string };

/** What answers a request: the server's and the single Lambda's app, or the queued receiver. */
export interface RequestHandler {
  handle(request: WebhookRequest): Promise<WebhookResponse>;
}
