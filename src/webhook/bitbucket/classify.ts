import { UsageError } from '../../core/errors.js';
import { type Intent, isWorkPlan, makePlan } from '../../core/plan.js';
import { sqsId } from '../delivery/ids.js';
import type { ProviderConfig } from '../delivery/provider.js';
import type { Classified, Delivery, Verified } from '../delivery/types.js';

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

type Found =
  | { command: 'deploy' | 'cleanup'; gitBranch: string; sha?: string | undefined }
  | { command: 'none'; reason: string };

/**
 * Pure: what a verified Bitbucket Cloud delivery asks for. `repo:push`: each change of a branch
 * (`new` null: the branch was deleted, cleanup; else a deploy of `new.name`), one piece of work per
 * branch; tags are ignored. `pullrequest:fulfilled` (merged) and `pullrequest:rejected` (declined)
 * clean up the source branch, unless it lives in another repository (a fork), whose branch owns no
 * Neon branch here. Settings are CONFIG_FILE's `bitbucket:{full_name}`.
 */
export function classifyBitbucket(
  verified: Verified,
  config: Pick<ProviderConfig, 'settingsFor'>,
): Classified {
  const payload = verified.payload as Payload;
  const repository = bitbucketRepository(payload);
  const found = intentsOf(verified.event, payload);
  const wanted = found.filter((intent) => intent.command !== 'none');
  if (wanted.length === 0) return { kind: 'ignored', status: 'ignored', reason: reasonOf(found) };
  const settings = config.settingsFor(repository);
  if (settings === undefined) {
    const reason = `repository '${repository ?? ''}' is not in CONFIG_FILE`;
    return { kind: 'ignored', status: 'ignored', reason };
  }
  // Bitbucket's repository object names its main branch when the payload includes it.
  const defaultBranch = text(payload.repository?.mainbranch?.name);
  const { delivery: id, event } = verified;
  const pieces: Delivery[] = [];
  const skipped: Intent[] = [];
  try {
    for (const intent of wanted) {
      const plan = makePlan(intent, settings, { defaultBranch });
      if (!isWorkPlan(plan)) {
        skipped.push({ command: 'none', reason: plan.kind === 'none' ? plan.reason : 'no work' });
        continue;
      }
      pieces.push({ id, event, repository, plan, settings, defaultBranch, sha: intent.sha });
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { kind: 'unusable', error: `Unusable ${event} payload: ${error.message}` };
  }
  const [first, ...rest] = pieces;
  if (first === undefined) return { kind: 'ignored', status: 'ignored', reason: reasonOf(skipped) };
  if (rest.length === 0) return { kind: 'work', pieces: [first] };
  // Several pieces: each its own id, so SQS and the worker tell them apart (src/webhook/delivery/ids.ts).
  const own = (piece: Delivery): Delivery => ({ ...piece, workId: sqsId(`${id}:${piece.plan.gitBranch}`) });
  return { kind: 'work', pieces: [own(first), ...rest.map(own)] };
}

function reasonOf(found: readonly (Found | Intent)[]): string {
  const reasons = found.map((intent) => (intent.command === 'none' ? intent.reason : ''));
  return [...new Set(reasons.filter((reason) => reason !== ''))].join('; ') || 'no work';
}

/** `bitbucket:{repository.full_name}`, the repository's key in CONFIG_FILE. */
export function bitbucketRepository(payload: object): string | undefined {
  const fullName = text((payload as Payload).repository?.full_name);
  return fullName === undefined ? undefined : `bitbucket:${fullName}`;
}

function intentsOf(event: string, payload: Payload): Found[] {
  const none = (reason: string): Found[] => [{ command: 'none', reason }];
  if (event === 'repo:push') return pushIntents(payload);
  if (event === 'pullrequest:fulfilled' || event === 'pullrequest:rejected') {
    const { source, destination } = payload.pullrequest ?? {};
    const from = text(source?.repository?.full_name);
    const to = text(destination?.repository?.full_name);
    if (from?.toLowerCase() !== to?.toLowerCase())
      return none('a pull request from another repository: its branch owns no Neon branch here');
    const branch = text(source?.branch?.name);
    if (branch === undefined) return none('a pull request without a source branch');
    return [{ command: 'cleanup', gitBranch: branch }];
  }
  return none(
    `event '${event}' needs nothing (handled: repo:push, pullrequest:fulfilled, pullrequest:rejected)`,
  );
}

/**
 * One intent per branch the push changed (Bitbucket sends one change per ref). A branch named by
 * two changes is worked on once, as its last change says.
 */
function pushIntents(payload: Payload): Found[] {
  const changes = Array.isArray(payload.push?.changes) ? (payload.push.changes as unknown[]) : [];
  const branches = changes
    .map((change) => change as { new?: Ref | null; old?: Ref | null })
    .filter((change) => (change.new ?? change.old)?.type === 'branch');
  if (branches.length === 0) return [{ command: 'none', reason: 'a push of no branch (a tag)' }];
  const byBranch = new Map<string, Found>();
  const unnamed: Found[] = [];
  for (const change of branches) {
    const found = changeIntent(change);
    if (found.command === 'none') unnamed.push(found);
    else byBranch.set(found.gitBranch, found);
  }
  return [...byBranch.values(), ...unnamed];
}

function changeIntent(change: { new?: Ref | null; old?: Ref | null }): Found {
  if (change.new === null || change.new === undefined) {
    const name = text(change.old?.name);
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
