import { type ReadSetting, settingVariable } from '../core/setting-names.js';
import { nonEmpty } from '../core/setting-parsers.js';
import type { CliOptions } from './args.js';
import { type CliCommand, CliUsageError } from './commands.js';
import type { SettingName } from './flags.js';

export type Env = Record<string, string | undefined>;

/** The Amplify build the CLI runs in, from the variables Amplify sets in every build. */
export interface AmplifyBuild {
  appId: string;
  branch: string;
}

export function amplifyBuild(env: Env): AmplifyBuild | undefined {
  const appId = nonEmpty(env.AWS_APP_ID);
  const branch = nonEmpty(env.AWS_BRANCH);
  return appId === undefined || branch === undefined ? undefined : { appId, branch };
}

/**
 * Where a setting comes from, first found wins: the flag, then its upper-snake environment variable.
 * The app and the git branch are the exception inside an Amplify build: after the flag come the
 * build's own AWS_APP_ID and AWS_BRANCH, which name the build that is running, before AMPLIFY_APP_ID
 * and GIT_BRANCH, which may be set for something else (Jenkins sets GIT_BRANCH to `origin/<branch>`).
 * An empty variable counts as unset, so `BRANCH_PREFIX=` from an unset template does not turn the
 * prefix off; an empty prefix can only be asked for with the flag. An empty flag (`--role "$UNSET"`)
 * counts as unset as well.
 */
export function settingReader(options: CliOptions, env: Env, build: AmplifyBuild | undefined): ReadSetting {
  return (name) => {
    if (name === 'command') return undefined; // The positional argument; `COMMAND` is too common a name.
    const flag = options.settings[name as SettingName];
    // An explicitly empty prefix is a choice (reconcile refuses it); any other empty flag is unset.
    if (flag !== undefined && (flag.trim() !== '' || name === 'branch-prefix')) return flag;
    if (name === 'amplify-app-id' && build !== undefined) return build.appId;
    if (name === 'git-branch' && build !== undefined) return build.branch;
    return nonEmpty(env[settingVariable(name)]);
  };
}

export type KeySource = { kind: 'value'; value: string } | { kind: 'ssm'; parameter: string };

/**
 * Where the Neon API key comes from: a flag before the environment, and at each level the key itself
 * or the name of the SSM parameter holding it; both at the same level is ambiguous, so an error.
 */
export function keySource(options: CliOptions, env: Env, command: CliCommand): KeySource {
  const levels: [string | undefined, string | undefined, string][] = [
    [
      nonEmpty(options.settings['neon-api-key']),
      nonEmpty(options.ssmParameter),
      '--neon-api-key and --neon-api-key-ssm-parameter',
    ],
    [
      nonEmpty(env.NEON_API_KEY),
      nonEmpty(env.NEON_API_KEY_SSM_PARAMETER),
      'NEON_API_KEY and NEON_API_KEY_SSM_PARAMETER',
    ],
  ];
  for (const [value, parameter, both] of levels) {
    if (value !== undefined && parameter !== undefined) {
      throw new CliUsageError(`${both} are both set: give the key or the SSM parameter, not both`, command);
    }
    if (value !== undefined) return { kind: 'value', value };
    if (parameter !== undefined) {
      return { kind: 'ssm', parameter: parameter.trim() };
    }
  }
  throw new CliUsageError(
    'No Neon API key: give --neon-api-key-ssm-parameter NAME (or NEON_API_KEY_SSM_PARAMETER) to read it from SSM Parameter Store, or set NEON_API_KEY',
    command,
  );
}
