import { invalid, parseDuration, parseSuspendTimeout, type Readers } from './setting-parsers.js';

export const BRANCH_TYPES = ['parent-data', 'schema-only'] as const;
export type BranchType = (typeof BRANCH_TYPES)[number];

/** How previews are made, how long they live, and what a push does to them. */
export function lifecycleSettings(r: Readers) {
  const branchType = r.oneOf('branch-type', BRANCH_TYPES, 'parent-data');
  const resetOnPush = r.boolean('reset-on-push', false);
  if (resetOnPush && branchType === 'schema-only') {
    throw invalid(
      'reset-on-push',
      'true',
      'false with branch-type: schema-only (a schema-only branch has no parent to reset to; a reset would copy the parent rows in)',
    );
  }
  return {
    branchType,
    resetOnPush,
    expiresInSeconds: parseDuration('expires-in', r.text('expires-in')),
    suspendTimeoutSeconds: parseSuspendTimeout(r.text('suspend-timeout')),
  };
}
