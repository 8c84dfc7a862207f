import { readFileSync } from 'node:fs';
import { messageOf, UsageError } from '../../core/errors.js';
import { nonEmpty } from '../../core/setting-parsers.js';
import type { Settings } from '../../core/settings.js';
import { parseConfigFile } from './file.js';
import { type ConfigRole, NO_NEON_API_KEY, settingsFromEnvironment } from './settings.js';

export type { ConfigRole } from './settings.js';

/** What the webhook front end runs with, read and checked once at start. */
export interface WebhookConfig {
  port: number;
  /** GITHUB_WEBHOOK_SECRET split on commas: a delivery signed with any of them is accepted. */
  secrets: string[];
  /** GITLAB_WEBHOOK_TOKEN split on commas: POST /webhook/gitlab answers 404 without one. */
  gitlabTokens?: string[] | undefined;
  /** BITBUCKET_WEBHOOK_SECRET split on commas: POST /webhook/bitbucket answers 404 without one. */
  bitbucketSecrets?: string[] | undefined;
  /** CONFIG_FILE's `gitlab-token` / `bitbucket-secret` of a repository (`gitlab:group/project`). */
  repositorySecret?: ((repository: string | undefined) => string | undefined) | undefined;
  /** Every such secret, keyed by repository: candidates for verification before the body is parsed. */
  repositorySecrets?: ConfiguredSecret[] | undefined;
  maxBodyBytes: number;
  /** Deliveries worked on at once (different branches; one branch runs one at a time). */
  concurrency: number;
  /** Deliveries held at once, waiting and running; past it a delivery is answered 503. */
  laneCapacity: number;
  /** How long SIGTERM waits for queued work. */
  drainTimeoutMs: number;
  debug: boolean;
  /** The CONFIG_FILE path, when one is used. */
  configFile: string | undefined;
  /** Settings for a delivery's repository (`owner/name`); undefined when CONFIG_FILE does not list it. */
  settingsFor(repository: string | undefined): Settings | undefined;
  /**
   * Every configured repository with its settings, for the scheduled reconcile: CONFIG_FILE's, or
   * without one a single entry whose repository is undefined (the environment's settings).
   */
  repositories(): ConfiguredRepository[];
  /** QUEUE_URL: the SQS FIFO queue a receiver sends verified deliveries to, instead of working. */
  queueUrl: string | undefined;
  /** GitHub's API root for the replay check: GITHUB_API_URL, else GitHub's own. */
  githubApiUrl: string | undefined;
  /** Every configured secret (webhook secrets, Neon API keys, GitHub tokens), for the log redactor. */
  secretValues: string[];
}

export interface ConfiguredSecret {
  repository: string;
  secret: string;
}

export interface ConfiguredRepository {
  /** `owner/name` as CONFIG_FILE spells it; undefined for the environment's settings. */
  repository: string | undefined;
  settings: Settings;
}

export const DEFAULT_PORT = 3000;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_LANE_CAPACITY = 1000;
export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 25;

export interface LoadOptions {
  readFile?: (path: string) => string;
  /**
   * `server` (default without QUEUE_URL): everything. `receiver` (the queued receiver, and by
   * default whenever QUEUE_URL is set):
   * QUEUE_URL is required and NEON_API_KEY is not, since it never calls Neon. `worker`: QUEUE_URL
   * is not read (its work comes from the event source mapping); the webhook secret is required, to
   * verify the receiver's signature on each message.
   */
  role?: ConfigRole;
}

/** Reads and checks everything at start; every error names the variable or the CONFIG_FILE key. */
export function loadWebhookConfig(env: NodeJS.ProcessEnv, options: LoadOptions = {}): WebhookConfig {
  const role = options.role ?? (nonEmpty(env.QUEUE_URL) === undefined ? 'server' : 'receiver');
  const secrets = parseSecrets(env.GITHUB_WEBHOOK_SECRET, role);
  const queueUrl = role === 'worker' ? undefined : parseQueueUrl(env.QUEUE_URL);
  if (role === 'receiver' && queueUrl === undefined) {
    throw new UsageError(
      `QUEUE_URL is required and not set: the URL of the SQS FIFO queue the receiver sends deliveries to (${QUEUE_URL_FORM})`,
    );
  }
  const gitlabTokens = optionalSecrets(env, 'GITLAB_WEBHOOK_TOKEN');
  const bitbucketSecrets = optionalSecrets(env, 'BITBUCKET_WEBHOOK_SECRET');
  const secretValues = [...secrets, ...gitlabTokens, ...bitbucketSecrets];
  const keep = (settings: Settings): Settings => {
    if (settings.neonApiKey !== NO_NEON_API_KEY) secretValues.push(settings.neonApiKey);
    if (settings.githubToken !== undefined) secretValues.push(settings.githubToken);
    return settings;
  };
  const configFile = nonEmpty(env.CONFIG_FILE);
  const keepSecrets = (values: string[]) => {
    secretValues.push(...values);
  };
  const found = repositorySettings({ env, configFile, role, readFile: options.readFile, keep, keepSecrets });

  return {
    port: integer(env, 'PORT', DEFAULT_PORT, 0, 65_535),
    secrets,
    gitlabTokens,
    bitbucketSecrets,
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES, 1, 25 * 1024 * 1024),
    concurrency: integer(env, 'MAX_CONCURRENCY', DEFAULT_CONCURRENCY, 1, 256),
    laneCapacity: integer(env, 'MAX_QUEUED', DEFAULT_LANE_CAPACITY, 1, 100_000),
    drainTimeoutMs: integer(env, 'DRAIN_TIMEOUT_SECONDS', DEFAULT_DRAIN_TIMEOUT_SECONDS, 0, 3600) * 1000,
    debug: parseLogLevel(env.LOG_LEVEL) === 'debug',
    configFile,
    githubApiUrl: nonEmpty(env.GITHUB_API_URL),
    ...found,
    queueUrl,
    secretValues,
  };
}

