import type { InputName } from './setting-names.js';
import { invalid, type Readers } from './setting-parsers.js';

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

const DURATION_UNITS: Record<string, number> = { m: 60, h: 3600, d: 86_400 };
/** Neon keeps an expiring branch at most 30 days ahead. */
const MAX_EXPIRY_SECONDS = 30 * 86_400;

/** `expires-in`: `7d`, `36h`, `90m`, more than 0 and at most 30 days; undefined when not given. */
export function parseDuration(name: InputName, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\s*([mhd])$/.exec(value);
  const seconds =
    match === null ? Number.NaN : Number(match[1]) * (DURATION_UNITS[match[2] ?? ''] ?? Number.NaN);
  if (!(seconds > 0 && seconds <= MAX_EXPIRY_SECONDS)) {
    throw invalid(
      name,
      value,
      'a duration of minutes, hours or days such as 90m, 36h or 7d, more than 0 and at most 30d',
    );
  }
  return seconds;
}

/** `suspend-timeout`: Neon's suspend_timeout_seconds, -1 (never) to 604800; 0 means Neon's default. */
export function parseSuspendTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!/^-?\d+$/.test(value) || seconds < -1 || seconds > 604_800) {
    throw invalid(
      'suspend-timeout',
      value,
      "seconds from -1 (never suspend) to 604800, or 0 for Neon's default",
    );
  }
  return seconds === 0 ? undefined : seconds;
}
