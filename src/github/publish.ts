import { amplifyDeploymentsConsoleUrl } from '../core/console-links.js';
import { AmplifyJobError } from '../core/executor.js';
import { isWorkPlan, type Plan, type WorkPlan } from '../core/plan.js';
import type { Logger } from '../core/ports.js';
import type { CleanupResult, DeployResult, GitHubReport, Result } from '../core/result.js';
import type { Settings } from '../core/settings.js';
import type { GitHubClient } from './client.js';
import { renderDeletedComment, renderPreviewComment } from './comment-body.js';
import {
  createPreviewDeployment,
  deactivatePreviewDeployments,
  type PreviewDeployment,
  type PreviewDeploymentState,
  setDeploymentStatus,
} from './deployments.js';
import { bestEffort } from './permissions.js';
import { deletedFacts, previewFacts } from './preview-facts.js';
import { commentOnPullRequests } from './pull-request-comment.js';
import { findBranchPullRequests } from './pull-requests.js';
import type { GitHubTarget } from './target.js';

export interface PublisherOptions {
  target: GitHubTarget;
  plan: Plan;
  settings: Settings;
  log: Logger;
  /** Tests hand in their own; default Octokit on `target.apiUrl`. */
  client?: GitHubClient;
  now?: () => Date;
}

/** Reports a run on GitHub. Nothing it does throws: GitHub's answers never fail a deploy. */
export interface Publisher {
  /** For ExecuteOptions.onJobStarted: the deployment goes `in_progress`, the comment shows the job. */
  jobStarted(progress: DeployResult): Promise<void>;
  /** After the run, with its result (or what a failed run still has) and the error, if any. */
  finished(result: Result | undefined, error?: unknown): Promise<GitHubReport>;
}

/**
 * The publisher for a run, or undefined when the run writes nothing to GitHub: both
 * `comment-on-pr` and `create-deployment` off (then not a single request is sent), a dry run, a
 * primary branch (no preview to report), or a plan that is neither deploy nor cleanup.
 */
export function createPublisher(options: PublisherOptions): Publisher | undefined {
  const { plan, settings, log } = options;
  if (!settings.commentOnPr && !settings.createDeployment) return undefined;
  if (!isWorkPlan(plan)) return undefined;
  if (settings.dryRun) {
    log.info('Dry run: no pull request comment and no deployment are written');
    return undefined;
  }
  if (plan.kind === 'deploy' && plan.primary) {
    log.info(`'${plan.gitBranch}' is a primary branch: no preview comment or deployment`);
    return undefined;
  }
  return new GitHubPublisher(options, plan);
}

class GitHubPublisher implements Publisher {
  private deployment: PreviewDeployment | undefined;
  private commentUrl: string | undefined;
  private pulls: Promise<number[]> | undefined;
  private octokit: Promise<GitHubClient> | undefined;

  constructor(
    private readonly options: PublisherOptions,
    private readonly plan: WorkPlan,
  ) {}

  /**
   * Octokit (and undici under it) is loaded on the first GitHub request, which comes after the
   * Amplify job has started: loading it cost about 20 ms before the deploy's first request.
   */
  private client(): Promise<GitHubClient> {
    const { client, target, log } = this.options;
    this.octokit ??=
      client !== undefined
        ? Promise.resolve(client)
        : import('./client.js').then(({ createGitHubClient }) =>
            createGitHubClient({ token: target.token, baseUrl: target.apiUrl, log }),
          );
    return this.octokit;
  }

  jobStarted = async (progress: DeployResult): Promise<void> => {
    if (progress.production !== undefined) return;
    await Promise.all([this.startDeployment(progress), this.comment(progress)]);
  };

  async finished(result: Result | undefined, error?: unknown): Promise<GitHubReport> {
    // A deploy that used production read-only, or a cleanup that kept it, had no preview to report.
    if (result?.kind === 'deploy' && result.production !== undefined) return {};
    if (result?.kind === 'cleanup' && result.kept !== undefined) return {};
    if (result?.kind === 'cleanup' && error === undefined) await this.cleanedUp(result);
    if (result?.kind === 'deploy') {
      await Promise.all([this.endDeployment(result, error), this.comment(result)]);
    } else if (this.deployment !== undefined) {
      await this.status('error', { description: 'The deploy failed after the Amplify job started' });
    }
    return { commentUrl: this.commentUrl, deploymentId: this.deployment?.id };
  }

  /** A deployment of the pushed commit, `in_progress` with the build's page in the Amplify console. */
  private async startDeployment(progress: DeployResult): Promise<void> {
    const { settings, target, log } = this.options;
    if (!settings.createDeployment || progress.job === undefined) return;
    if (target.sha === undefined) {
      log.info('No commit sha is known for this run: no GitHub deployment');
      return;
    }
    this.deployment = await createPreviewDeployment({
      client: await this.client(),
      repository: target.repository,
      gitBranch: progress.gitBranch,
      sha: target.sha,
      log,
      payload: { neonBranchId: progress.neonBranch.id, amplifyJobId: progress.job.id },
    });
    await this.status('in_progress', { description: `Amplify job ${progress.job.id} is building` });
  }

