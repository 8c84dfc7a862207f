import { describe, expect, it } from 'vitest';
import { type CliRequest, parseCli } from '../../src/cli/args.js';
import { explainParseError } from '../../src/cli/argv.js';
import { type CliCommand, CliUsageError } from '../../src/cli/commands.js';
import { SETTING_FLAGS } from '../../src/cli/flags.js';
import { INPUT_NAMES } from '../../src/core/setting-names.js';

function options(argv: string[]) {
  const request = parseCli(argv);
  if (request.kind !== 'run') throw new Error(`expected a run, got ${request.kind}`);
  return request;
}

describe('parseCli', () => {
  it('has a flag for every action input but command, which is the positional argument', () => {
    expect(Object.keys(SETTING_FLAGS).sort()).toEqual(
      INPUT_NAMES.filter((name) => name !== 'command').sort(),
    );
  });

  it('takes values as --name value and --name=value, keeping an empty value and a leading dash inline', () => {
    const { options: parsed } = options([
      'deploy',
      '--neon-project-id',
      'calm-sun-123456',
      '--git-branch=feat/a=b',
      '--branch-prefix=',
      '--role=-odd',
    ]);
    expect(parsed.settings).toEqual({
      'neon-project-id': 'calm-sun-123456',
      'git-branch': 'feat/a=b',
      'branch-prefix': '',
      role: '-odd',
    });
  });

  it.each([
    [['--pooled'], 'true'],
    [['--pooled=true'], 'true'],
    [['--pooled=TRUE'], 'true'],
    [['--pooled=false'], 'false'],
    [['--pooled=False'], 'false'],
    [['--no-pooled'], 'false'],
    [['--no-pooled', '--pooled'], 'true'],
  ])('booleans: %j → pooled %s', (args, expected) => {
    expect(options(['deploy', ...args]).options.settings.pooled).toBe(expected);
  });

  it('refuses a boolean that is not one (ture) and one given as a separate word', () => {
    const ture = () => parseCli(['deploy', '--dry-run=ture']);
    expect(ture).toThrowError(CliUsageError);
    expect(ture).toThrowError(
      expect.objectContaining({ message: "Invalid --dry-run 'ture': expected true or false" }),
    );
    const separate = () => parseCli(['deploy', '--dry-run', 'false']);
    expect(separate).toThrowError(CliUsageError);
    expect(separate).toThrowError('--name=false or --no-name');
  });

  it('maps the command names of neon-ci.sh onto deploy and reconcile', () => {
    expect(options(['create-branch'])).toMatchObject({ command: 'deploy', spelledAs: 'create-branch' });
    expect(options(['cleanup-branches'])).toMatchObject({
      command: 'reconcile',
      spelledAs: 'cleanup-branches',
    });
  });

  it("maps neon-ci.sh's option names onto ours", () => {
    const { options: parsed } = options([
      'create-branch',
      '--app-id',
      'd1a2b3',
      '--neon-project-id',
      'p-1',
      '--branch-name',
      'feat',
      '--parent-branch',
      'dev',
      '--api-key-param',
      '/neon/key',
      '--role-name',
      'owner',
      '--database-name',
      'app',
      '--suspend-timeout',
      '300',
    ]);
    expect(parsed.settings).toEqual({
      'amplify-app-id': 'd1a2b3',
      'neon-project-id': 'p-1',
      'git-branch': 'feat',
      'parent-branch': 'dev',
      role: 'owner',
      database: 'app',
      'suspend-timeout': '300',
    });
    expect(parsed.ssmParameter).toBe('/neon/key');
  });

  it('refuses an alias and its own spelling together', () => {
    const both = () => parseCli(['deploy', '--app-id', 'd1', '--amplify-app-id', 'd2']);
    expect(both).toThrowError(CliUsageError);
    expect(both).toThrowError(
      expect.objectContaining({
        message: '--app-id and --amplify-app-id are the same option: give one of them',
      }),
    );
  });

  it('adds up repeated --primary-branches', () => {
    expect(
      options(['reconcile', '--primary-branches', 'main', '--primary-branches=develop']).options.settings,
    ).toEqual({
      'primary-branches': 'main\ndevelop',
    });
  });

  it.each([
    [['deploi'], "Unknown command 'deploi'", undefined],
    [['toString'], "Unknown command 'toString'", undefined],
    [[], 'No command given', undefined],
    [['--git-branch', 'x'], 'No command given', undefined],
    [['deploy', '--nope'], "Unknown option '--nope'", 'deploy'],
    [['deploy', '-x'], "Unknown option '-x'", 'deploy'],
    [['deploy', '--no-role'], "Unknown option '--no-role': --role takes a value", 'deploy'],
    [['deploy', '--role'], "Option '--role' needs a value", 'deploy'],
    [['deploy', '--role', '--pooled'], "Option '--role' needs a value", 'deploy'],
    [['deploy', '--no-pooled=yes'], "Option '--pooled' is a boolean: give --pooled", 'deploy'],
    [['deploy', '-hx'], "Unknown option '-x'", 'deploy'],
    [['deploy', '--help=maybe'], "Invalid --help 'maybe'", 'deploy'],
    [['deploy', 'extra'], "Unexpected argument 'extra'", 'deploy'],
    [['cleanup', '--write-env', '.env'], '--write-env applies to deploy only', 'cleanup'],
    [['deploy', '--write-env='], "Invalid write-env ''", 'deploy'],
    [['deploy', '--output', 'yaml'], "Invalid output 'yaml': expected text or json", 'deploy'],
  ])('%j is bad usage: %s', (argv, message, command) => {
    const parse = () => parseCli(argv);
    expect(parse).toThrowError(CliUsageError);
    expect(parse).toThrowError(message);
    expect(parse).toThrowError(expect.objectContaining({ command }));
  });

  it.each<[string[], CliCommand | undefined]>([
    [['--help'], undefined],
    [['-h'], undefined],
    [['help'], undefined],
    [['help', 'cleanup'], 'cleanup'],
    [['deploy', '--help'], 'deploy'],
    [['create-branch', '-h'], 'deploy'],
  ])('%j asks for help', (argv, command) => {
    expect(parseCli(argv)).toEqual({ kind: 'help', command } satisfies CliRequest);
  });

  it.each<[string[]]>([
    [['--version']],
    [['-V']],
    [['version']],
    [['deploy', '--version']],
    [['cleanup', '-V']],
  ])('%j asks for the version', (argv) => {
    expect(parseCli(argv)).toEqual({ kind: 'version' } satisfies CliRequest);
  });

  it('takes a negative number after a flag as its value, so the setting can say what is wrong with it', () => {
    const { options: parsed } = options([
      'deploy',
      '--job-timeout-minutes',
      '-1',
      '--suspend-timeout',
      '-1',
      '--role',
      '-0.5',
    ]);
    expect(parsed.settings).toEqual({ 'job-timeout-minutes': '-1', role: '-0.5', 'suspend-timeout': '-1' });
    // Anything else that starts with '-' is still the next option, not a value.
    expect(() => parseCli(['deploy', '--role', '-x'])).toThrowError(CliUsageError);
    expect(() => parseCli(['deploy', '--role', '-x'])).toThrowError("Option '--role' needs a value");
    expect(() => parseCli(['deploy', '--pooled', '-1'])).toThrowError("Unknown option '-1'");
  });

  it('defaults: text output, no file, no secrets in the JSON, quiet', () => {
    expect(options(['cleanup']).options).toEqual({
      settings: {},
      ssmParameter: undefined,
      writeEnv: undefined,
      output: 'text',
      includeDatabaseUrl: false,
      verbose: false,
    });
  });

  it("explains a parse error from parseArgs' tokens, whatever Node's message says", () => {
    const options = { role: { type: 'string' }, pooled: { type: 'boolean' } } as const;
    const reworded = new Error('Node may word this any way it likes');
    expect(explainParseError(reworded, ['--nope'], options)).toBe("Unknown option '--nope'");
    expect(explainParseError(reworded, ['--pooled', '--role'], options)).toMatch(
      /^Option '--role' needs a value/,
    );
    expect(explainParseError(reworded, ['--no-role'], options)).toBe(
      "Unknown option '--no-role': --role takes a value, it is not a boolean",
    );
    // Nothing wrong with any option: the error's own first line.
    expect(explainParseError(new Error('first\nsecond'), ['--role', 'x'], options)).toBe('first');
  });
});
