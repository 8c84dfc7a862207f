import { parseBoolean } from '../core/setting-parsers.js';

/** How parseArgs reads each long flag (aliases included), by name. */
export type FlagKinds = Readonly<Record<string, 'boolean' | 'string'>>;

/** A token that is a negative number (`-1`, `-0.5`, `-.5`), not an option. */
const NEGATIVE_NUMBER = /^-(\d+(\.\d*)?|\.\d+)$/;

/**
 * argv made ready for parseArgs, which takes a boolean only as `--name` or `--no-name`, and never
 * takes a token that starts with `-` as a value:
 * - a boolean's `--name=false` becomes `--no-name`, strictly (`--pooled=ture` is an error, as in the
 *   action); a token after `--name` is never a boolean's value, so only inline values are rewritten;
 * - `--name -1`, for a flag that takes a value, becomes `--name=-1`, so that the setting itself says
 *   what is wrong with the number ("greater than 0") rather than parseArgs calling `-1` an option.
 *   Any other value starting with `-` still has to be given as `--name=-value`: it may be an option
 *   the user forgot a value before.
 * Nothing after `--` is touched.
 */
export function normalizeArgv(argv: readonly string[], kinds: FlagKinds): string[] {
  const kindOf = (name: string) => (Object.hasOwn(kinds, name) ? kinds[name] : undefined);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const inline = /^--([a-z0-9-]+)=(.*)$/s.exec(arg);
    const name = inline?.[1];
    if (inline !== null && name !== undefined && kindOf(name) === 'boolean') {
      out.push(parseBoolean(`--${name}`, inline[2] ?? '') ? `--${name}` : `--no-${name}`);
      continue;
    }
    const next = argv[i + 1];
    if (/^--[a-z0-9-]+$/.test(arg) && kindOf(arg.slice(2)) === 'string' && NEGATIVE_NUMBER.test(next ?? '')) {
      out.push(`${arg}=${next}`);
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** parseArgs' error in the CLI's words, naming the option and the form it wants. */
export function explainParseError(error: unknown, kinds: FlagKinds): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const option = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = option.replace(/^--no-/, '--');
    if (option.startsWith('--no-') && Object.hasOwn(kinds, name.slice(2))) {
      return `Unknown option '${option}': ${name} takes a value, it is not a boolean`;
    }
    return `Unknown option '${option}'`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (message.includes('does not take an argument')) {
      return `Option '${option}' is a boolean: give ${option}, ${option}=false or --no-${option.slice(2)}`;
    }
    return `Option '${option}' needs a value: ${option} VALUE or ${option}=VALUE (a value starting with '-' only as ${option}=VALUE)`;
  }
  return message.split('\n')[0] ?? message;
}
