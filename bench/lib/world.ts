import {
  type AmplifyStandIn,
  amplifyClientEnv,
  startAmplifyStandIn,
} from '../../test/fakes/amplify-server.js';
import { type NeonStandIn, startNeonStandIn } from '../../test/fakes/neon-server.js';
import { type Exchange, type LatencyProxy, startProxy } from './proxy.js';
import { TokenBucket } from './token-bucket.js';

export const APP_ID = 'dbench0000001';
/** A variable every Amplify branch already has, so deploys must merge rather than overwrite. */
export const EXISTING_VARIABLES = { API_URL: 'https://api.example.com' };

export interface WorldOptions {
  /** L: added to every request to either service. */
  latencyMs: number;
  /** D: how long a Neon operation runs, by the wall clock, however often it is read. */
  operationMs: number;
  /** How long a password reset's operation (`apply_config`) runs instead; default D. */
  resetOperationMs?: number;
  /** Neon's rate limit; none when absent. */
  neonRate?: { ratePerSecond: number; burst: number };
}

/** Both stand-ins behind latency proxies, in this process, with an Amplify app and a Neon project. */
export interface World {
  neon: NeonStandIn;
  amplify: AmplifyStandIn;
  neonProxy: LatencyProxy;
  amplifyProxy: LatencyProxy;
  /** Every exchange through either proxy, in arrival order. */
  log: Exchange[];
  /** The Neon API base URL through the proxy (`.../api/v2`). */
  neonApiHost: string;
  /** What a child process's AWS SDK needs to reach the Amplify stand-in through the proxy. */
  awsEnv: Record<string, string>;
  /** An Amplify branch as a connected git branch has it: auto-build off, one variable. */
  addAmplifyBranch(name: string): void;
  /** Ends every job of the branch, as a finished build would, so the next StartJob is not refused. */
  finishJobs(branch: string): void;
  close(): Promise<void>;
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const [neon, amplify] = await Promise.all([
    // Infinitely many reads never end an operation: only the wall clock (D) does, as on Neon.
    startNeonStandIn({ operationSteps: Number.POSITIVE_INFINITY, operationDurationMs: options.operationMs }),
    startAmplifyStandIn({ maxBranchesPerApp: 10_000, concurrentJobsQuota: 10_000 }),
  ]);
  amplify.addApp({ appId: APP_ID });
  if (options.resetOperationMs !== undefined) {
    neon.planOperations({ action: 'apply_config', durationMs: options.resetOperationMs });
  }
  const log: Exchange[] = [];
  const neonUpstream = new URL(neon.url).origin;
  const [neonProxy, amplifyProxy] = await Promise.all([
    startProxy({ service: 'neon', upstream: neonUpstream, log }),
    startProxy({ service: 'amplify', upstream: amplify.url, log }),
  ]);
  neonProxy.latencyMs = options.latencyMs;
  amplifyProxy.latencyMs = options.latencyMs;
  if (options.neonRate !== undefined) {
    neonProxy.bucket = new TokenBucket({ ...options.neonRate, now: () => performance.now() });
  }
  return {
    neon,
    amplify,
    neonProxy,
    amplifyProxy,
    log,
    neonApiHost: `${neonProxy.url}${new URL(neon.url).pathname}`,
    awsEnv: { ...amplifyClientEnv(amplify), AWS_ENDPOINT_URL_AMPLIFY: amplifyProxy.url },
    addAmplifyBranch: (name) => {
      amplify.addBranch(APP_ID, name, {
        environmentVariables: { ...EXISTING_VARIABLES },
        enableAutoBuild: false,
      });
    },
    finishJobs: (branch) => {
      for (const job of amplify.branch(APP_ID, branch)?.jobs ?? []) {
        if (!['SUCCEED', 'FAILED', 'CANCELLED'].includes(job.status)) {
          amplify.setJobStatus(APP_ID, branch, job.jobId, 'SUCCEED');
        }
      }
    },
    close: async () => {
      await Promise.all([neonProxy.close(), amplifyProxy.close()]);
      await Promise.all([neon.close(), amplify.close()]);
    },
  };
}