interface RepositorySources {
  env: NodeJS.ProcessEnv;
  configFile: string | undefined;
  role: ConfigRole;
  readFile: ((path: string) => string) | undefined;
  /** Called with every settings object made, so its secrets reach the redactor. */
  keep: (settings: Settings) => Settings;
  /** Likewise for the repositories' own webhook secrets. */
  keepSecrets: (secrets: string[]) => void;
}

/** The environment's settings, or CONFIG_FILE's per repository. */
function repositorySettings(
  sources: RepositorySources,
): Pick<WebhookConfig, 'settingsFor' | 'repositories' | 'repositorySecret' | 'repositorySecrets'> {
  const { env, configFile, role, keep } = sources;
  if (configFile === undefined) {
    const settings = keep(settingsFromEnvironment(env, role));
    return {
      settingsFor: (repository) => forProvider(repository, settings),
      repositories: () => [{ repository: undefined, settings }],
    };
  }
  const readFile = sources.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  let text: string;
  try {
    text = readFile(configFile);
  } catch (error) {
    throw new UsageError(`CONFIG_FILE ${configFile} cannot be read: ${messageOf(error)}`);
  }
  const byRepository = new Map<string, ConfiguredRepository>();
  const secrets: ConfiguredSecret[] = [];
  for (const [repository, settings, secret] of parseConfigFile(text, configFile, { env, role })) {
    byRepository.set(repository.toLowerCase(), { repository, settings: keep(settings) });
    if (secret !== undefined) secrets.push({ repository: repository.toLowerCase(), secret });
  }
  sources.keepSecrets(secrets.map((entry) => entry.secret));
  return {
    // GitHub treats owner and name case-insensitively; the payload carries the canonical spelling.
    settingsFor: (repository) => {
      const settings =
        repository === undefined ? undefined : byRepository.get(repository.toLowerCase())?.settings;
      return settings === undefined ? undefined : forProvider(repository, settings);
    },
    repositories: () => [...byRepository.values()],
    repositorySecrets: secrets,
    repositorySecret: (repository) =>
      secrets.find((entry) => entry.repository === repository?.toLowerCase())?.secret,
  };
}

/**
 * A GitLab or Bitbucket repository (`gitlab:group/project`, `bitbucket:workspace/repo`) has no pull
 * request on GitHub to comment on nor a branch there to check a cleanup against: its deliveries run
 * without the GitHub token, which turns both off (src/webhook/run/job.ts, src/webhook/run/replay-guard.ts).
 */
function forProvider(repository: string | undefined, settings: Settings): Settings {
  return repository !== undefined && /^(gitlab|bitbucket):/.test(repository)
    ? { ...settings, githubToken: undefined }
    : settings;
}

const QUEUE_URL_FORM = 'such as https://sqs.us-east-1.amazonaws.com/123456789012/neon-amplify-branch.fifo';

/**
 * QUEUE_URL: a FIFO queue (per-branch order and deduplication need one), over https; plain http
 * only to a loopback host, where a local stand-in lives.
 */
function parseQueueUrl(raw: string | undefined): string | undefined {
  const value = nonEmpty(raw);
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const loopback = url !== undefined && /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(url.hostname);
  const scheme = url?.protocol === 'https:' || (url?.protocol === 'http:' && loopback);
  if (url === undefined || !scheme || !/^\/\d{12}\/[A-Za-z0-9_-]{1,75}\.fifo$/.test(url.pathname)) {
    throw new UsageError(
      `Invalid QUEUE_URL '${value}': expected the https URL of an SQS FIFO queue (its name ends in .fifo), ${QUEUE_URL_FORM}`,
    );
  }
  return value;
}

function parseSecrets(raw: string | undefined, role: ConfigRole): string[] {
  if (raw === undefined || raw.trim() === '') {
    const use =
      role === 'worker'
        ? "the worker checks each queue message's signature with it (the receiver's own value)"
        : 'the secret of the GitHub webhook';
    throw new UsageError(
      `GITHUB_WEBHOOK_SECRET is required and not set: ${use} (a comma-separated list during a rotation)`,
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

/** GitLab's token or Bitbucket's secret: optional, a comma list during a rotation like GitHub's. */
function optionalSecrets(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return [];
  const secrets = raw.split(',').map((secret) => secret.trim());
  if (secrets.some((secret) => secret === '')) {
    throw new UsageError(
      `Invalid ${name}: an entry of the comma-separated list is empty; expected one secret, or several separated by commas`,
    );
  }
  return secrets;
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