  /** `success` with the preview URL; `failure` for a failed build; `error` for a timeout or other failure. */
  private async endDeployment(result: DeployResult, error: unknown): Promise<void> {
    if (this.deployment === undefined) return;
    const job = result.job === undefined ? 'the Amplify job' : `Amplify job ${result.job.id}`;
    if (error === undefined) {
      const ended = this.options.settings.waitForJob ? 'succeeded' : 'started; the database is ready';
      await this.status('success', { environmentUrl: result.previewUrl, description: `${job} ${ended}` });
    } else if (error instanceof AmplifyJobError && !error.timedOut) {
      await this.status('failure', { description: `${job} ended ${result.job?.status ?? 'unsuccessfully'}` });
    } else {
      const what = error instanceof AmplifyJobError ? `${job} did not end in time` : 'The deploy failed';
      await this.status('error', { description: what });
    }
  }

  private async status(
    state: PreviewDeploymentState,
    extra: { environmentUrl?: string | undefined; description: string },
  ): Promise<void> {
    const { target, settings, log } = this.options;
    if (this.deployment === undefined) return;
    await setDeploymentStatus({
      client: await this.client(),
      repository: target.repository,
      deploymentId: this.deployment.id,
      state,
      logUrl: amplifyDeploymentsConsoleUrl(
        settings.awsRegion ?? '',
        settings.amplifyAppId ?? '',
        this.plan.gitBranch,
      ),
      ...extra,
      log,
    });
  }

  /** The sticky comment on each open pull request of the branch, with the deploy as it stands. */
  private async comment(result: DeployResult): Promise<void> {
    const { target, settings, log } = this.options;
    if (!settings.commentOnPr) return;
    const pullNumbers = await this.pullRequests('open');
    if (pullNumbers.length === 0) return;
    const facts = previewFacts(result, settings, { sha: target.sha, updatedAt: this.now() });
    const comments = await commentOnPullRequests({
      client: await this.client(),
      repository: target.repository,
      gitBranch: result.gitBranch,
      body: renderPreviewComment(facts),
      log,
      pullNumbers,
    });
    this.commentUrl = comments.find((comment) => comment.url !== undefined)?.url ?? this.commentUrl;
  }

  /** Cleanup: the comment says the branch was deleted; the environment's deployments go inactive. */
  private async cleanedUp(result: CleanupResult): Promise<void> {
    const { target, settings, log } = this.options;
    if (this.plan.kind !== 'cleanup') return;
    const plan = this.plan;
    const comment = async () => {
      if (!settings.commentOnPr) return;
      const pullNumbers = await this.pullRequests('all');
      if (pullNumbers.length === 0) return;
      const reason = target.pullNumbers === undefined ? undefined : 'the pull request was closed';
      const body = renderDeletedComment(
        deletedFacts(plan, result, settings, { reason, updatedAt: this.now() }),
      );
      const comments = await commentOnPullRequests({
        ...{ repository: target.repository, gitBranch: result.gitBranch, body, log, pullNumbers },
        client: await this.client(),
        mode: 'edit-only',
      });
      this.commentUrl = comments.find((found) => found.url !== undefined)?.url;
    };
    const deactivate = async () => {
      if (!settings.createDeployment) return;
      await deactivatePreviewDeployments({
        client: await this.client(),
        repository: target.repository,
        gitBranch: result.gitBranch,
        log,
      });
    };
    await Promise.all([comment(), deactivate()]);
  }

  /**
   * The pull requests to comment on: those the event names, else the branch's own in this
   * repository (open ones for a deploy; any for a cleanup, whose pull request may be closed), looked
   * up once per run. None is not an error: a push without a pull request gets no comment.
   */
  private pullRequests(state: 'open' | 'all'): Promise<number[]> {
    const { target, log } = this.options;
    const branch = this.plan.gitBranch;
    this.pulls ??= (async () => {
      if (target.pullNumbers !== undefined) return target.pullNumbers;
      const found = await bestEffort(
        { what: `Looking up the pull requests of '${branch}'`, permission: 'pull-requests: write' },
        log,
        async () => findBranchPullRequests(await this.client(), target.repository, branch, state),
      );
      if (found?.length === 0) {
        log.info(`No ${state === 'open' ? 'open ' : ''}pull request has '${branch}' as its head: no comment`);
      }
      return found?.map((pull) => pull.number) ?? [];
    })();
    return this.pulls;
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }
}
