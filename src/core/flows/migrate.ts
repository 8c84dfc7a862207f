import type { DeployPlan } from '../plan.js';
import { maskConnectionString } from '../redact.js';
import type { Connection } from '../result.js';
import type { ExecuteOptions } from './options.js';

/**
 * `migrate-command`, after the branch is ready and before anything is written to Amplify: a failed
 * or hung migration (a MigrationError) stops the deploy, so a broken schema never reaches a build.
 * It gets the direct URL, since migration tools need a session (advisory locks, prepared
 * statements) that a transaction-mode pooler does not keep.
 */
export async function runMigration(
  plan: DeployPlan,
  input: { branch: { id: string; name: string }; direct: Connection | undefined },
  options: ExecuteOptions,
): Promise<void> {
  const { settings, log } = options;
  const command = settings.migrateCommand;
  if (command === undefined) return;
  if (options.migrate === undefined || input.direct === undefined) {
    throw new Error(
      'Internal error: migrate-command is set but the run has no migration runner or direct URL',
    );
  }
  const { branch } = input;
  if (plan.primary) {
    log.info(
      `'${plan.gitBranch}' is a primary branch: migrate-command runs against its parent, Neon branch '${branch.name}'`,
    );
  }
  log.info(`Running migrate-command on Neon branch '${branch.name}' (DATABASE_URL is its direct URL)`);
  const secrets: string[] = [];
  maskConnectionString(input.direct.url, (value) => secrets.push(value));
  await options.migrate({
    command,
    env: { DATABASE_URL: input.direct.url, NEON_BRANCH_ID: branch.id, NEON_BRANCH_NAME: branch.name },
    passEnv: settings.migrateEnv,
    secrets,
    timeoutMs: settings.migrateTimeoutMinutes * 60_000,
    log,
  });
  log.info('migrate-command finished');
}
