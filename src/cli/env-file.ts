import { resolve } from 'node:path';
import { messageOf } from '../core/errors.js';
import type { Plan } from '../core/plan.js';
import type { Result } from '../core/result.js';
import type { Settings } from '../core/settings.js';
import type { CliOptions } from './args.js';
import type { CliLogger } from './log.js';

/**
 * `--write-env`: the connection string (and the direct one, with unpooled-env-var-name) into the
 * dotenv file the SSR runtime reads, once the run has them. Returns the file's full path.
 */
export async function writeEnvFile(
  plan: Plan,
  result: Result,
  settings: Settings,
  options: CliOptions,
  log: CliLogger,
): Promise<string | undefined> {
  const file = options.writeEnv;
  if (file === undefined || plan.kind !== 'deploy') return undefined;
  const names = [settings.envVarName, settings.unpooledEnvVarName].filter((name) => name !== undefined);
  if (settings.dryRun) {
    log.info(`Dry run: would write ${names.join(' and ')} to ${file}`);
    return undefined;
  }
  const entries = entriesOf(result, settings);
  if (entries.length === 0) {
    throw new Error(
      `Writing ${settings.envVarName} to ${file} failed: the run produced no connection string`,
    );
  }
  // Loaded only to write: a chunk file of its own, so that a start with no file to write does not
  // load it and node:fs/promises (scripts/build.js).
  const { writeDotenv } = await import('./dotenv.js');
  try {
    const changes = await writeDotenv(file, entries);
    entries.forEach(([name], index) => {
      const change = changes[index];
      if (change === 'created') log.info(`Created ${file} with ${name}`);
      else if (change === 'replaced') log.info(`Replaced ${name} in ${file}`);
      else log.info(`Added ${name} to ${file}`);
    });
  } catch (error) {
    throw new Error(`Writing ${names.join(' and ')} to ${file} failed: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return resolve(file);
}

function entriesOf(result: Result, settings: Settings): [string, string][] {
  if (result.kind !== 'deploy' || result.connection === undefined) return [];
  const entries: [string, string][] = [[settings.envVarName, result.connection.url]];
  if (settings.unpooledEnvVarName !== undefined && result.directConnection !== undefined) {
    entries.push([settings.unpooledEnvVarName, result.directConnection.url]);
  }
  return entries;
}
