import { settingVariable } from '../core/setting-names.js';
import type { CliCommand } from './commands.js';
import {
  CLI_FLAG_ENV,
  CLI_FLAGS,
  type CliFlagName,
  DEPLOY_ONLY,
  type FlagSpec,
  SCRIPT_ALIASES,
  SETTING_FLAGS,
} from './flags.js';

const BIN = 'neon-amplify-branch';

const ABOUT: Record<CliCommand, string> = {
  deploy: `Find or create the Neon branch <prefix><git branch>, then put its connection string where the
build reads it. Outside an Amplify build: into the Amplify branch's environment variables, then start
a job (as the GitHub Action does). Inside an Amplify build (AWS_APP_ID and AWS_BRANCH set): only into
--write-env FILE; Amplify is left alone, the build is already running.
neon-ci.sh's name for it: create-branch.`,
  cleanup: `Delete the Neon branch <prefix><git branch>. Already gone is success. Never deletes a primary,
default or protected branch, or one outside the prefix.`,
  reconcile: `Delete every Neon branch <prefix>* that no Amplify branch of the app maps to (names compared
exactly). Never deletes a primary, default or protected branch; refuses an empty prefix.
neon-ci.sh's name for it: cleanup-branches.`,
  list: `Show the previews: one row per Neon branch <prefix>*, with its id, created and expiry times, the
Amplify branch that maps to it and that branch's last job (id, status). A table on stdout, or
--output json. Reads only; never prints a connection string.`,
};

/** The general usage: commands and where to get more. */
export function generalUsage(): string {
  return `Usage: ${BIN} <command> [options]

Commands:
  deploy      create or reuse the Neon branch of a git branch and hand its URL to the build
  cleanup     delete the Neon branch of a git branch
  reconcile   delete the Neon branches no Amplify branch maps to
  list        show the previews: Neon branch, Amplify branch, last job
  create-branch, cleanup-branches   neon-ci.sh's names for deploy and reconcile

Options:
  -h, --help      show this help; '${BIN} <command> --help' for the options of a command
  -V, --version   print the version

Exit codes: 0 done, 1 failed, 2 bad usage (nothing was changed).
`;
}

/** The one line printed after a usage error, instead of the whole usage. */
export function helpPointer(command: CliCommand | undefined): string {
  return command === undefined
    ? `Run '${BIN} --help' for the commands.`
    : `Run '${BIN} ${command} --help' for the options.`;
}

/** The usage of one command: every option it takes, with its environment fallback. */
export function commandUsage(command: CliCommand): string {
  const lines = [`Usage: ${BIN} ${command} [options]`, '', ABOUT[command], '', 'Options:'];
  const rows: [string, string][] = [];
  for (const [name, spec] of Object.entries(SETTING_FLAGS) as [string, FlagSpec][]) {
    rows.push([`${flag(name, spec)}  [${settingVariable(name)}]`, spec.help]);
  }
  for (const [name, spec] of Object.entries(CLI_FLAGS) as [string, FlagSpec][]) {
    if (
      name === 'help' ||
      name === 'version' ||
      (command !== 'deploy' && DEPLOY_ONLY.includes(name as CliFlagName))
    )
      continue;
    const env = CLI_FLAG_ENV[name as CliFlagName];
    rows.push([env === undefined ? flag(name, spec) : `${flag(name, spec)}  [${env}]`, spec.help]);
  }
  rows.push(['-h, --help', 'show this help']);
  for (const [left, right] of rows) lines.push(`  ${left}`, `      ${right}`);
  lines.push(
    '',
    'A flag wins over the environment variable in brackets; an empty variable counts as unset.',
    'Inside an Amplify build, AWS_APP_ID and AWS_BRANCH come before AMPLIFY_APP_ID and GIT_BRANCH.',
    'A boolean takes --name, --name=true|false or --no-name.',
    `neon-ci.sh's option names are accepted too: ${Object.entries(SCRIPT_ALIASES)
      .map(([alias, name]) => `--${alias} (= --${name})`)
      .join(', ')}.`,
    'Exit codes: 0 done, 1 failed, 2 bad usage (nothing was changed).',
    '',
  );
  return lines.join('\n');
}

function flag(name: string, spec: FlagSpec): string {
  return spec.boolean ? `--[no-]${name}` : `--${name} ${spec.value ?? 'VALUE'}`;
}
