import type { AmplifyPort, Logger, MigrationRunner, NeonPort, Sleep } from '../ports.js';
import type { Settings } from '../settings.js';

/** What every flow runs with: the ports, the settings, and the ways to log and to mask. */
export interface ExecuteOptions {
  neon: NeonPort;
  /** Absent when the plan leaves Amplify alone (see `needsAmplify`), so it needs no region then. */
  amplify?: AmplifyPort | undefined;
  settings: Settings;
  log: Logger;
  /** Called with every secret the moment it is received, before any log line or output. */
  secret: (value: string) => void;
  /** Runs migrate-command (src/migrate/shell.ts); needed only when it is set. */
  migrate?: MigrationRunner | undefined;
  sleep?: Sleep;
  now?: () => number;
  /** How often to look at Amplify jobs while replacing or waiting; production uses the defaults. */
  jobPollInitialMs?: number;
  jobPollMaxMs?: number;
  /**
   * Skip the Amplify variable write and the job: inside an Amplify build the build is already
   * running, and a job started from it would start another build (the CLI sets this).
   */
  neonOnly?: boolean;
}

export function amplifyOf(options: ExecuteOptions): AmplifyPort {
  if (options.amplify === undefined) throw new Error('Internal error: this plan needs the Amplify port');
  return options.amplify;
}
