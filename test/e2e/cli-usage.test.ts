/**
 * The built CLI's argument checks and the checks of the --write-env target, on Node 24 (the
 * runtime) only: they are the bundle's own code over `fs`, the same on Node 22, which cli.test.ts
 * runs on what leans on the runtime.
 */

import { execFileSync } from 'node:child_process';
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  amplify,
  baseEnv,
  buildEnv,
  CLI,
  cwd,
  expectUrlOfBranch,
  KEY_PARAMETER,
  major,
  neon,
  OLD_NODES,
  ROOT,
  run,
  ssm,
  useCliStandIns,
  useNode,
} from './cli-harness.js';
import { RUNTIME_NODE } from './supported-nodes.js';

useCliStandIns();

describe(`on ${RUNTIME_NODE.name}`, () => {
  useNode(RUNTIME_NODE.bin);

  describe('--write-env: the target', () => {
    const root = process.getuid?.() === 0;

    it.each([
      [
        'a folder',
        async () => mkdir(join(cwd, 'conf.env')),
        'conf.env',
        "--write-env 'conf.env' is a folder",
      ],
      ['in a missing folder', async () => undefined, 'app/.env', "--write-env 'app/.env': the folder"],
      [
        'under a regular file',
        async () => writeFile(join(cwd, 'notes'), 'x'),
        'notes/.env',
        'is a file, not a folder',
      ],
      // Not even root can create a file in /proc, although access(W_OK) says it may.
      [
        'where no one can create a file',
        async () => undefined,
        '/proc/.env',
        "--write-env '/proc/.env': cannot create a file in '/proc'",
      ],
    ])('%s: exit 2 before anything is sent, naming the path given', async (_what, setup, file, message) => {
      await setup();
      const before = await readdir(cwd);
      const result = await run(['deploy', '--write-env', file], {
        ...buildEnv('feat'),
        NEON_API_KEY: neon.apiKey,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\.tmp/);
      expect([...neon.requests, ...amplify.requests, ...ssm.requests]).toEqual([]);
      expect(await readdir(cwd)).toEqual(before);
    });

    it.skipIf(root)('in a folder the user may not write: exit 2, nothing sent', async () => {
      await mkdir(join(cwd, 'locked'), { mode: 0o555 });
      const result = await run(['deploy', '--write-env', 'locked/.env'], {
        ...buildEnv('feat'),
        NEON_API_KEY: neon.apiKey,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("--write-env 'locked/.env': cannot create a file in");
      expect(result.stderr).toContain('permission denied');
      expect(neon.requests).toEqual([]);
    });

    it('a dangling symbolic link stays a link: the file it points at is created', async () => {
      await mkdir(join(cwd, 'config'));
      await symlink('config/app.env', join(cwd, '.env'));
      const result = await run(['deploy', '--write-env', '.env'], {
        ...buildEnv('feat'),
        NEON_API_KEY: neon.apiKey,
      });
      expect(result.stderr).not.toContain('error:');
      expect(result.code).toBe(0);
      expect((await lstat(join(cwd, '.env'))).isSymbolicLink()).toBe(true);
      expect(await readlink(join(cwd, '.env'))).toBe('config/app.env');
      const target = join(cwd, 'config/app.env');
      expect((await stat(target)).mode & 0o777).toBe(0o600);
      expectUrlOfBranch(parseEnv(await readFile(target, 'utf8')).DATABASE_URL, 'preview/feat', {
        pooled: true,
      });
      expect(await readdir(join(cwd, 'config'))).toEqual(['app.env']);
    });

    it('a link into a missing folder is refused up front and names both', async () => {
      await symlink('gone/app.env', join(cwd, '.env'));
      const result = await run(['deploy', '--write-env', '.env'], {
        ...buildEnv('feat'),
        NEON_API_KEY: neon.apiKey,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `--write-env '.env' (a link to '${join(await realpath(cwd), 'gone/app.env')}'): the folder`,
      );
      expect(neon.requests).toEqual([]);
    });
  });

  describe('bad usage', () => {
    it.each([
      [['deploi'], "Unknown command 'deploi'", "Run 'neon-amplify-branch --help' for the commands."],
      [
        ['deploy', '--neon-projekt-id', 'x'],
        "Unknown option '--neon-projekt-id'",
        "Run 'neon-amplify-branch deploy --help' for the options.",
      ],
      [
        ['deploy', '--pooled=ture'],
        "Invalid --pooled 'ture'",
        "Run 'neon-amplify-branch deploy --help' for the options.",
      ],
      [
        ['reconcile', '--write-env', '.env'],
        '--write-env applies to deploy only',
        "Run 'neon-amplify-branch reconcile --help' for the options.",
      ],
      [[], 'No command given', "Run 'neon-amplify-branch --help' for the commands."],
      [
        ['deploy', '--job-timeout-minutes', '-1'],
        "Invalid job-timeout-minutes '-1': expected a positive number of minutes",
        "Run 'neon-amplify-branch deploy --help' for the options.",
      ],
    ])(
      '%j exits 2 with the error and a pointer to --help, and sends nothing',
      async (args, message, pointer) => {
        const result = await run(args, { ...buildEnv('feat'), NEON_API_KEY: neon.apiKey });
        expect(result.code).toBe(2);
        const lines = result.stderr.trimEnd().split('\n');
        expect(lines.at(-2)).toContain(`error: ${message}`);
        expect(lines.at(-1)).toBe(pointer);
        expect(result.stderr).not.toContain('Usage:');
        expect(result.stdout).toBe('');
        expect([...neon.requests, ...amplify.requests, ...ssm.requests]).toEqual([]);
      },
    );

    it('--version prints the version the build embedded from package.json', async () => {
      const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
      const result = await run(['--version'], baseEnv());
      expect(result).toEqual({ code: 0, stdout: `neon-amplify-branch ${version}\n`, stderr: '' });
    });

    // The machine's own Node.js when it is older than 22 (Amplify's build images also have 18 and 20).
    const oldNode = OLD_NODES.find((candidate) => (major(candidate) ?? 99) < 22);
    it.skipIf(oldNode === undefined)(
      'an older Node.js gets one line saying what is needed, exit 2, instead of the AWS SDK warning',
      async () => {
        const version = execFileSync(oldNode as string, ['--version'], { encoding: 'utf8' }).trim();
        const result = await run(
          ['deploy', '--write-env', '.env'],
          { ...buildEnv('feat'), NEON_API_KEY: neon.apiKey },
          [oldNode as string, CLI],
        );
        expect(result).toEqual({
          code: 2,
          stdout: '',
          stderr: `error: neon-amplify-branch needs Node.js 22 or later (package.json engines >=22); this is Node.js ${version}. In an Amplify build: nvm install 22 && nvm use 22 before it.\n`,
        });
        expect([...neon.requests, ...amplify.requests, ...ssm.requests]).toEqual([]);
        expect(await readdir(cwd)).toEqual([]);
      },
    );

    it('an invalid setting exits 2 before the SSM parameter is even read', async () => {
      const result = await run(['deploy', '--api-key-param', KEY_PARAMETER, '--on-running-job', 'later'], {
        ...buildEnv('feat'),
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("Invalid on-running-job 'later'");
      expect([...neon.requests, ...amplify.requests, ...ssm.requests]).toEqual([]);
    });

    it('no key at all exits 2 and says where a key can come from', async () => {
      const result = await run(['deploy'], buildEnv('feat'));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--neon-api-key-ssm-parameter');
      expect(result.stderr).toContain('NEON_API_KEY');
    });
  });
});
