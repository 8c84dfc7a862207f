import { afterEach, describe, expect, it } from 'vitest';
import { type NeonStandIn, startNeonStandIn } from '../fakes/neon-server.js';
import { callStandIn, createBranchOn, finishOn, START } from './neon-stand-in-calls.js';

/**
 * The stand-in's rules for what resets a branch the deploy flow uses (src/core/flows/lifecycle.ts,
 * src/core/flows/role-password.ts), without real databases: restore onto the parent, and a role's
 * new password. Every answer is also checked against the OpenAPI file (violations).
 */

let standIn: NeonStandIn;

async function start(): Promise<void> {
  standIn = await startNeonStandIn({ now: () => START, operationDurationMs: null });
}

afterEach(async () => {
  expect(standIn.violations).toEqual([]);
  await standIn.close();
});

const call = (method: string, path: string, body?: unknown) => callStandIn(standIn, method, path, body);
const createBranch = (branch: Record<string, unknown>) => createBranchOn(standIn, branch);
const finish = (operations: string[]) => finishOn(standIn, operations);

describe('POST /branches/{id}/restore', () => {
  it("gives the branch the source's roles again and keeps id, name and endpoint", async () => {
    await start();
    const main = standIn.defaultBranch();
    const preview = await createBranch({ name: 'preview/a' });
    finish(preview.operations);
    const reset = await call('POST', `/branches/${preview.id}/roles/neondb_owner/reset_password`);
    finish((reset.body.operations as Array<{ id: string }>).map((operation) => operation.id));
    const endpointBefore = standIn.state.endpoints.find((endpoint) => endpoint.branch_id === preview.id);
    expect(standIn.passwordOf(preview.id, 'neondb_owner')).not.toBe(
      standIn.passwordOf(main.id, 'neondb_owner'),
    );

    const answer = await call('POST', `/branches/${preview.id}/restore`, { source_branch_id: main.id });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ branch: { id: preview.id, name: 'preview/a' } });
    expect((answer.body.branch as { last_reset_at?: string }).last_reset_at).toBe('2026-03-01T12:00:00Z');
    expect(standIn.passwordOf(preview.id, 'neondb_owner')).toBe(standIn.passwordOf(main.id, 'neondb_owner'));
    expect(standIn.state.endpoints.find((endpoint) => endpoint.branch_id === preview.id)?.host).toBe(
      endpointBefore?.host,
    );
    expect(standIn.state.branches).toHaveLength(2);
  });

  it('needs preserve_under_name when the branch has children, and moves them to the preserved branch', async () => {
    await start();
    const main = standIn.defaultBranch();
    const preview = await createBranch({ name: 'preview/a' });
    finish(preview.operations);
    const child = await createBranch({ name: 'preview/a-child', parent_id: preview.id });
    finish(child.operations);

    const refused = await call('POST', `/branches/${preview.id}/restore`, { source_branch_id: main.id });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('preserve_under_name');

    const answer = await call('POST', `/branches/${preview.id}/restore`, {
      source_branch_id: main.id,
      preserve_under_name: 'preview/a-old',
    });
    expect(answer.status).toBe(200);
    const preserved = standIn.branchByName('preview/a-old');
    expect(preserved?.parent_id).toBe(main.id);
    expect(standIn.branchById(child.id)?.parent_id).toBe(preserved?.id);
  });

  it.each([
    ['onto itself without preserve_under_name', (id: string) => ({ source_branch_id: id }), 400],
    [
      'onto itself without a point in time',
      (id: string) => ({ source_branch_id: id, preserve_under_name: 'old' }),
      400,
    ],
    [
      'to a point in time, which the stand-in keeps no history for',
      (id: string) => ({
        source_branch_id: id,
        preserve_under_name: 'old',
        source_timestamp: '2026-03-01T11:00:00Z',
      }),
      501,
    ],
    ['from a branch that does not exist', () => ({ source_branch_id: 'br-missing-000000' }), 404],
  ])('refuses a restore %s', async (_, body, status) => {
    await start();
    const preview = await createBranch({ name: 'preview/a' });
    finish(preview.operations);
    expect((await call('POST', `/branches/${preview.id}/restore`, body(preview.id))).status).toBe(status);
  });

  it('answers 423 while the branch is still being created', async () => {
    await start();
    const preview = await createBranch({ name: 'preview/a' });
    const answer = await call('POST', `/branches/${preview.id}/restore`, {
      source_branch_id: standIn.defaultBranch().id,
    });
    expect(answer.status).toBe(423);
  });
});

describe('POST /branches/{id}/roles/{role}/reset_password', () => {
  it('answers the new password and the operations that apply it', async () => {
    await start();
    const preview = await createBranch({ name: 'preview/a' });
    finish(preview.operations);
    const before = standIn.passwordOf(preview.id, 'neondb_owner');

    const answer = await call('POST', `/branches/${preview.id}/roles/neondb_owner/reset_password`);

    expect(answer.status).toBe(200);
    const { role, operations } = answer.body as {
      role: { name: string; password: string };
      operations: Array<{ action: string; endpoint_id?: string }>;
    };
    expect(role.name).toBe('neondb_owner');
    expect(role.password).toMatch(/^npg_[A-Za-z0-9]{12}$/);
    expect(role.password).not.toBe(before);
    expect(standIn.passwordOf(preview.id, 'neondb_owner')).toBe(role.password);
    expect(operations).toMatchObject([
      { action: 'apply_config', endpoint_id: expect.stringMatching(/^ep-/) },
    ]);
    expect(standIn.passwordOf(standIn.defaultBranch().id, 'neondb_owner')).toBe(before);
  });

  it('refuses a role the branch does not have with 404', async () => {
    await start();
    const main = standIn.defaultBranch();
    expect((await call('POST', `/branches/${main.id}/roles/nobody/reset_password`)).status).toBe(404);
  });
});
