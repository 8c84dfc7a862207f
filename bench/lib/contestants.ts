import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import { pushTo } from '../../test/fixtures/payloads.js';
import { actionInvocation, ROOT, runTimed, type Timed } from './processes.js';
import { amplifyOperation, type Exchange } from './proxy.js';
import { APP_ID, type World } from './world.js';

/** One way of deploying a new branch: ours, or a peer a team could use instead. */
export interface Contestant {
  name: 'ours' | 'ours-shared-password' | 'neonctl' | 'create-branch-action';
  /** Deploys `branch` (whose Amplify branch exists) and returns when the process has ended. */
  run(world: World, branch: string): Promise<Timed>;
}

/** The inputs that point our action at the world's stand-ins. */
export function ourInputs(world: World): Record<string, string> {
  return {
    'neon-api-key': world.neon.apiKey,
    'neon-project-id': world.neon.projectId,
    'neon-api-host': world.neonApiHost,
    'amplify-app-id': APP_ID,
  };
}

/**
 * Our action on a push of `branch`, as the runner starts it. `later`: a later push of the branch
 * (`created: false`), else the push that created it, as the first push of a branch is.
 */
export function oursWith(
  options: { name?: Contestant['name']; later?: boolean; inputs?: Record<string, string> } = {},
): Contestant {
  return {
    name: options.name ?? 'ours',
    run: async (world, branch) => {
      const invocation = actionInvocation({
        actionDir: ROOT,
        inputs: { ...ourInputs(world), ...options.inputs },
        event: { name: 'push', payload: pushTo(branch, false, { later: options.later ?? false }) },
        env: world.awsEnv,
      });
      try {
        return await runTimed(process.execPath, [invocation.main], { env: invocation.env });
      } finally {
        invocation.cleanup();
      }
    },
  };
}

export const ours = oursWith();

/** The StartJob of `branch` that succeeded among `exchanges`: the end of every deploy measured here. */
export function startJobAnswered(exchanges: readonly Exchange[], branch: string): Exchange | undefined {
  const path = `/branches/${encodeURIComponent(branch)}/jobs`;
  return exchanges.find(
    (exchange) =>
      exchange.service === 'amplify' &&
      exchange.status === 200 &&
      amplifyOperation(exchange.method, exchange.url) === 'StartJob' &&
      exchange.url.split('?')[0]?.endsWith(path),
  );
}

