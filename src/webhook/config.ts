import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { messageOf, SettingError, UsageError } from '../core/errors.js';
import {
  INPUT_NAMES,
  type InputName,
  nonEmpty,
  parseSettings,
  type Settings,
  settingVariable,
} from '../core/settings.js';

/** What the webhook front end runs with, read and checked once at start. */
export interface WebhookConfig {
  port: number;
  /** GITHUB_WEBHOOK_SECRET split on commas: a delivery signed with any of them is accepted. */
  secrets: string[];
  maxBodyBytes: number;
  /** Deliveries worked on at once (different branches; one branch runs one at a time). */
  concurrency: number;
  /** Deliveries held at once, waiting and running; past it a delivery is answered 503. */
  queueCapacity: number;
  /** How long SIGTERM waits for queued work. */
  drainTimeoutMs: number;
  debug: boolean;
  /** The CONFIG_FILE path, when one is used. */
  configFile: string | undefined;
  /** Settings for a delivery's repository (`owner/name`); undefined when CONFIG_FILE does not list it. */
  settingsFor(repository: string | undefined): Settings | undefined;
  /** GitHub's API root for the replay check: GITHUB_API_URL, else GitHub's own. */
  githubApiUrl: string | undefined;
  /** Every configured secret (webhook secrets, Neon API keys, GitHub tokens), for the log redactor. */
  secretValues: string[];
}

/**
 * The settings the webhook takes from each delivery instead: a fixed `command` or `git-branch`
 * would make every delivery act on the same branch. They are not read from the environment
 * (CI systems set GIT_BRANCH for their own purposes) and are an error in CONFIG_FILE.
 */
const PER_DELIVERY: readonly InputName[] = ['command', 'git-branch'];
const SETTING_NAMES = INPUT_NAMES.filter((name) => !PER_DELIVERY.includes(name));

export const DEFAULT_PORT = 3000;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_QUEUE_CAPACITY = 1000;
export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 25;

export interface LoadOptions {
  readFile?: (path: string) => string;
}

/** Reads and checks everything at start; every error names the variable or the CONFIG_FILE key. */
export function loadWebhookConfig(env: NodeJS.ProcessEnv, options: LoadOptions = {}): WebhookConfig {
  const secrets = parseSecrets(env.GITHUB_WEBHOOK_SECRET);
  const configFile = nonEmpty(env.CONFIG_FILE);
  const secretValues = [...secrets];
  const keep = (settings: Settings): Settings => {
    secretValues.push(settings.neonApiKey);
    if (settings.githubToken !== undefined) secretValues.push(settings.githubToken);
    return settings;
  };

  let settingsFor: WebhookConfig['settingsFor'];
  if (configFile === undefined) {
    const settings = keep(settingsFromEnvironment(env));
    settingsFor = () => settings;
  } else {
    const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
    let text: string;
    try {
      text = readFile(configFile);
    } catch (error) {
      throw new UsageError(`CONFIG_FILE ${configFile} cannot be read: ${messageOf(error)}`);
    }
    const byRepository = new Map<string, Settings>();
    for (const [repository, settings] of parseConfigFile(text, configFile, env)) {
      byRepository.set(repository.toLowerCase(), keep(settings));
    }
    // GitHub treats owner and name case-insensitively; the payload carries the canonical spelling.
    settingsFor = (repository) =>
      repository === undefined ? undefined : byRepository.get(repository.toLowerCase());
  }

  return {
    port: integer(env, 'PORT', DEFAULT_PORT, 0, 65_535),
    secrets,
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1, 25 * 1024 * 1024),
    concurrency: integer(env, 'MAX_CONCURRENCY', DEFAULT_CONCURRENCY, 1, 256),
    queueCapacity: integer(env, 'MAX_QUEUED', DEFAULT_QUEUE_CAPACITY, 1, 100_000),
    drainTimeoutMs: integer(env, 'DRAIN_TIMEOUT_SECONDS', DEFAULT_DRAIN_TIMEOUT_SECONDS, 0, 3600) * 1000,
    debug: parseLogLevel(env.LOG_LEVEL) === 'debug',
    configFile,
    githubApiUrl: nonEmpty(env.GITHUB_API_URL),
    settingsFor,
    secretValues,
  };
}

function parseSecrets(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') {
    throw new UsageError(
      'GITHUB_WEBHOOK_SECRET is required and not set: the secret of the GitHub webhook (a comma-separated list during a rotation)',
    );
  }
  const secrets = raw.split(',').map((secret) => secret.trim());
  // The value itself is never quoted: it is a secret even when malformed.
  if (secrets.some((secret) => secret === '')) {
    throw new UsageError(
      'Invalid GITHUB_WEBHOOK_SECRET: an entry of the comma-separated list is empty; expected one secret, or several separated by commas',
    );
  }
  return secrets;
}

function settingsFromEnvironment(env: NodeJS.ProcessEnv): Settings {
  const where = (name: InputName) => settingVariable(name);
  return checked(
    () =>
      parseSettings((name) => (PER_DELIVERY.includes(name) ? undefined : env[settingVariable(name)]), env),
    { prefix: '', where, missing: (name) => `set ${settingVariable(name)}` },
  );
}

interface Located {
  /** Put before every message: which file and entry. */
  prefix: string;
  /** Where the value of a setting came from, for an error about it. */
  where: (name: InputName) => string;
  /** How to supply a missing setting. */
  missing: (name: InputName) => string;
}

/**
 * Runs the shared settings parser and rewrites its errors to name what a webhook user sets: the
 * variable or the CONFIG_FILE key, instead of the action input. The region is required here,
 * at start, because every deploy writes to Amplify.
 */
