import { UsageError } from '../core/errors.js';

/** The commands the core runs. `auto` is the action's: a CLI has no event to read it from. */
export type CliCommand = 'deploy' | 'cleanup' | 'reconcile' | 'list';

/** Every accepted command name; the script's names are the same commands under other spellings. */
export const COMMAND_NAMES: Record<string, CliCommand> = {
  deploy: 'deploy',
  cleanup: 'cleanup',
  reconcile: 'reconcile',
  list: 'list',
  'create-branch': 'deploy',
  'cleanup-branches': 'reconcile',
};

/** Bad usage: exit 2 with the usage of `command` (the general one when unknown). */
export class CliUsageError extends UsageError {
  constructor(
    message: string,
    readonly command?: CliCommand,
  ) {
    super(message);
  }
}

/** The command a word names, if any (`toString` is not one). */
export function commandOf(word: string | undefined): CliCommand | undefined {
  return word !== undefined && Object.hasOwn(COMMAND_NAMES, word) ? COMMAND_NAMES[word] : undefined;
}
