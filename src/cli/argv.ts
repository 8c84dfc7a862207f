import { type ParseArgsConfig, parseArgs } from 'node:util';
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

type ParseOptions = NonNullable<ParseArgsConfig['options']>;
type OptionToken = Extract<NonNullable<ReturnType<typeof parseArgs>['tokens']>[number], { kind: 'option' }>;

/**
 * parseArgs' error in the CLI's words, naming the option and the form it wants. The option is found
 * again in parseArgs' own tokens (a lenient parse of the same argv), not in the error's text, whose
 * wording belongs to Node and may change with any release.
 */
export function explainParseError(error: unknown, args: readonly string[], options: ParseOptions): string {
  const { tokens } = parseArgs({
    args: [...args],
    options,
    allowPositionals: true,
    allowNegative: true,
    strict: false,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const problem = problemOf(token, options);
    if (problem !== undefined) return problem;
  }
  // Not a problem with one option: what parseArgs said, on one line.
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** What strict parsing refuses in one option token, as parseArgs decides it; undefined: nothing. */
function problemOf(token: OptionToken, options: ParseOptions): string | undefined {
  const kindOf = (name: string) => (Object.hasOwn(options, name) ? options[name]?.type : undefined);
  const raw = token.rawName;
  const negated = raw.startsWith('--no-');
  // `--no-pooled=x`: with a value inline, parseArgs keeps `no-pooled` whole as the name.
  const bare = negated && token.inlineValue === true ? token.name.slice('no-'.length) : token.name;
  const kind = kindOf(bare);
  if (kind === 'boolean' && token.value !== undefined) {
    return `Option '--${bare}' is a boolean: give --${bare}, --${bare}=false or --no-${bare}`;
  }
  if (kind === undefined || (negated && kind !== 'boolean')) {
    return kind === 'string'
      ? `Unknown option '${raw}': --${bare} takes a value, it is not a boolean`
      : `Unknown option '${raw}'`;
  }
  // A value that is the next token and starts with '-' is, to strict parsing, a forgotten value.
  const forgotten = token.value === undefined || (token.inlineValue === false && token.value.startsWith('-'));
  if (kind === 'string' && forgotten) {
    return `Option '${raw}' needs a value: ${raw} VALUE or ${raw}=VALUE (a value starting with '-' only as ${raw}=VALUE)`;
  }
  return undefined;
}
