import type { PullRequestEvent, PushEvent } from '@octokit/webhooks-types';
import { isRecord, type Unchecked } from '../core/records.js';
import { parseRepository, type Repository } from './repository.js';

/** Where and as whom a run reports on GitHub, and what the event says about the commit. */
export interface GitHubTarget {
  token: string;
  /** GITHUB_API_URL; left out, GitHub's own (or what `@actions/github` reads from the environment). */
  apiUrl?: string | undefined;
  repository: Repository;
  /** The pushed commit: a deployment needs it. */
  sha?: string | undefined;
  /** The pull requests the event names (a closed pull request); left out, they are looked up. */
  pullNumbers?: number[] | undefined;
}

export interface TargetInput {
  token: string | undefined;
  apiUrl?: string | undefined;
  /** `owner/name`: GITHUB_REPOSITORY, or the payload's repository. */
  repository: string | undefined;
  /** The event's payload, when there is one (the CLI has none). */
  payload?: unknown;
  /** The commit when the payload names none: GITHUB_SHA (workflow_dispatch), AWS_COMMIT_ID. */
  sha?: string | undefined;
}

/** GitHub's payloads of a push and a pull request, every value still to be checked. */
type Payload = Unchecked<PushEvent> & Unchecked<PullRequestEvent>;

const DELETED_SHA = /^0{40}$/;

/** The commit a push event deployed: its `after`, unless it is GitHub's zeros for a deleted branch. */
export function pushedSha(payload: unknown): string | undefined {
  const { after }: Payload = isRecord(payload) ? payload : {};
  return typeof after === 'string' && !DELETED_SHA.test(after) ? after : undefined;
}

/**
 * The target of a run, or undefined when there is no token or no repository to report to. The sha
 * is the push's `after` (GitHub's zeros for a deleted branch do not count), else the one given.
 */
export function githubTarget(input: TargetInput): GitHubTarget | undefined {
  const payload: Payload = isRecord(input.payload) ? input.payload : {};
  const fullName =
    input.repository ??
    (typeof payload.repository?.full_name === 'string' ? payload.repository.full_name : undefined);
  const repository = parseRepository(fullName);
  if (input.token === undefined || input.token === '' || repository === undefined) return undefined;
  const after = pushedSha(payload);
  const number = payload.pull_request?.number;
  return {
    token: input.token,
    apiUrl: input.apiUrl,
    repository,
    sha: after ?? (input.sha === '' ? undefined : input.sha),
    pullNumbers: typeof number === 'number' ? [number] : undefined,
  };
}
