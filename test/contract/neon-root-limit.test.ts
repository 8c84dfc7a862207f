import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import { NEON_ROOT_BRANCH_LIMITS } from '../fakes/neon-server.js';
import { branchesPath, type Harness, refuseCreate, startHarness } from './neon-harness.js';

/**
 * A schema-only branch is a root branch, and a project holds 3 / 5 / 10 / 25 of them (Free / Launch /
 * Scale / Business), its default branch counted (Neon's schema-only branching guide, "Schema-only
 * branch allowances"; docs/neon-stand-in.md).
 */
let harness: Harness;

afterEach(async () => {
  expect(harness.standIn.violations).toEqual([]);
  await harness.standIn.close();
});

describe('the stand-in', () => {
  it("refuses the schema-only branch past the plan's root-branch limit with 422, the default branch counted", async () => {
    expect(NEON_ROOT_BRANCH_LIMITS).toEqual({ free: 3, launch: 5, scale: 10, business: 25 });
    harness = await startHarness({ standIn: { rootBranchLimit: NEON_ROOT_BRANCH_LIMITS.free } });
    const { standIn, port } = harness;
    const parentId = standIn.defaultBranch().id;

    await port.createBranch({ name: 'preview/a', parentId, schemaOnly: true });
    await port.createBranch({ name: 'preview/b', parentId, schemaOnly: true });
    // Child branches are not root branches: they do not count.
    await port.createBranch({ name: 'preview/c', parentId });
    const third = await fetch(`${standIn.url}${branchesPath(harness)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${standIn.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        branch: { name: 'preview/d', parent_id: parentId, init_source: 'schema-only' },
      }),
    });

    expect(third.status).toBe(422);
    expect(await third.json()).toMatchObject({
      code: 'ROOT_BRANCHES_LIMIT_EXCEEDED',
      message: 'root branches limit exceeded',
    });
    expect(standIn.branchByName('preview/d')).toBeUndefined();
  });
});

describe('the port', () => {
  it('turns the refusal into an error naming the root-branch limit, the plans and branch-type: schema-only', async () => {
    harness = await startHarness({ standIn: { rootBranchLimit: 1 } });
    const { standIn, port } = harness;

    const creating = port.createBranch({
      name: 'preview/a',
      parentId: standIn.defaultBranch().id,
      schemaOnly: true,
    });

    await expect(creating).rejects.toThrow(ApiError);
    await expect(creating).rejects.toMatchObject({ status: 422, code: 'ROOT_BRANCHES_LIMIT_EXCEEDED' });
    const message = await creating.catch((error: Error) => error.message);
    expect(message).toMatch(
      /^Creating Neon branch 'preview\/a' failed: 422 ROOT_BRANCHES_LIMIT_EXCEEDED: root branches limit exceeded \(request id [^)]+\)\. /,
    );
    expect(message).toContain('root-branch limit');
    expect(message).toContain('3 on Free, 5 on Launch, 10 on Scale, 25 on Business');
    expect(message).toContain('branch-type: schema-only');
    expect(message).toContain('branch-type: parent-data');
    // Not retried: waiting does not free a root branch.
    expect(standIn.requestsTo('POST', branchesPath(harness))).toHaveLength(1);
  });

  it("recognises the refusal by Neon's wording when the code is another", async () => {
    harness = await startHarness();
    const { port } = harness;
    refuseCreate(harness, 422, { code: 'BRANCHES_LIMIT_EXCEEDED', message: 'root branches limit exceeded' });

    const creating = port.createBranch({ name: 'preview/a', parentId: undefined, schemaOnly: true });

    await expect(creating).rejects.toThrow(/root-branch limit.*branch-type: schema-only/s);
    // Not also the hint for the plan's branch quota, which deleting child branches would not help.
    await expect(creating).rejects.not.toThrow(/branch quota/);
  });
});
