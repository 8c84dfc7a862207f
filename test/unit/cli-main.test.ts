import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/cli/log.js';
import { EXIT_DONE, EXIT_USAGE, main } from '../../src/cli/main.js';
import { jsonResult, summaryLines } from '../../src/cli/report.js';
import type { DeployResult } from '../../src/core/result.js';

/** main() in-process, for the paths that end before any request (no server is listening anywhere). */
async function cli(argv: string[], env: Record<string, string> = {}, nodeVersion = 'v24.21.0') {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    env,
    nodeVersion,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

const CONFIGURED = {
  NEON_API_KEY: 'napi_secret_key_123',
  NEON_PROJECT_ID: 'calm-sun-123456',
  AMPLIFY_APP_ID: 'd1a2b3c4d5e6f7',
  AWS_REGION: 'us-east-1',
};

describe('main', () => {
  it('prints help on stdout with exit 0: general and per command', async () => {
    const general = await cli(['--help']);
    expect(general).toMatchObject({ code: EXIT_DONE, stderr: '' });
    expect(general.stdout).toContain('Usage: neon-amplify-branch <command> [options]');
    const deploy = await cli(['help', 'create-branch']);
    expect(deploy.stdout).toContain('Usage: neon-amplify-branch deploy [options]');
    expect(deploy.stdout).toContain('--write-env FILE');
    const cleanup = await cli(['cleanup', '-h']);
    expect(cleanup.stdout).toContain('--[no-]delete-amplify-branch');
    expect(cleanup.stdout).not.toContain('--write-env FILE');
  });

  it('bad usage on the command line: the error and one line pointing at --help, not the whole usage', async () => {
    expect(await cli(['deploi'])).toEqual({
      code: EXIT_USAGE,
      stdout: '',
      stderr:
        "error: Unknown command 'deploi': expected deploy, cleanup, reconcile, list, create-branch, cleanup-branches\n" +
        "Run 'neon-amplify-branch --help' for the commands.\n",
    });
    expect(await cli(['deploy', '--nope'])).toEqual({
      code: EXIT_USAGE,
      stdout: '',
      stderr: "error: Unknown option '--nope'\nRun 'neon-amplify-branch deploy --help' for the options.\n",
    });
  });

  it('--version, -V and version print the package version on stdout, on any Node.js', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    for (const argv of [['--version'], ['-V'], ['version']]) {
      expect(await cli(argv, {}, 'v20.20.2')).toEqual({
        code: EXIT_DONE,
        stdout: `neon-amplify-branch ${version}\n`,
        stderr: '',
      });
    }
  });

  it('a Node.js older than package.json engines: one line saying what is needed, exit 2, nothing run', async () => {
    const result = await cli(['deploy', '--git-branch', 'feat'], CONFIGURED, 'v20.20.2');
    expect(result).toEqual({
      code: EXIT_USAGE,
      stdout: '',
      stderr:
        'error: neon-amplify-branch needs Node.js 22 or later (package.json engines >=22); this is Node.js v20.20.2. In an Amplify build: nvm install 22 && nvm use 22 before it.\n',
    });
    // Help still works, to find out what the tool is.
    expect((await cli(['--help'], {}, 'v20.20.2')).code).toBe(EXIT_DONE);
    // A recent enough one goes on (here to the missing git branch, before any request).
    for (const version of ['v22.0.0', 'v24.0.0', 'v25.2.1']) {
      const ok = await cli(['cleanup'], CONFIGURED, version);
      expect(ok.stderr).toContain('cleanup needs a git branch');
      expect(ok.stderr).not.toContain('Node.js');
    }
  });

  it('a negative --job-timeout-minutes is refused by the setting, saying it must be positive', async () => {
    const result = await cli(['deploy', '--git-branch', 'feat', '--job-timeout-minutes', '-1'], CONFIGURED);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain(
      "error: Invalid job-timeout-minutes '-1': expected a positive number of minutes",
    );
  });

  it('a setting the core refuses is bad usage: exit 2, the message, a pointer to --help', async () => {
    const result = await cli(
      ['deploy', '--git-branch', 'feat', '--neon-project-id', 'Not A Project'],
      CONFIGURED,
    );
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("error: Invalid neon-project-id 'Not A Project'");
    expect(result.stderr).toContain("Run 'neon-amplify-branch deploy --help'");
  });

  it('a missing required setting names its flag and its variable', async () => {
    const { NEON_PROJECT_ID: _project, ...noProject } = CONFIGURED;
    const result = await cli(['reconcile'], noProject);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain(
      'error: Input required and not supplied: neon-project-id (a Neon project id such as autumn-disk-484331): give --neon-project-id or set NEON_PROJECT_ID',
    );
  });

  it('deploy and cleanup need a git branch outside an Amplify build', async () => {
    const result = await cli(['cleanup'], CONFIGURED);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain('cleanup needs a git branch: --git-branch BRANCH (or GIT_BRANCH)');
  });

  it('reconcile refuses an explicitly empty prefix before anything is sent', async () => {
    const result = await cli(['reconcile', '--branch-prefix='], CONFIGURED);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain("Invalid branch-prefix ''");
  });

  it('a plan that calls Amplify needs a region, checked up front', async () => {
    const { AWS_REGION: _region, ...noRegion } = CONFIGURED;
    const result = await cli(['deploy', '--git-branch', 'feat'], noRegion);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain('No AWS region');
  });

  it('never prints the API key, even when an error would carry it', async () => {
    const result = await cli(['deploy', '--git-branch', 'feat', '--parent-branch', CONFIGURED.NEON_API_KEY], {
      ...CONFIGURED,
      ON_RUNNING_JOB: CONFIGURED.NEON_API_KEY,
    });
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain("Invalid on-running-job '***'");
    expect(result.stderr).not.toContain(CONFIGURED.NEON_API_KEY);
  });
});

describe('createLogger', () => {
  it('masks every secret registered, the longest first, and keeps debug for --verbose', () => {
    let out = '';
    const log = createLogger({ write: (text: string) => (out += text) }, { verbose: false });
    log.secret('pw123');
    log.secret('postgresql://u:pw123@host/db');
    log.info('url postgresql://u:pw123@host/db and pw123');
    log.warning('careful');
    log.debug('hidden');
    expect(out).toBe('url *** and ***\nwarning: careful\n');
  });
});

describe('report', () => {
  const result: DeployResult = {
    kind: 'deploy',
    gitBranch: 'x',
    dryRun: false,
    neonBranch: { id: 'br-1', name: 'preview/x' },
    created: false,
    connection: { url: 'postgresql://u:pw@h/db', host: 'h' },
  };

  it('leaves the connection string out of the JSON unless asked for', () => {
    const plan = { kind: 'deploy', gitBranch: 'x', neonBranchName: 'preview/x', primary: false } as const;
    const hidden = jsonResult({
      command: 'deploy',
      plan,
      dryRun: false,
      result,
      includeDatabaseUrl: false,
    });
    expect(hidden.outputs).not.toHaveProperty('database-url');
    expect(hidden.outputs['database-host']).toBe('h');
    const shown = jsonResult({
      command: 'deploy',
      plan,
      dryRun: false,
      result,
      includeDatabaseUrl: true,
    });
    expect(shown.outputs['database-url']).toBe('postgresql://u:pw@h/db');
  });

  it('never puts the connection string in the closing lines', () => {
    const lines = summaryLines(result);
    expect(lines).toEqual([
      '  neon-branch-id: br-1',
      '  neon-branch-name: preview/x',
      '  created: false',
      '  database-host: h',
      '  amplify-branch: x',
    ]);
  });
});
