import { AMPLIFY_FORMS, amplifyTarget } from '../../core/amplify-settings.js';
import { SettingError, UsageError } from '../../core/errors.js';
import { INPUT_NAMES, type InputName, type ReadSetting, settingVariable } from '../../core/setting-names.js';
import { parseSettings, type Settings } from '../../core/settings.js';
import { rulesFileLoader } from '../../masking-rules-file.js';

/**
 * The settings the webhook takes from each delivery instead: a fixed `command` or `git-branch`
 * would make every delivery act on the same branch. They are not read from the environment
 * (CI systems set GIT_BRANCH for their own purposes) and are an error in CONFIG_FILE.
 */
export const PER_DELIVERY: readonly InputName[] = ['command', 'git-branch'];
export const SETTING_NAMES = INPUT_NAMES.filter((name) => !PER_DELIVERY.includes(name));

/**
 * What stands in for the Neon API key where none is needed: the queued receiver only verifies,
 * classifies and enqueues, so the function facing the internet need not hold the key at all.
 * It is never sent anywhere (the receiver builds no Neon client).
 */
export const NO_NEON_API_KEY = 'not-needed-by-the-receiver';

/** Which front end the settings are for: what each one needs differs (see loadWebhookConfig). */
export type ConfigRole = 'server' | 'receiver' | 'worker';

export interface Located {
  /** Put before every message: which file and entry. */
  prefix: string;
  /** Where the value of a setting came from, for an error about it. */
  where: (name: InputName) => string;
  /** How to supply a missing setting. */
  missing: (name: InputName) => string;
}

export function isInputName(name: string): name is InputName {
  return (SETTING_NAMES as readonly string[]).includes(name);
}

/** `read`, with the receiver's stand-in for a Neon API key that is not set. */
export function forRole(read: ReadSetting, role: ConfigRole): ReadSetting {
  if (role !== 'receiver') return read;
  return (name) => {
    const value = read(name);
    return name === 'neon-api-key' && (value === undefined || value.trim() === '') ? NO_NEON_API_KEY : value;
  };
}

export function settingsFromEnvironment(env: NodeJS.ProcessEnv, role: ConfigRole): Settings {
  const where = (name: InputName) => settingVariable(name);
  const read: ReadSetting = (name) => (PER_DELIVERY.includes(name) ? undefined : env[settingVariable(name)]);
  return checked(() => parseSettings(forRole(read, role), env, rulesFileLoader(process.cwd())), {
    prefix: '',
    where,
    missing: (name) => `set ${settingVariable(name)}`,
  });
}

/**
 * Runs the shared settings parser and rewrites its errors to name what a webhook user sets: the
 * variable or the CONFIG_FILE key, instead of the action input. The region is required here,
 * at start, because every deploy writes to Amplify.
 */
export function checked(parse: () => Settings, located: Located): Settings {
  let settings: Settings;
  try {
    settings = parse();
  } catch (error) {
    if (error instanceof SettingError && isInputName(error.setting)) {
      const where = error.missing ? error.setting : located.where(error.setting);
      throw new UsageError(`${located.prefix}${error.describe(where, located.missing(error.setting))}`);
    }
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(`${located.prefix}${error.message}`);
  }
  const target = amplifyTarget(settings);
  if ('missing' in target) {
    const { missing } = target;
    const orElse = missing === 'aws-region' ? ', or AWS_DEFAULT_REGION' : '';
    throw new UsageError(
      `${located.prefix}${missing} is required and not set (${AMPLIFY_FORMS[missing]}; every deploy writes to Amplify): ${located.missing(missing)}${orElse}`,
    );
  }
  return settings;
}
