import { parseArgs } from 'node:util';
import { messageOf } from '../core/errors.js';
import { joinList } from '../core/setting-parsers.js';
import { explainParseError, normalizeArgv } from './argv.js';
import { type CliCommand, CliUsageError, COMMAND_NAMES, commandOf } from './commands.js';
import {
  CLI_FLAGS,
  DEPLOY_ONLY,
  type FlagSpec,
  SCRIPT_ALIASES,
  SETTING_FLAGS,
  type SettingName,
} from './flags.js';

export interface CliOptions {
  /** Settings given as flags, by input name; booleans as `true` / `false`. */
  settings: Partial<Record<SettingName, string>>;
  ssmParameter: string | undefined;
  writeEnv: string | undefined;
  output: 'text' | 'json';
  includeDatabaseUrl: boolean;
  verbose: boolean;
}

export type CliRequest =
  | { kind: 'help'; command: CliCommand | undefined }
  | { kind: 'version' }
  | { kind: 'run'; command: CliCommand; spelledAs: string; options: CliOptions };

const ALL_FLAGS: Record<string, FlagSpec> = { ...SETTING_FLAGS, ...CLI_FLAGS };

/** Reads argv (without `node` and the script); throws CliUsageError for anything it cannot take. */
export function parseCli(argv: readonly string[]): CliRequest {
  // For the usage shown with an error that stops parsing; the command is usually the first word.
  const guessed = commandOf(argv[0]);
  const { values, positionals } = readArgv(argv, guessed);
  // `--version` anywhere, as `--help`; `version` as a word, as `help` (git and npm take both).
  if (values.version === true || (positionals[0] === 'version' && positionals.length === 1)) {
    return { kind: 'version' };
  }

  const helpWanted = positionals[0] === 'help';
  const words = helpWanted ? positionals.slice(1) : positionals;
  const spelledAs = words[0];
  const command = commandOf(spelledAs);
  if (spelledAs !== undefined && command === undefined) {
    throw new CliUsageError(
      `Unknown command '${spelledAs}': expected ${Object.keys(COMMAND_NAMES).join(', ')}`,
    );
  }
  if (helpWanted || values.help === true) return { kind: 'help', command };
  if (command === undefined || spelledAs === undefined) {
    throw new CliUsageError('No command given: expected deploy, cleanup or reconcile');
  }
  const extra = words.slice(1);
  if (extra.length > 0) {
    const booleanHint = ['true', 'false'].includes(extra[0] ?? '')
      ? ' (a boolean takes --name, --name=false or --no-name)'
      : '';
    throw new CliUsageError(`Unexpected argument '${extra[0]}'${booleanHint}`, command);
  }
  if (command !== 'deploy') {
    const misplaced = DEPLOY_ONLY.find((name) => values[name] !== undefined);
    if (misplaced !== undefined) throw new CliUsageError(`--${misplaced} applies to deploy only`, command);
  }

  return { kind: 'run', command, spelledAs, options: optionsOf(values, command) };
}

type Values = Record<string, string | boolean | string[] | undefined>;

/** parseArgs over every flag, its aliases, --help and --version, strictly. */
function readArgv(argv: readonly string[], guessed: CliCommand | undefined) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(ALL_FLAGS)) {
    options[name] = { type: spec.boolean ? 'boolean' : 'string' };
  }
  for (const alias of Object.keys(SCRIPT_ALIASES)) options[alias] = { type: 'string' };
  options.help = { type: 'boolean', short: 'h' };
  options.version = { type: 'boolean', short: 'V' };
  // Several --primary-branches add up, like a comma list.
  options['primary-branches'] = { type: 'string', multiple: true };
  const kinds = Object.fromEntries(Object.entries(options).map(([name, option]) => [name, option.type]));
  let args: string[];
  try {
    args = normalizeArgv(argv, kinds);
  } catch (error) {
    // A boolean given a value that is not one (`--pooled=ture`): the setting's own message.
    throw new CliUsageError(messageOf(error), guessed);
  }
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, allowNegative: true, strict: true });
    return { values: parsed.values as Values, positionals: parsed.positionals };
  } catch (error) {
    throw new CliUsageError(explainParseError(error, args, options), guessed);
  }
}

/** The parsed flags as options: aliases folded in, settings by input name, the CLI's own flags checked. */
function optionsOf(values: Values, command: CliCommand): CliOptions {
  for (const [alias, name] of Object.entries(SCRIPT_ALIASES)) {
    if (values[alias] === undefined) continue;
    if (values[name] !== undefined) {
      throw new CliUsageError(`--${alias} and --${name} are the same option: give one of them`, command);
    }
    values[name] = values[alias];
  }

  const settings: Partial<Record<SettingName, string>> = {};
  for (const name of Object.keys(SETTING_FLAGS) as SettingName[]) {
    const value = values[name];
    if (value === undefined) continue;
    settings[name] = Array.isArray(value) ? joinList(value) : String(value);
  }
  const output = values.output ?? 'text';
  if (output !== 'text' && output !== 'json') {
    throw new CliUsageError(`Invalid output '${String(output)}': expected text or json`, command);
  }
  return {
    settings,
    ssmParameter: stringValue(values['neon-api-key-ssm-parameter']),
    writeEnv: parseWriteEnv(stringValue(values['write-env']), command),
    output,
    includeDatabaseUrl: values['include-database-url'] === true,
    verbose: values.verbose === true,
  };
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function parseWriteEnv(value: string | undefined, command: CliCommand): string | undefined {
  if (value !== undefined && value.trim() === '') {
    throw new CliUsageError("Invalid write-env '': expected a file path such as .env", command);
  }
  return value;
}
