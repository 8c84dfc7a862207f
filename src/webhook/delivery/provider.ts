import type { WebhookConfig } from '../config/config.js';
import type { Classified, Verified } from './types.js';

export type Header = (name: string) => string | undefined;

/** The config a provider reads: the repositories' settings and each provider's secrets. */
export type ProviderConfig = Pick<
  WebhookConfig,
  'secrets' | 'settingsFor' | 'gitlabTokens' | 'bitbucketSecrets' | 'repositorySecret' | 'repositorySecrets'
>;

/**
 * One source of deliveries (GitHub, GitLab, Bitbucket Cloud) behind the one handler: its path, its
 * headers, its verification and its classification. validate.ts keeps the order of refusals and the
 * size limit common to all; each provider folder holds only what differs.
 */
export interface Provider {
  /** `github`, `gitlab`, `bitbucket`: the prefix of CONFIG_FILE keys other than GitHub's. */
  name: string;
  path: string;
  /** The secrets of the environment deliveries are checked with (CONFIG_FILE's come on top). */
  secrets(config: ProviderConfig): readonly string[];
  /**
   * The CONFIG_FILE key of the payload's repository (`gitlab:group/project`), whose own secret
   * (`gitlab-token`, `bitbucket-secret`) it must then be signed with; absent for GitHub, whose
   * repositories share GITHUB_WEBHOOK_SECRET.
   */
  repositoryKey?(payload: object): string | undefined;
  /** The variable that sets them up, for the answer when it is not. */
  secretVariable: string;
  /**
   * The delivery id and event from the headers, or the refusal (400, or 401 for a missing or
   * malformed signature), checked before the body is read. `logged`: their values when they have
   * the provider's shape, for the log of a refusal.
   */
  identify(header: Header): Identified;
  /** Whether the raw body is signed (or the token given) under one of `secrets`. */
  verify(secrets: readonly string[], body: Buffer, header: Header): Promise<boolean>;
  /** The 401 answer when `verify` says no. */
  mismatch: string;
  classify(verified: Verified, config: ProviderConfig): Classified;
}

export interface Identified {
  logged: { delivery: string | undefined; event: string | undefined };
  refusal?: { status: number; error: string } | undefined;
}