function checked(parse: () => Settings, located: Located): Settings {
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
  if (settings.amplifyAppId === undefined) {
    throw new UsageError(
      `${located.prefix}amplify-app-id is required and not set (an Amplify app id such as d2a1b3c4d5e6f7; every deploy writes to Amplify): ${located.missing('amplify-app-id')}`,
    );
  }
  if (settings.awsRegion === undefined) {
    throw new UsageError(
      `${located.prefix}aws-region is required and not set (an AWS region such as us-east-1; every deploy writes to Amplify): ${located.missing('aws-region')}, or AWS_DEFAULT_REGION`,
    );
  }
  return settings;
}

type Scalar = string | number | boolean;

/**
 * CONFIG_FILE, YAML or JSON (JSON is YAML):
 *
 *   defaults:                # optional; applies to every repository
 *     branch-prefix: preview/
 *   repositories:            # required; owner/name → that repository's settings
 *     octo-org/shop:
 *       neon-project-id: calm-sun-123456
 *       amplify-app-id: d1a2b3c4d5e6f7
 *
 * Keys are the action's input names. A repository's value wins over `defaults`, which wins over the
 * environment variable of the same setting.
 */
export function parseConfigFile(text: string, file: string, env: NodeJS.ProcessEnv): [string, Settings][] {
  const at = (path: string) => `CONFIG_FILE ${file}: ${path}`;
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new UsageError(`CONFIG_FILE ${file} is not valid YAML or JSON: ${messageOf(error)}`);
  }
  if (!isRecord(document)) {
    throw new UsageError(
      `CONFIG_FILE ${file}: expected a mapping at the top level with 'repositories' (and optionally 'defaults')`,
    );
  }
  for (const key of Object.keys(document)) {
    if (key !== 'defaults' && key !== 'repositories') {
      throw new UsageError(
        `${at(key)}: unknown key '${key}'; expected 'repositories' and optionally 'defaults'`,
      );
    }
  }
  const defaults = settingsMap(document.defaults ?? {}, 'defaults', at);
  const repositories = document.repositories;
  if (!isRecord(repositories) || Object.keys(repositories).length === 0) {
    throw new UsageError(
      `${at('repositories')}: expected a mapping of at least one repository (owner/name) to its settings`,
    );
  }

  const seen = new Map<string, string>();
  const result: [string, Settings][] = [];
  for (const [repository, entry] of Object.entries(repositories)) {
    const path = `repositories.${repository}`;
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repository)) {
      throw new UsageError(
        `${at(path)}: invalid repository '${repository}'; expected owner/name such as octo-org/shop`,
      );
    }
    const twin = seen.get(repository.toLowerCase());
    if (twin !== undefined) {
      throw new UsageError(
        `${at(path)}: '${repository}' is listed twice (as '${twin}'; GitHub ignores case)`,
      );
    }
    seen.set(repository.toLowerCase(), repository);
    const own = settingsMap(entry ?? {}, path, at);
    const read = (name: InputName): string | undefined => {
      if (PER_DELIVERY.includes(name)) return undefined;
      return own.get(name) ?? defaults.get(name) ?? env[settingVariable(name)];
    };
    const settings = checked(() => parseSettings(read, env), {
      prefix: `CONFIG_FILE ${file}: `,
      where: (name) =>
        own.has(name)
          ? `${path}.${name}`
          : defaults.has(name)
            ? `defaults.${name}`
            : `${settingVariable(name)} (from the environment, for ${path})`,
      missing: (name) => `set ${path}.${name} or defaults.${name}, or ${settingVariable(name)}`,
    });
    result.push([repository, settings]);
  }
  return result;
}

/** A `defaults` or repository entry: known keys only, scalar values (primary-branches may be a list). */
function settingsMap(value: unknown, path: string, at: (path: string) => string): Map<InputName, string> {
  if (!isRecord(value)) {
    throw new UsageError(`${at(path)}: expected a mapping of settings (such as neon-project-id: ...)`);
  }
  const map = new Map<InputName, string>();
  for (const [key, raw] of Object.entries(value)) {
    if (PER_DELIVERY.includes(key as InputName)) {
      throw new UsageError(
        `${at(`${path}.${key}`)}: '${key}' cannot be set for the webhook; each delivery names its own ${key === 'command' ? 'command (push: deploy; closed pull request or deleted branch: cleanup)' : 'branch'}`,
      );
    }
    if (!isInputName(key)) {
      throw new UsageError(
        `${at(`${path}.${key}`)}: unknown key '${key}'; expected one of ${SETTING_NAMES.join(', ')}`,
      );
    }
    map.set(key, scalarText(raw, key, `${path}.${key}`, at));
  }
  return map;
}

function scalarText(raw: unknown, key: InputName, path: string, at: (path: string) => string): string {
  if (isScalar(raw)) return String(raw);
  if (key === 'primary-branches' && Array.isArray(raw) && raw.every((item) => typeof item === 'string')) {
    return raw.join(',');
  }
  throw new UsageError(
    `${at(path)}: expected a string, number or boolean${key === 'primary-branches' ? ', or a list of branch names' : ''}`,
  );
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`Invalid ${name} '${raw}': expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function parseLogLevel(raw: string | undefined): 'info' | 'debug' {
  const value = nonEmpty(raw)?.toLowerCase() ?? 'info';
  if (value !== 'info' && value !== 'debug') {
    throw new UsageError(`Invalid LOG_LEVEL '${raw}': expected info or debug`);
  }
  return value;
}

function isInputName(name: string): name is InputName {
  return (SETTING_NAMES as readonly string[]).includes(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
