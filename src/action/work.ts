import { resultOf } from '../core/executor.js';
import type { Plan } from '../core/plan.js';
import type { Result } from '../core/result.js';
import type { GitHubEvent } from '../github/event.js';
import { githubTarget } from '../github/target.js';
import { runAndPublish } from '../publishing.js';
import type { RunOptions } from '../runner.js';

export interface WorkOptions extends Omit<RunOptions, 'github'> {
  event: GitHubEvent;
  /** Writes the outputs and summary; called here only for a run that failed part-way. */
  report(result: Result): Promise<void>;
}

/**
 * The part of the action that talks to Neon, Amplify and GitHub, imported by main.ts only when the
 * plan has work: it brings the AWS SDK, the Neon client, Octokit and every flow with it.
 */
export async function work(plan: Plan, { report, event, ...options }: WorkOptions): Promise<Result> {
  // The runner's GITHUB_API_URL and GITHUB_REPOSITORY; the sha is the push's `after`, else GITHUB_SHA.
  const github = githubTarget({
    token: options.settings.githubToken,
    apiUrl: process.env.GITHUB_API_URL,
    repository: process.env.GITHUB_REPOSITORY,
    payload: event.payload,
    sha: process.env.GITHUB_SHA,
  });
  try {
    return await runAndPublish(plan, { ...options, github });
  } catch (error) {
    // What was done before the failure is still reported (a reconcile's deletions, a failed build's
    // job): the outputs and the summary show it.
    const partial = resultOf(error);
    if (partial !== undefined) await report(partial);
    throw error;
  }
}
