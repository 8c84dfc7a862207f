import type { NeonRequester } from './request.js';

export interface SchemaComparison {
  projectId: string;
  branchId: string;
  baseBranchId: string;
  databaseName: string;
}

/**
 * `GET .../branches/{id}/compare_schema?base_branch_id=&db_name=`: the unified diff from the base
 * branch's schema to the branch's, `''` when they are equal (Neon leaves `diff` out then).
 */
export async function compareSchema(neon: NeonRequester, input: SchemaComparison): Promise<string> {
  const { projectId, branchId, baseBranchId, databaseName } = input;
  const { data } = await neon.call(
    `Comparing the schema of database '${databaseName}' on Neon branch '${branchId}' with '${baseBranchId}'`,
    (api) =>
      api.getProjectBranchSchemaComparison({
        projectId,
        branchId,
        base_branch_id: baseBranchId,
        db_name: databaseName,
      }),
  );
  return typeof data.diff === 'string' ? data.diff : '';
}
