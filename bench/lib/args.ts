/** The bench's command line, parsed without I/O so the unit test can hold it to its word. */

export const MEASURES = [
  'new-branch',
  'new-branch-shared-password',
  're-push',
  'no-op',
  'start-up-cli',
  'start-up-cli-help',
  'start-up-lambda',
  'start-up-receiver',
  'start-up-worker',
  'start-up-server',
  'vs-create-branch-action',
  'vs-neonctl',
  'reconcile',
  'webhook',
  'webhook-burst',
] as const;

export type MeasureName = (typeof MEASURES)[number];

export interface BenchOptions {
  runs: number;
  only: MeasureName[];
  createBranchAction: string | undefined;
  json: boolean;
  /** webhook-burst: pushes of new branches, and the repositories they are spread over. */
  burst: number;
  repos: number;
}

export const USAGE = `npm run bench -- [--runs N] [--only ${MEASURES.join(',')}] [--create-branch-action DIR] [--json]

  --runs N                    runs per measure, the median is reported (default 5)
  --only a,b                  run only these measures (default: all)
  --create-branch-action DIR  a checkout of neondatabase/create-branch-action, run as a peer
  --json                      print only the JSON line on stdout (progress stays on stderr)
  --burst N                   webhook-burst: pushes of new branches (default 100)
  --repos N                   webhook-burst: repositories they come from, one Neon account (default 20)`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs(argv: readonly string[]): BenchOptions | 'help' {
  const options: BenchOptions = {
    runs: 5,
    only: [...MEASURES],
    createBranchAction: undefined,
    json: false,
    burst: 100,
    repos: 20,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? splitOnce(arg) : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === '') throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--json':
        options.json = true;
        break;
      case '--runs':
      case '--burst':
      case '--repos': {
        const text = value();
        const count = Number(text);
        if (!/^\d+$/.test(text) || count < 1) {
          throw new UsageError(`Invalid ${flag} '${text}': expected a whole number of at least 1`);
        }
        options[flag.slice(2) as 'runs' | 'burst' | 'repos'] = count;
        break;
      }
      case '--only': {
        const names = value()
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== '');
        const unknown = names.filter((name) => !(MEASURES as readonly string[]).includes(name));
        if (unknown.length > 0 || names.length === 0) {
          throw new UsageError(
            `Invalid --only '${names.join(',')}': expected some of ${MEASURES.join(', ')}${unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : ''}`,
          );
        }
        // Kept in the bench's own order, so a report always reads the same way.
        options.only = MEASURES.filter((name) => names.includes(name));
        break;
      }
      case '--create-branch-action':
        options.createBranchAction = value();
        break;
      default:
        throw new UsageError(`Unknown argument '${arg}'`);
    }
  }
  return options;
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf('=');
  return [arg.slice(0, at), arg.slice(at + 1)];
}
