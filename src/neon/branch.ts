import type { Branch } from '@neondatabase/api-client';
import type { NeonBranch } from '../core/ports.js';

/** A Neon branch as the core sees it. */
export function toNeonBranch(branch: Branch): NeonBranch {
  return {
    id: branch.id,
    name: branch.name,
    default: branch.default === true,
    protected: branch.protected === true,
    parentId: branch.parent_id,
    createdAt: branch.created_at,
    expiresAt: branch.expires_at,
    ready: branch.current_state === 'ready' && branch.pending_state === undefined,
  };
}