export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** The AWS CLI the peers use: BENCH_AWS_CLI, else the first `aws` on PATH. */
export function awsCli(): { path: string; version: string } | string {
  const path = process.env.BENCH_AWS_CLI || findOnPath('aws');
  if (path === undefined) return 'the AWS CLI is not on PATH (Debian: apt-get install -y awscli)';
  try {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
    return { path, version: version.split(' ')[0] ?? version };
  } catch (error) {
    return `${path} --version failed: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** neonctl from npm, installed on first use into .bench-tools/ (ignored by git). */
export const NEONCTL_VERSION = '5.0.1';
const TOOLS = join(ROOT, '.bench-tools');

export function neonctl(progress: (line: string) => void): { path: string; version: string } | string {
  const bin = join(TOOLS, 'node_modules', '.bin', 'neonctl');
  const installed = (): string | undefined => {
    try {
      const manifest = JSON.parse(
        readFileSync(join(TOOLS, 'node_modules', 'neonctl', 'package.json'), 'utf8'),
      );
      return existsSync(bin) ? String(manifest.version) : undefined;
    } catch {
      return undefined;
    }
  };
  if (installed() !== NEONCTL_VERSION) {
    progress(`installing neonctl@${NEONCTL_VERSION} into .bench-tools/ ...`);
    // Under `npm run`, npm_execpath is the npm that runs us; npm on PATH otherwise.
    const npm = process.env.npm_execpath;
    const [command, prefix] = npm?.endsWith('.js') ? [process.execPath, [npm]] : ['npm', []];
    try {
      execFileSync(
        command,
        [...prefix, 'install', '--prefix', TOOLS, '--no-audit', '--no-fund', `neonctl@${NEONCTL_VERSION}`],
        { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 },
      );
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
      return `npm could not install neonctl@${NEONCTL_VERSION}: ${stderr.split('\n').slice(-2).join(' ') || (error as Error).message}`;
    }
  }
  const version = installed();
  return version === undefined
    ? `neonctl is missing from ${TOOLS} after npm install`
    : { path: bin, version };
}

function peerEnv(world: World, branch: string, aws: string): Record<string, string> {
  return {
    ...world.awsEnv,
    AWS_CLI: aws,
    AMPLIFY_APP_ID: APP_ID,
    AMPLIFY_ENDPOINT_URL: world.amplifyProxy.url,
    GIT_BRANCH: branch,
    // The Debian AWS CLI would otherwise look for a pager and a terminal.
    AWS_PAGER: '',
  };
}

export function neonctlPeer(tools: { neonctl: string; aws: string }): Contestant {
  return {
    name: 'neonctl',
    run: async (world, branch) => {
      // A HOME of its own: neonctl keeps a config folder there, and the machine's must not leak in.
      const home = mkdtempSync(join(tmpdir(), 'bench-neonctl-'));
      try {
        return await runTimed('bash', [join(ROOT, 'bench/peers/neonctl-awscli.sh')], {
          env: {
            PATH: process.env.PATH ?? '',
            HOME: home,
            ...peerEnv(world, branch, tools.aws),
            NEONCTL: tools.neonctl,
            NEON_API_KEY: world.neon.apiKey,
            NEON_API_HOST: world.neonApiHost,
            NEON_PROJECT_ID: world.neon.projectId,
          },
        });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The official action from a checkout, run as the runner would, with the values its inputs take
 * under their own names (they changed across versions: `role` was `username`, `parent_branch` was
 * `parent`); only inputs its action.yml declares are set.
 */
export function createBranchActionPeer(tools: { dir: string; aws: string }): Contestant {
  const yml = parse(readFileSync(join(tools.dir, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, unknown>;
  };
  const declared = new Set(Object.keys(yml.inputs ?? {}));
  return {
    name: 'create-branch-action',
    run: async (world, branch) => {
      const wanted: Record<string, string> = {
        api_key: world.neon.apiKey,
        project_id: world.neon.projectId,
        api_host: world.neonApiHost,
        branch_name: `preview/${branch}`,
        role: 'neondb_owner',
        username: 'neondb_owner',
        database: 'neondb',
      };
      const inputs = Object.fromEntries(Object.entries(wanted).filter(([name]) => declared.has(name)));
      const invocation = actionInvocation({
        actionDir: tools.dir,
        inputs,
        event: { name: 'push', payload: pushTo(branch) },
        env: {},
      });
      try {
        return await runTimed('bash', [join(ROOT, 'bench/peers/create-branch-action-awscli.sh')], {
          env: {
            ...invocation.env,
            ...peerEnv(world, branch, tools.aws),
            NODE: process.execPath,
            ACTION_MAIN: invocation.main,
          },
        });
      } finally {
        invocation.cleanup();
      }
    },
  };
}

/** Why the create-branch-action checkout cannot run, or undefined when it can. */
export function checkCreateBranchAction(dir: string): string | undefined {
  if (!existsSync(join(dir, 'action.yml'))) return `${dir} has no action.yml`;
  const yml = parse(readFileSync(join(dir, 'action.yml'), 'utf8')) as {
    runs?: { using?: string; main?: string };
  };
  const using = yml.runs?.using ?? '';
  if (!/^node\d+$/.test(using))
    return `${dir}/action.yml runs '${using}': only a JavaScript (node) version can run here`;
  if (!existsSync(join(dir, yml.runs?.main ?? 'dist/index.js')))
    return `${dir} has no ${yml.runs?.main} (its committed dist/)`;
  return undefined;
}
