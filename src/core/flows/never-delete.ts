import type { NeonBranch } from '../ports.js';

/**
 * Why a branch must not be deleted, or undefined when it may: the one rule cleanup and reconcile
 * share. The prefix check is what keeps the tool's hands off every branch it did not make.
 */
export function refuseToDelete(branch: NeonBranch, prefix: string): string | undefined {
  if (branch.default) return "it is the project's default branch";
  if (branch.protected) return 'it is a protected branch';
  if (!branch.name.startsWith(prefix)) return `its name does not start with the prefix '${prefix}'`;
  return undefined;
}
