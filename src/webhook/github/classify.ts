import type { PullRequestClosedEvent, PushEvent } from '@octokit/webhooks-types';
import { UsageError } from '../../core/errors.js';
import { isWorkPlan, makePlan, type Plan } from '../../core/plan.js';
import type { Unchecked } from '../../core/records.js';
import { intentFromEvent } from '../../github/event.js';
import { pushedSha } from '../../github/target.js';
import type { WebhookConfig } from '../config/config.js';
import type { Classified, CleanupClaim, Verified } from '../delivery/types.js';

/** The events that can ask for work; every other one is acknowledged and ignored. */
const HANDLED_EVENTS = ['push', 'pull_request', 'delete'];

/** Pure: which GitHub repository's settings apply, and what the event asks for under them. */
export function classifyGitHub(verified: Verified, config: Pick<WebhookConfig, 'settingsFor'>): Classified {
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
  if (!isWorkPlan(plan)) {
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
  // GitHub's field names; the value is still checked, since nothing has vouched for it.
  const pull: Unchecked<PullRequestClosedEvent> = payload;
  const number = pull.pull_request?.number;
  return typeof number === 'number' ? { kind: 'pull-request-closed', number } : undefined;
}

export function repositoryOf(payload: object): string | undefined {
  const push: Unchecked<PushEvent> = payload;
  const name = push.repository?.full_name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}
