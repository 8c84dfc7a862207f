import { resultOf } from './core/executor.js';
import type { Plan } from './core/plan.js';
import type { GitHubReport, Result } from './core/result.js';
import { createPublisher } from './github/publish.js';
import type { GitHubTarget } from './github/target.js';
import { type RunOptions, runPlan } from './runner.js';

export interface PublishedRunOptions extends RunOptions {
  /** Where to report on GitHub; undefined (no token, no repository): not a single GitHub request. */
  github?: GitHubTarget | undefined;
}

/**
 * The composition root's run, reported on GitHub: the publisher hears when the Amplify job starts
 * (the deployment goes `in_progress` while the build runs) and gets the outcome at the end, a
 * failed one included, before the error goes on to the front end. The core never sees GitHub; every
 * front end (action, webhook, CLI) reports through here.
 */
export async function runAndPublish(
  plan: Plan,
  options: PublishedRunOptions,
  run: (plan: Plan, options: RunOptions) => Promise<Result> = runPlan,
): Promise<Result> {
  const { github, ...runOptions } = options;
  const publisher =
    github === undefined
      ? undefined
      : createPublisher({ target: github, plan, settings: options.settings, log: options.log });
  if (publisher === undefined) return run(plan, runOptions);
  let result: Result;
  try {
    result = await run(plan, { ...runOptions, onJobStarted: publisher.jobStarted });
  } catch (error) {
    const partial = resultOf(error);
    attach(partial, await publisher.finished(partial, error));
    throw error;
  }
  attach(result, await publisher.finished(result));
  return result;
}

function attach(result: Result | undefined, report: GitHubReport): void {
  if (result?.kind === 'deploy' || result?.kind === 'cleanup') result.github = report;
}
