import type {
  CreateEvent,
  DeleteEvent,
  PullRequestEvent,
  PushEvent,
  WorkflowDispatchEvent,
} from '@octokit/webhooks-types';
import { UsageError } from '../core/errors.js';
import { branchFromRef, shortBranchName } from '../core/naming.js';
import type { Intent } from '../core/plan.js';
import { isRecord, type Unchecked } from '../core/records.js';
import type { Command } from '../core/setting-names.js';

/** The parts of a GitHub event the product reads; shared by the action and the webhook server. */
export interface GitHubEvent {
  /** `push`, `pull_request`, `delete`, `workflow_dispatch`, ... (GITHUB_EVENT_NAME or X-GitHub-Event). */
  name: string;
  payload: unknown;
  /** GITHUB_REF in a workflow; a webhook has only the payload. */
  ref?: string | undefined;
}

export interface EventIntent {
  intent: Intent;
  /** The repository's default branch, from the payload. */
  defaultBranch: string | undefined;
  /** `owner/name`, from the payload. */
  repository: string | undefined;
}

export interface IntentOptions {
  command: Command;
  /** The `git-branch` setting, which overrides the branch the event names. */
  gitBranch: string | undefined;
}

/** GitHub's payloads of the events read here, every value still to be checked. */
type Payload = Unchecked<PushEvent> &
  Unchecked<PullRequestEvent> &
  Unchecked<DeleteEvent> &
  Unchecked<CreateEvent> &
  Unchecked<WorkflowDispatchEvent>;

/**
 * Maps an event to what it asks for. With `command: auto`: a branch push deploys, a push with
 * `deleted: true` cleans up, a tag push does nothing; a closed pull request cleans up, other pull
 * request actions do nothing; a branch `delete` cleans up, a tag `delete` does nothing;
 * `workflow_dispatch` deploys `git-branch` or the ref's branch.
 */
export function intentFromEvent(event: GitHubEvent, options: IntentOptions): EventIntent {
  const payload: Payload = isRecord(event.payload) ? event.payload : {};
  const repository = stringOf(payload.repository?.full_name);
  const defaultBranch = stringOf(payload.repository?.default_branch);
  const result = (intent: Intent): EventIntent => ({ intent, defaultBranch, repository });
  const none = (reason: string) => result({ command: 'none', reason });

  if (options.command === 'reconcile' || options.command === 'list')
    return result({ command: options.command });

  const fork = forkOf(event, payload, repository);
  if (fork !== undefined) return none(fork);

  const found = branchOfEvent(event, payload);
  // A deploy of the branch that this push created in git (GitHub sends `created: true` on it).
  const createdByPush = event.name === 'push' && payload.created === true && payload.deleted !== true;
  const deployOf = (gitBranch: string, pushed: boolean) =>
    result({ command: 'deploy', gitBranch, ...(pushed && createdByPush ? { newInGit: true } : {}) });
  if (options.command === 'deploy' || options.command === 'cleanup') {
    const gitBranch = options.gitBranch ?? found.branch;
    if (gitBranch === undefined) {
      if (found.reason !== undefined) return none(found.reason);
      throw new UsageError(
        `No git branch for command '${options.command}' on a '${event.name}' event: set the git-branch input, such as feature/login`,
      );
    }
    if (options.command === 'cleanup') return result({ command: 'cleanup', gitBranch });
    return deployOf(gitBranch, options.gitBranch === undefined);
  }

  // command: auto
  switch (event.name) {
    case 'push':
      if (found.branch === undefined) return none(found.reason ?? 'the push names no branch');
      if (payload.deleted === true) return result({ command: 'cleanup', gitBranch: found.branch });
      return deployOf(found.branch, true);
    case 'pull_request':
    case 'pull_request_target':
      if (payload.action !== 'closed')
        return none(`pull request action '${String(payload.action)}' needs nothing`);
      if (found.branch === undefined) throw new UsageError('The pull request payload has no head ref');
      return result({ command: 'cleanup', gitBranch: found.branch });
    case 'delete':
      if (found.branch === undefined) return none(found.reason ?? 'the deleted ref is not a branch');
      return result({ command: 'cleanup', gitBranch: found.branch });
    case 'workflow_dispatch': {
      const gitBranch = options.gitBranch ?? found.branch;
      if (gitBranch === undefined) return none(found.reason ?? 'the workflow ran on no branch');
      return result({ command: 'deploy', gitBranch });
    }
    default:
      throw new UsageError(
        `Event '${event.name}' has no meaning with command 'auto': run on push, pull_request (closed), delete or workflow_dispatch, or set command to deploy, cleanup or reconcile`,
      );
  }
}

/**
 * Why a pull request event is left alone when it comes from a fork, else undefined. A fork's branch
 * lives in another repository: no Neon branch here was made for it, and its head ref may share a
 * name with one of ours, so it must never delete anything.
 */
function forkOf(event: GitHubEvent, payload: Payload, repository: string | undefined): string | undefined {
  if (event.name !== 'pull_request' && event.name !== 'pull_request_target') return undefined;
  const pull = payload.pull_request;
  const head = stringOf(pull?.head?.repo?.full_name);
  const base = stringOf(pull?.base?.repo?.full_name) ?? repository;
  if (head !== undefined && head === base) return undefined;
  const number = typeof pull?.number === 'number' ? ` #${pull.number}` : '';
  return `pull request${number} comes from a fork (${head ?? 'a deleted repository'}): its branch lives in that repository, so no Neon branch or Amplify build was made for it here and nothing is deleted (workflows of fork pull requests also get no secrets). Push the branch to this repository for a preview database`;
}

/** The branch an event is about, or why there is none (a tag). */
function branchOfEvent(event: GitHubEvent, payload: Payload): { branch?: string; reason?: string } {
  switch (event.name) {
    case 'pull_request':
    case 'pull_request_target': {
      const branch = stringOf(payload.pull_request?.head?.ref);
      return branch === undefined ? {} : { branch };
    }
    case 'delete':
    case 'create': {
      const ref = stringOf(payload.ref);
      if (payload.ref_type !== 'branch')
        return { reason: `${event.name} of tag '${ref ?? ''}' needs nothing` };
      return ref === undefined ? {} : { branch: shortBranchName(ref) };
    }
    default: {
      const ref = stringOf(payload.ref) ?? event.ref;
      if (ref?.startsWith('refs/tags/')) {
        return { reason: `a tag push (${ref.slice('refs/tags/'.length)}) needs no database` };
      }
      const branch = branchFromRef(ref);
      return branch === undefined ? {} : { branch };
    }
  }
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
