import { UsageError } from '../../core/errors.js';
import { type Intent, isWorkPlan, makePlan } from '../../core/plan.js';
import type { Classified } from '../classify.js';
import type { ProviderConfig } from '../provider.js';
import type { Verified } from '../validate.js';

interface Ref {
  type?: unknown;
  name?: unknown;
  target?: { hash?: unknown } | null;
}

interface Side {
  branch?: { name?: unknown } | null;
  repository?: { full_name?: unknown } | null;
}

interface Payload {
  repository?: { full_name?: unknown; mainbranch?: { name?: unknown } | null } | null;
  push?: { changes?: unknown } | null;
  pullrequest?: { source?: Side | null; destination?: Side | null } | null;
}

type Found = Intent & { sha?: string | undefined };

/**
 * Pure: what a verified Bitbucket Cloud delivery asks for. `repo:push`: its change of a branch
 * (`new` null: the branch was deleted, cleanup; else a deploy of `new.name`); tags are ignored.
 * `pullrequest:fulfilled` (merged) and `pullrequest:rejected` (declined) clean up the source branch,
 * unless it lives in another repository (a fork), whose branch owns no Neon branch here. Settings
 * are CONFIG_FILE's `bitbucket:{full_name}`.
 */
export function classifyBitbucket(
  verified: Verified,
  config: Pick<ProviderConfig, 'settingsFor'>,
): Classified {
  const payload = verified.payload as Payload;
  const repository = bitbucketRepository(payload);
  const found = intentOf(verified.event, payload);
  if (found.command === 'none') return { kind: 'ignored', status: 'ignored', reason: found.reason };
  const settings = config.settingsFor(repository);
  if (settings === undefined) {
    const reason = `repository '${repository ?? ''}' is not in CONFIG_FILE`;
    return { kind: 'ignored', status: 'ignored', reason };
  }
  // Bitbucket's repository object names its main branch when the payload includes it.
  const defaultBranch = text(payload.repository?.mainbranch?.name);
  try {
    const plan = makePlan(found, settings, { defaultBranch });
    if (!isWorkPlan(plan)) {
      const reason = plan.kind === 'none' ? plan.reason : 'no work';
      return { kind: 'ignored', status: 'ignored', reason };
    }
    const { delivery: id, event } = verified;
    const sha = found.sha;
    return { kind: 'work', delivery: { id, event, repository, plan, settings, defaultBranch, sha } };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { kind: 'unusable', error: `Unusable ${verified.event} payload: ${error.message}` };
  }
}

/** `bitbucket:{repository.full_name}`, the repository's key in CONFIG_FILE. */
export function bitbucketRepository(payload: object): string | undefined {
  const fullName = text((payload as Payload).repository?.full_name);
  return fullName === undefined ? undefined : `bitbucket:${fullName}`;
}

function intentOf(event: string, payload: Payload): Found {
  const none = (reason: string): Found => ({ command: 'none', reason });
  if (event === 'repo:push') return pushIntent(payload);
  if (event === 'pullrequest:fulfilled' || event === 'pullrequest:rejected') {
    const { source, destination } = payload.pullrequest ?? {};
    const from = text(source?.repository?.full_name);
    const to = text(destination?.repository?.full_name);
    if (from?.toLowerCase() !== to?.toLowerCase())
      return none('a pull request from another repository: its branch owns no Neon branch here');
    const branch = text(source?.branch?.name);
    if (branch === undefined) return none('a pull request without a source branch');
    return { command: 'cleanup', gitBranch: branch };
  }
  return none(
    `event '${event}' needs nothing (handled: repo:push, pullrequest:fulfilled, pullrequest:rejected)`,
  );
}

/**
 * The push's one branch change. A push of several branches at once carries one change each; the
 * handler dispatches one delivery per request, so such a push is refused by name rather than half
 * done (reconcile, or the next push of each branch, catches up).
 */
function pushIntent(payload: Payload): Found {
  const changes = Array.isArray(payload.push?.changes) ? (payload.push.changes as unknown[]) : [];
  const branches = changes
    .map((change) => change as { new?: Ref | null; old?: Ref | null })
    .filter((change) => (change.new ?? change.old)?.type === 'branch');
  if (branches.length === 0) return { command: 'none', reason: 'a push of no branch (a tag)' };
  if (branches.length > 1) {
    return {
      command: 'none',
      reason: `a push of ${branches.length} branches at once: only one branch per push is handled; push them one at a time`,
    };
  }
  const [change] = branches;
  if (change?.new === null || change?.new === undefined) {
    const name = text(change?.old?.name);
    return name === undefined
      ? { command: 'none', reason: 'a deleted branch without a name' }
      : { command: 'cleanup', gitBranch: name };
  }
  const name = text(change.new.name);
  if (name === undefined) return { command: 'none', reason: 'a pushed branch without a name' };
  return { command: 'deploy', gitBranch: name, sha: text(change.new.target?.hash) };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
