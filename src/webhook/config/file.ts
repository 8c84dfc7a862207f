import { parse } from 'yaml';
import { messageOf, UsageError } from '../../core/errors.js';
import type { LoadRules } from '../../core/masking-rules.js';
import { isRecord } from '../../core/records.js';
import { type InputName, settingVariable } from '../../core/setting-names.js';
import { joinList } from '../../core/setting-parsers.js';
import { parseSettings, type Settings } from '../../core/settings.js';
import { rulesFileLoader } from '../../masking-rules-file.js';
import { type ConfigRole, checked, forRole, isInputName, PER_DELIVERY, SETTING_NAMES } from './settings.js';

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
export function parseConfigFile(
  text: string,
  file: string,
  { env, role }: { env: NodeJS.ProcessEnv; role: ConfigRole },
): [string, Settings, string | undefined][] {
  const at = (path: string) => `CONFIG_FILE ${file}: ${path}`;
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new UsageError(`CONFIG_FILE ${file} is not valid YAML or JSON: ${messageOf(error)}`);
  }
  checkTopLevel(document, file, at);
  const defaults = settingsMap(document.defaults ?? {}, 'defaults', at);
  const repositories = document.repositories;
  if (!isRecord(repositories) || Object.keys(repositories).length === 0) {
    throw new UsageError(
      `${at('repositories')}: expected a mapping of at least one repository (owner/name) to its settings`,
    );
  }

  const seen = new Map<string, string>();
  const result: [string, Settings, string | undefined][] = [];
  for (const [repository, entry] of Object.entries(repositories)) {
    const path = `repositories.${repository}`;
    if (!REPOSITORY_KEY.test(repository)) {
      throw new UsageError(
        `${at(path)}: invalid repository '${repository}'; expected owner/name such as octo-org/shop, gitlab:group/subgroup/project or bitbucket:workspace/repo`,
      );
    }
    const twin = seen.get(repository.toLowerCase());
    if (twin !== undefined) {
      throw new UsageError(
        `${at(path)}: '${repository}' is listed twice (as '${twin}'; GitHub ignores case)`,
      );
    }
    seen.set(repository.toLowerCase(), repository);
    const { secret, rest } = webhookSecret(entry ?? {}, repository, path, at);
    const settings = repositorySettings({
      own: settingsMap(rest, path, at),
      defaults,
      path,
      file,
      env,
      role,
    });
    result.push([repository, settings, secret]);
  }
  return result;
}

interface RepositoryEntry {
  own: Map<InputName, string>;
  defaults: Map<InputName, string>;
  /** `repositories.{key}`, for the errors. */
  path: string;
  file: string;
  env: NodeJS.ProcessEnv;
  role: ConfigRole;
}

/** One repository's settings: its own, over `defaults`, over the environment's. */
function repositorySettings({ own, defaults, path, file, env, role }: RepositoryEntry): Settings {
  const read = (name: InputName): string | undefined => {
    if (PER_DELIVERY.includes(name)) return undefined;
    return own.get(name) ?? defaults.get(name) ?? env[settingVariable(name)];
  };
  const inConfig = own.has('masking-rules') || defaults.has('masking-rules');
  const load = inConfig ? inlineRules(`${file} ${own.has('masking-rules') ? path : 'defaults'}`) : fromFile;
  return checked(() => parseSettings(forRole(read, role), env, load), {
    prefix: `CONFIG_FILE ${file}: `,
    where: (name) =>
      own.has(name)
        ? `${path}.${name}`
        : defaults.has(name)
          ? `defaults.${name}`
          : `${settingVariable(name)} (from the environment, for ${path})`,
    missing: (name) => `set ${path}.${name} or defaults.${name}, or ${settingVariable(name)}`,
  });
}

/** The document is a mapping of `repositories` and, optionally, `defaults`. */
function checkTopLevel(
  document: unknown,
  file: string,
  at: (path: string) => string,
): asserts document is Record<string, unknown> {
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
}

/** The key of a repository's own webhook secret, by provider; GitHub's is GITHUB_WEBHOOK_SECRET only. */
const SECRET_KEYS: Record<string, string> = { gitlab: 'gitlab-token', bitbucket: 'bitbucket-secret' };

/**
 * A GitLab project's `gitlab-token` or a Bitbucket repository's `bitbucket-secret`, taken out of its
 * entry (it is no action input); the other provider's key, or one on a GitHub repository, is refused.
 */
function webhookSecret(
  entry: unknown,
  repository: string,
  path: string,
  at: (path: string) => string,
): { secret: string | undefined; rest: unknown } {
  if (!isRecord(entry)) return { secret: undefined, rest: entry };
  const own = SECRET_KEYS[repository.split(':', 1)[0] ?? ''];
  const { 'gitlab-token': gitlab, 'bitbucket-secret': bitbucket, ...rest } = entry;
  for (const [key, value] of Object.entries({ 'gitlab-token': gitlab, 'bitbucket-secret': bitbucket })) {
    if (value === undefined || key === own) continue;
    throw new UsageError(
      `${at(`${path}.${key}`)}: '${key}' belongs to a ${key.split('-')[0]} repository key`,
    );
  }
  const value = own === 'gitlab-token' ? gitlab : bitbucket;
  if (own === undefined || value === undefined) return { secret: undefined, rest };
  // The value itself is never quoted: it is a secret even when malformed.
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError(`${at(`${path}.${own}`)}: expected a non-empty string`);
  return { secret: value.trim(), rest };
}

/**
 * A GitHub `owner/name`; a GitLab project by its `path_with_namespace` (groups nest); a Bitbucket
 * repository by its `full_name` (`workspace/repo`).
 */
const REPOSITORY_KEY =
  /^([A-Za-z0-9-]+\/[A-Za-z0-9._-]+|gitlab:[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+|bitbucket:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)$/;

/** A `defaults` or repository entry: known keys only, scalar values (or a list, for LISTS). */
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

/** MASKING_RULES from the environment is a file; in CONFIG_FILE the rules are written inline. */
const fromFile = rulesFileLoader(process.cwd());
const inlineRules =
  (where: string): LoadRules =>
  (text) => ({ text, source: `the masking-rules of ${where}` });

/** The settings that are comma lists may be YAML lists too. */
const LISTS: Partial<Record<InputName, string>> = {
  'primary-branches': 'a list of branch names',
  'migrate-env': 'a list of variable names',
};

function scalarText(raw: unknown, key: InputName, path: string, at: (path: string) => string): string {
  if (key === 'masking-rules') {
    // A string here would be a path to resolve against who knows what: the rules go inline.
    if (Array.isArray(raw)) return JSON.stringify(raw);
    throw new UsageError(
      `${at(path)}: expected the masking rules inline, as a list of {table_name, column_name, masking_function or masking_value}`,
    );
  }
  if (isScalar(raw)) return String(raw);
  const list = LISTS[key];
  if (list !== undefined && Array.isArray(raw) && raw.every((item) => typeof item === 'string')) {
    return joinList(raw);
  }
  throw new UsageError(
    `${at(path)}: expected a string, number or boolean${list === undefined ? '' : `, or ${list}`}`,
  );
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
