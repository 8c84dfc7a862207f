import { SettingError } from './errors.js';
import { isValidGitBranchName } from './naming.js';
import type { InputName, ReadSetting } from './settings.js';

/** Typed reads of one setting each, every error naming the setting. */
export type Readers = ReturnType<typeof readers>;

export function readers(read: ReadSetting) {
  const text = (name: InputName): string | undefined => {
    const value = read(name)?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    text,
    required: (name: InputName, form: string): string => {
      const value = text(name);
      if (value === undefined) throw SettingError.missing(name, form);
      return value;
    },
    matching: (name: InputName, value: string, pattern: RegExp, form: string): string => {
      if (!pattern.test(value)) throw invalid(name, value, form);
      return value;
    },
    oneOf: <T extends string>(name: InputName, allowed: readonly T[], fallback: T): T => {
      const value = text(name) ?? fallback;
      if (!(allowed as readonly string[]).includes(value))
        throw invalid(name, value, `one of ${allowed.join(', ')}`);
      return value as T;
    },
    boolean: (name: InputName, fallback: boolean): boolean => {
      const value = text(name);
      return value === undefined ? fallback : parseBoolean(name, value);
    },
    plain: (name: InputName, form: string): string | undefined => {
      const value = text(name);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
      if (value !== undefined && /[\u0000-\u001f\u007f]/.test(value)) throw invalid(name, value, form);
      return value;
    },
  };
}

/** A Neon API key as given; the CLI checks a key read from SSM with the same rule. */
export function parseApiKey(key: string): string {
  if (/\s/.test(key)) {
    // The key itself is never quoted: it is a secret even when malformed.
    throw SettingError.invalid(
      'neon-api-key',
      undefined,
      'expected a Neon API key without spaces or line breaks',
    );
  }
  return key;
}

/** The YAML 1.2 core schema booleans, as `core.getBooleanInput` accepts them; `ture` is an error. */
export function parseBoolean(name: string, value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw invalid(name, value, 'true or false');
}

export function invalid(name: string, value: string, form: string): SettingError {
  return SettingError.invalid(name, value, `expected ${form}`);
}

export function parseApiHost(value: string): string {
  const form = 'an https URL such as https://console.neon.tech/api/v2';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('neon-api-host', value, form);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('neon-api-host', value, form);
  // Plain http would send the API key in clear text; only this machine's own stand-ins may use it.
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw SettingError.invalid(
      'neon-api-host',
      value,
      `plain http sends the API key in clear text; expected ${form} (http is allowed for localhost and 127.0.0.1 only)`,
    );
  }
  return value.replace(/\/+$/, '');
}

/** localhost, 127.0.0.0/8 or ::1: the only hosts plain http may reach. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
  );
}

export function parseBranchPrefix(raw: string | undefined, fallback: string): string {
  // Not given at all: the default. Given as an empty string: an explicit empty prefix.
  if (raw === undefined) return fallback;
  const value = raw.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\s\u0000-\u001f\u007f]/.test(value) || Array.from(value).length > 200) {
    throw invalid(
      'branch-prefix',
      raw,
      'characters allowed in a Neon branch name (no spaces or control characters), at most 200 characters',
    );
  }
  return value;
}

export function parseEnvVarName(value: string, name: InputName = 'env-var-name'): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) || /^aws/i.test(value)) {
    throw invalid(
      name,
      value,
      'an environment variable name of letters, digits and underscores that does not start with AWS (Amplify reserves it), such as DATABASE_URL',
    );
  }
  return value;
}

export function parsePrimaryBranches(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(/[,\n]/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!isValidGitBranchName(name)) {
      throw invalid(
        'primary-branches',
        name,
        'git branch names separated by commas or new lines, such as main,develop',
      );
    }
  }
  return names.length === 0 ? undefined : names;
}

/** A `*-minutes` setting: a decimal number of minutes (`0.5`), greater than 0 and at most `max`. */
export function parseMinutes(
  name: InputName,
  value: string | undefined,
  fallback: number,
  max = 360,
): number {
  if (value === undefined) return fallback;
  const minutes = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || minutes <= 0 || minutes > max) {
    throw invalid(
      name,
      value,
      `a positive number of minutes (more than 0, at most ${max}), such as 10 or 0.5`,
    );
  }
  return minutes;
}

const DURATION_UNITS: Record<string, number> = { m: 60, h: 3600, d: 86_400 };
/** Neon keeps an expiring branch at most 30 days ahead. */
const MAX_EXPIRY_SECONDS = 30 * 86_400;

/** `expires-in`: `7d`, `36h`, `90m`, more than 0 and at most 30 days; undefined when not given. */
export function parseDuration(name: InputName, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)\s*([mhd])$/.exec(value);
  const seconds =
    match === null ? Number.NaN : Number(match[1]) * (DURATION_UNITS[match[2] ?? ''] ?? Number.NaN);
  if (!(seconds > 0 && seconds <= MAX_EXPIRY_SECONDS)) {
    throw invalid(
      name,
      value,
      'a duration of minutes, hours or days such as 90m, 36h or 7d, more than 0 and at most 30d',
    );
  }
  return seconds;
}

/** `suspend-timeout`: Neon's suspend_timeout_seconds, -1 (never) to 604800; 0 means Neon's default. */
export function parseSuspendTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!/^-?\d+$/.test(value) || seconds < -1 || seconds > 604_800) {
    throw invalid(
      'suspend-timeout',
      value,
      "seconds from -1 (never suspend) to 604800, or 0 for Neon's default",
    );
  }
  return seconds === 0 ? undefined : seconds;
}

/**
 * Variables of this tool that `migrate-command` never gets, by name (case-insensitive): the Neon
 * API key, GitHub tokens, the webhook secrets (GITHUB_WEBHOOK_SECRET forges deliveries), every
 * AWS_* (credentials and the profile or role that selects them), the runner's ACTIONS_* tokens and
 * the action's INPUT_* (its inputs, the key and token among them).
 */
export function isWithheldVariable(name: string): boolean {
  const upper = name.toUpperCase();
  return WITHHELD_NAMES.includes(upper) || WITHHELD_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

const WITHHELD_NAMES = [
  'NEON_API_KEY',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITHUB_WEBHOOK_SECRET',
  'GITLAB_WEBHOOK_TOKEN',
  'BITBUCKET_WEBHOOK_SECRET',
];
const WITHHELD_PREFIXES = ['AWS_', 'ACTIONS_', 'INPUT_'];

/**
 * `migrate-env`: names of variables passed through to `migrate-command`. Naming one it never gets
 * is an error rather than a silent drop: the user learns at once why the command will not see it.
 */
export function parseMigrateEnv(value: string | undefined): string[] {
  if (value === undefined) return [];
  const names = value
    .split(/[,\n]/)
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw invalid(
        'migrate-env',
        name,
        'names of environment variables (letters, digits and underscores, not starting with a digit) separated by commas, such as SHADOW_DATABASE_URL,SENTRY_DSN',
      );
    }
    if (isWithheldVariable(name)) {
      throw invalid(
        'migrate-env',
        name,
        'names other than the Neon API key, a GitHub token, the webhook secrets, AWS_*, ACTIONS_* and INPUT_* (migrate-command never gets them)',
      );
    }
  }
  return names;
}
