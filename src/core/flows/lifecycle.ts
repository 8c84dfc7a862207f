import { ApiError, messageOf, UsageError } from '../errors.js';
import type { DeployPlan } from '../plan.js';
import type { NeonBranch } from '../ports.js';
import type { ExecuteOptions } from './options.js';
import { outOfReach } from './out-of-reach.js';

/** `expires_at` for a branch that should live `seconds` from now: RFC 3339 to the second, as Neon takes it. */
export function expiryFrom(now: number, seconds: number): string {
  return new Date(Math.floor(now / 1000) * 1000 + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The expiry a new preview is created with, when expires-in is set. */
export function newExpiry(options: ExecuteOptions): string | undefined {
  const seconds = options.settings.expiresInSeconds;
  return seconds === undefined ? undefined : expiryFrom((options.now ?? Date.now)(), seconds);
}

/**
 * What a deploy does to a preview that already existed: with reset-on-push, back to its parent's
 * latest state (before anything connects, and before migrate-command); with expires-in, its expiry
 * moved forward, so a branch that is still pushed to never expires. Returns the expiry in force.
 */
export async function refreshPreview(
  plan: DeployPlan,
  /** `parent` is read only for a branch that lists none (a schema-only preview is a root branch). */
  { branch, parent }: { branch: NeonBranch; parent: () => Promise<NeonBranch> },
  options: ExecuteOptions,
): Promise<string | undefined> {
  // The deploy asks this before it gets here; asked again, so no caller can get it wrong.
  if (plan.primary || outOfReach(branch, options.settings) !== undefined) return undefined;
  if (options.settings.resetOnPush) {
    await resetToParent(branch, branch.parentId ?? (await parent()).id, options);
  }
  return moveExpiry(branch, options);
}

async function resetToParent(branch: NeonBranch, parentId: string, options: ExecuteOptions): Promise<void> {
  const { neon, log } = options;
  log.info(
    `Resetting Neon branch '${branch.name}' to the latest state of its parent (${parentId}), reset-on-push`,
  );
  try {
    await neon.restoreBranch(branch.id, parentId);
  } catch (error) {
    if (
      !(error instanceof ApiError && error.status === 400 && /child|preserve_under_name/i.test(error.message))
    ) {
      throw error;
    }
    // Neon would keep the old state under a name of our choosing; guessing one would leave branches
    // behind that no cleanup knows about.
    throw new UsageError(
      `Cannot reset Neon branch '${branch.name}' (reset-on-push): it has child branches, and Neon then needs a name to keep its current state under (preserve_under_name), which this tool does not guess. Delete its child branches, or set reset-on-push: false`,
    );
  }
}

async function moveExpiry(branch: NeonBranch, options: ExecuteOptions): Promise<string | undefined> {
  const { neon, log } = options;
  const expiresAt = newExpiry(options);
  if (expiresAt === undefined) return branch.expiresAt;
  try {
    await neon.setExpiry(branch.id, expiresAt);
    log.info(`Neon branch '${branch.name}' now expires at ${expiresAt} (expires-in)`);
    return expiresAt;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 400 && /child/i.test(error.message))) throw error;
    log.warning(
      `Neon branch '${branch.name}' has child branches, and Neon refuses an expiry on such a branch: it keeps ${branch.expiresAt ?? 'no expiry'} (${messageOf(error)})`,
    );
    return branch.expiresAt;
  }
}
