import { messageOf } from '../errors.js';
import type { DeployPlan } from '../plan.js';
import { maskCredentialsIn } from '../redact.js';
import type { BranchRef, DeployResult } from '../result.js';
import type { ExecuteOptions } from './options.js';

export type SchemaReport = Pick<DeployResult, 'parent' | 'schemaDiff'>;

/**
 * The preview's schema against its parent's (`compare_schema`) for the database the connection
 * string opens, and the parent's name for the report. Called at the latest point the run knows the
 * schema: after the build with `wait-for-job` (builds run migrations), else at the end of the
 * deploy, which shows what earlier builds migrated. A report, not a step of the deploy: a failure is
 * a warning and the deploy stands. Credentials a dump can hold (URLs, `password '…'` options) are
 * masked before the diff goes anywhere.
 */
export async function compareWithParent(
  plan: DeployPlan,
  result: DeployResult,
  options: ExecuteOptions,
): Promise<SchemaReport> {
  const { neon, log, settings } = options;
  const { neonBranch, connection } = result;
  const parentId = neonBranch.parentId;
  // A primary branch is the parent itself (production too); a dry run has no connection and changed nothing.
  if (!settings.schemaDiff || plan.primary || result.production || connection === undefined) return {};
  if (parentId === undefined) {
    log.info(`No schema diff: Neon branch '${neonBranch.name}' has no parent`);
    return {};
  }
  const databaseName = decodeURIComponent(new URL(connection.url).pathname.slice(1));
  const [diff, parent] = await Promise.all([
    neon.compareSchema(neonBranch.id, parentId, databaseName).catch((error: unknown) => {
      log.warning(
        `Schema diff skipped: ${messageOf(error)}. The deploy itself is done; set schema-diff: false to stop comparing`,
      );
      return undefined;
    }),
    // Only for the report's "Parent" row, when the deploy did not read it already: its id is
    // shown when its name cannot be read.
    result.parent?.id === parentId ? result.parent : neon.resolveBranch(parentId).catch(() => undefined),
  ]);
  const parentRef: BranchRef = { id: parentId, name: parent?.name ?? parentId };
  if (diff === undefined) return { parent: parentRef };
  const lines = diff === '' ? 0 : diff.replace(/\n$/, '').split('\n').length;
  log.info(
    lines === 0
      ? `Schema of '${databaseName}' on '${neonBranch.name}' is the same as on '${parentRef.name}'`
      : `Schema of '${databaseName}' on '${neonBranch.name}' differs from '${parentRef.name}' (a diff of ${lines} lines: the schema-diff output)`,
  );
  return { parent: parentRef, schemaDiff: maskCredentialsIn(diff) };
}
