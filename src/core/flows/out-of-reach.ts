import type { NeonBranch } from '../ports.js';
import type { Settings } from '../settings.js';

/**
 * Why a Neon branch is production, out of reach of every change this tool makes (restore, expiry,
 * new password, delete), or undefined when it is not: the project's default branch, a protected
 * branch, or the parent-branch that primary branches use (README.md, "Safety rules"). Asked of the
 * branch as Neon lists it, whatever its name: an empty branch-prefix can make a git branch's Neon
 * name that of production, and primary-branches need not list that git branch.
 */
export function outOfReach(
  branch: NeonBranch,
  { parentBranch }: Pick<Settings, 'parentBranch'>,
): string | undefined {
  if (branch.default) return "the project's default branch";
  if (branch.protected) return 'a protected branch';
  // The setting takes a name or an id (resolveParent); either one names this branch.
  if (parentBranch !== undefined && (branch.id === parentBranch || branch.name === parentBranch)) {
    return 'the parent-branch, the database primary branches use';
  }
  return undefined;
}

/**
 * Why a branch must not be deleted, or undefined when it may: the one rule cleanup and reconcile
 * share. The prefix check is what keeps the tool's hands off every branch it did not make.
 */
export function refuseToDelete(
  branch: NeonBranch,
  settings: Pick<Settings, 'branchPrefix' | 'parentBranch'>,
): string | undefined {
  const production = outOfReach(branch, settings);
  if (production !== undefined) return `it is ${production}`;
  const prefix = settings.branchPrefix;
  if (!branch.name.startsWith(prefix)) return `its name does not start with the prefix '${prefix}'`;
  return undefined;
}
