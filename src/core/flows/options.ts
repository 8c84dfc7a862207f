import type { Deadline } from '../deadline.js';
import type { AmplifyPort, Logger, MigrationRunner, NeonPort, Sleep } from '../ports.js';
import type { DeployResult } from '../result.js';
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
  /**
   * Called once the Amplify job has started, with the deploy as it stands (the variable written, the
   * job's id), before any wait for it: a front end reports the build (a GitHub deployment
   * `in_progress`) while it runs. It must not throw; a failure is logged and the deploy goes on.
   */
  onJobStarted?: ((progress: DeployResult) => Promise<void>) | undefined;
  /** The run's budget, paused while waiting for the build (`wait-for-job` has its own limit). */
  deadline?: Deadline | undefined;
}

export function amplifyOf(options: ExecuteOptions): AmplifyPort {
  if (options.amplify === undefined) throw new Error('Internal error: this plan needs the Amplify port');
  return options.amplify;
}
