import { UsageError } from '../../core/errors.js';
import { branchFromRef } from '../../core/naming.js';
import { type Intent, isWorkPlan, makePlan } from '../../core/plan.js';
import type { ProviderConfig } from '../delivery/provider.js';
import type { Classified, Verified } from '../delivery/types.js';

/** `after` of a push that deleted the branch (and `before` of one that created it). */
const ZERO_SHA = /^0{40}$/;

interface Payload {
  ref?: unknown;
  before?: unknown;
  after?: unknown;
  project?: { path_with_namespace?: unknown; default_branch?: unknown; id?: unknown } | null;
  object_attributes?: {
    action?: unknown;
    source_branch?: unknown;
    source_project_id?: unknown;
    target_project_id?: unknown;
  } | null;
}

/**
 * Pure: what a verified GitLab delivery asks for. A branch push deploys (all-zero `after`: the
 * branch was deleted, cleanup); a merge request closed or merged cleans up its source branch,
 * unless the source branch lives in another project (a fork), whose branch owns no Neon branch
 * here. Settings are CONFIG_FILE's `gitlab:{path_with_namespace}`.
 */
export function classifyGitLab(verified: Verified, config: Pick<ProviderConfig, 'settingsFor'>): Classified {
  const payload = verified.payload as Payload;
  const repository = gitlabRepository(payload);
  const found = intentOf(verified.event, payload);
  if (found.command === 'none') return { kind: 'ignored', status: 'ignored', reason: found.reason };
  const settings = config.settingsFor(repository);
  if (settings === undefined)
    return {
      kind: 'ignored',
      status: 'ignored',
      reason: `repository '${repository ?? ''}' is not in CONFIG_FILE`,
    };
  const defaultBranch = text(payload.project?.default_branch);
  try {
    const plan = makePlan(found, settings, { defaultBranch });
    if (!isWorkPlan(plan))
      return { kind: 'ignored', status: 'ignored', reason: plan.kind === 'none' ? plan.reason : 'no work' };
    const sha = plan.kind === 'deploy' ? text(payload.after) : undefined;
    const delivery = {
      id: verified.delivery,
      event: verified.event,
      repository,
      plan,
      settings,
      defaultBranch,
      sha,
    };
    return { kind: 'work', pieces: [delivery] };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { kind: 'unusable', error: `Unusable ${verified.event} payload: ${error.message}` };
  }
}

/** `gitlab:{project.path_with_namespace}`, the project's key in CONFIG_FILE. */
export function gitlabRepository(payload: object): string | undefined {
  const path = text((payload as Payload).project?.path_with_namespace);
  return path === undefined ? undefined : `gitlab:${path}`;
}

function intentOf(event: string, payload: Payload): Intent {
  const none = (reason: string): Intent => ({ command: 'none', reason });
  if (event === 'Push Hook') {
    const branch = branchFromRef(text(payload.ref));
    if (branch === undefined) return none(`push of '${text(payload.ref) ?? ''}', not of a branch`);
    if (ZERO_SHA.test(text(payload.after) ?? '')) return { command: 'cleanup', gitBranch: branch };
    const created = ZERO_SHA.test(text(payload.before) ?? '');
    return { command: 'deploy', gitBranch: branch, ...(created ? { newInGit: true } : {}) };
  }
  if (event === 'Merge Request Hook') {
    const mr = payload.object_attributes;
    const action = text(mr?.action);
    if (action !== 'close' && action !== 'merge')
      return none(`merge request '${action ?? ''}' needs nothing`);
    if (mr?.source_project_id !== mr?.target_project_id)
      return none('a merge request from another project: its branch owns no Neon branch here');
    const branch = text(mr?.source_branch);
    if (branch === undefined) return none('a merge request without a source branch');
    return { command: 'cleanup', gitBranch: branch };
  }
  return none(`event '${event}' needs nothing (handled: Push Hook, Merge Request Hook)`);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
