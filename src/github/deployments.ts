import { boundedName } from '../core/naming.js';
import type { Logger } from '../core/ports.js';
import type { GitHubClient } from './client.js';
import { bestEffort, type SideEffect } from './permissions.js';
import type { Repository } from './repository.js';

/** GitHub's limit on an environment name, in characters. */
export const ENVIRONMENT_NAME_LIMIT = 255;
/** "The maximum description length is 140 characters" (a deployment status). */
const STATUS_DESCRIPTION_LIMIT = 140;
/** Deployment statuses handled at once during cleanup: a handful, to stay clear of secondary rate limits. */
const CLEANUP_CONCURRENCY = 4;

/** `preview/{B}`; a name past GitHub's 255 characters is cut and ends in a stable hash. */
export function previewEnvironment(gitBranch: string): string {
  return boundedName(`preview/${gitBranch}`, ENVIRONMENT_NAME_LIMIT);
}

export interface PreviewDeployment {
  id: number;
  environment: string;
}

export interface CreateDeploymentInput {
  client: GitHubClient;
  repository: Repository;
  gitBranch: string;
  /** The pushed commit. */
  sha: string;
  log: Logger;
  description?: string | undefined;
  /** Kept by GitHub with the deployment (the Neon branch id, the Amplify job id); never a secret. */
  payload?: Record<string, string | number | boolean> | undefined;
}

/**
 * A deployment of `sha` to `preview/{B}`. `ref` is the sha, not the branch, so the deployment records
 * exactly what was built; `auto_merge: false` because GitHub would otherwise merge the default branch
 * into an outdated ref; `required_contexts: []` because GitHub would otherwise refuse (409) while
 * the commit's own checks are still running, which on a push they always are; `transient_environment`
 * because the preview goes away with its branch. Never throws: undefined, with a warning, on failure.
 */
export async function createPreviewDeployment(
  input: CreateDeploymentInput,
): Promise<PreviewDeployment | undefined> {
  const environment = previewEnvironment(input.gitBranch);
  const effect: SideEffect = {
    what: `Creating the GitHub deployment for ${environment}`,
    permission: 'deployments: write',
  };
  return bestEffort(effect, input.log, async () => {
    const response = await input.client.rest.repos.createDeployment({
      ...input.repository,
      ref: input.sha,
      environment,
      transient_environment: true,
      production_environment: false,
      auto_merge: false,
      required_contexts: [],
      description: cut(
        input.description ?? `Neon database and Amplify build for ${input.gitBranch}`,
        STATUS_DESCRIPTION_LIMIT,
      ),
      payload: input.payload ?? {},
    });
    if (!('id' in response.data) || typeof response.data.id !== 'number') {
      // 202: GitHub merged instead of deploying, which auto_merge: false rules out; say so if it happens.
      throw new Error(
        `GitHub answered ${response.status} without a deployment: ${JSON.stringify(response.data)}`,
      );
    }
    input.log.info(`GitHub deployment ${response.data.id} created for ${environment}`);
    return { id: response.data.id, environment };
  });
}

export type PreviewDeploymentState = 'queued' | 'in_progress' | 'success' | 'failure' | 'error';

export interface DeploymentStatusInput {
  client: GitHubClient;
  repository: Repository;
  deploymentId: number;
  state: PreviewDeploymentState;
  /** The Amplify job in its console (`in_progress`, `failure`). */
  logUrl?: string | undefined;
  /** The preview URL (`success`). */
  environmentUrl?: string | undefined;
  description?: string | undefined;
  log: Logger;
}

/** Adds a status to a deployment. Never throws: false, with a warning, on failure. */
export async function setDeploymentStatus(input: DeploymentStatusInput): Promise<boolean> {
  const effect: SideEffect = {
    what: `Setting GitHub deployment ${input.deploymentId} to ${input.state}`,
    permission: 'deployments: write',
  };
  const done = await bestEffort(effect, input.log, async () => {
    await input.client.rest.repos.createDeploymentStatus({
      ...input.repository,
      deployment_id: input.deploymentId,
      state: input.state,
      ...(input.logUrl === undefined ? {} : { log_url: input.logUrl }),
      ...(input.environmentUrl === undefined ? {} : { environment_url: input.environmentUrl }),
      ...(input.description === undefined
        ? {}
        : { description: cut(input.description, STATUS_DESCRIPTION_LIMIT) }),
    });
    return true;
  });
  return done === true;
}

export interface DeactivateInput {
  client: GitHubClient;
  repository: Repository;
  gitBranch: string;
  log: Logger;
}

/**
 * On cleanup, every deployment of `preview/{B}` (all pages) gets an `inactive` status, which GitHub
 * shows as destroyed for a transient environment. GitHub's own `auto_inactive` never does this: it
 * only touches earlier non-transient deployments. Deployments already inactive are left alone, so a
 * repeated cleanup writes nothing. Never throws: the number marked inactive, or undefined on failure.
 */
export async function deactivatePreviewDeployments(input: DeactivateInput): Promise<number | undefined> {
  const environment = previewEnvironment(input.gitBranch);
  const effect: SideEffect = {
    what: `Marking the deployments of ${environment} inactive`,
    permission: 'deployments: write',
  };
  return bestEffort(effect, input.log, async () => {
    const deployments = await input.client.paginate(input.client.rest.repos.listDeployments, {
      ...input.repository,
      environment,
      per_page: 100,
    });
    let marked = 0;
    const queue = deployments.filter((deployment) => deployment.environment === environment);
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        if ((await latestState(input, next.id)) === 'inactive') continue;
        await input.client.rest.repos.createDeploymentStatus({
          ...input.repository,
          deployment_id: next.id,
          state: 'inactive',
          description: 'The preview database was deleted',
        });
        marked += 1;
      }
    };
    await Promise.all(Array.from({ length: CLEANUP_CONCURRENCY }, worker));
    input.log.info(
      `${marked} GitHub deployment${marked === 1 ? '' : 's'} of ${environment} marked inactive (${deployments.length} found)`,
    );
    return marked;
  });
}

/** The state of the newest status, by id rather than by the order GitHub lists them in. */
async function latestState(input: DeactivateInput, deploymentId: number): Promise<string | undefined> {
  const statuses = await input.client.paginate(input.client.rest.repos.listDeploymentStatuses, {
    ...input.repository,
    deployment_id: deploymentId,
    per_page: 100,
  });
  let newest: { id: number; state: string } | undefined;
  for (const status of statuses) if (newest === undefined || status.id > newest.id) newest = status;
  return newest?.state;
}

/** At most `max` characters, cut at a code point boundary. */
function cut(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}
