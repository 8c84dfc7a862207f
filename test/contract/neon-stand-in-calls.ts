import { expect } from 'vitest';
import type { NeonStandIn } from '../fakes/neon-server.js';

/** Where the stand-in's clock starts in the tests of its branch rules. */
export const START = Date.parse('2026-03-01T12:00:00Z');

export interface RawAnswer {
  status: number;
  body: Record<string, unknown> & { message?: string };
}

/** A request to the stand-in's project over raw HTTP: its own rules are under test, not a client's. */
export async function callStandIn(
  standIn: NeonStandIn,
  method: string,
  path: string,
  body?: unknown,
): Promise<RawAnswer> {
  const response = await fetch(`${standIn.url}/projects/${standIn.projectId}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${standIn.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : JSON.parse(text) };
}

/** Creates a branch with a read-write endpoint; its id and the ids of the operations it started. */
export async function createBranchOn(
  standIn: NeonStandIn,
  branch: Record<string, unknown>,
): Promise<{ id: string; operations: string[] }> {
  const answer = await callStandIn(standIn, 'POST', '/branches', {
    branch,
    endpoints: [{ type: 'read_write' }],
  });
  expect(answer.status).toBe(201);
  const created = answer.body as { branch: { id: string }; operations: Array<{ id: string }> };
  return { id: created.branch.id, operations: created.operations.map((operation) => operation.id) };
}

export function finishOn(standIn: NeonStandIn, operations: string[]): void {
  for (const id of operations) standIn.setOperationStatus(id, 'finished');
}
