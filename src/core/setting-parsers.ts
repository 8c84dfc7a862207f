import { SettingError } from './errors.js';
import { isValidGitBranchName } from './naming.js';
import type { InputName, ReadSetting } from './setting-names.js';

/** Typed reads of one setting each, every error naming the setting. */
export type Readers = ReturnType<typeof readers>;

/** A value with its surrounding white space trimmed; empty or blank counts as not given. */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function readers(read: ReadSetting) {
  const text = (name: InputName): string | undefined => nonEmpty(read(name));
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

/** A list setting's items, separated by commas or new lines; blank items are skipped. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Items given one by one (repeated CLI flags, a YAML list in CONFIG_FILE) as a list setting's text. */
export function joinList(items: readonly string[]): string {
  return items.join('\n');
}

export function parsePrimaryBranches(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = splitList(value);
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
