import { existsSync, readFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { messageOf } from '../core/errors.js';
import { describePlan, makePlan, type Plan } from '../core/plan.js';
import type { Logger } from '../core/ports.js';
import { type Result, toOutputs } from '../core/result.js';
import { type GitHubEvent, intentFromEvent } from '../github/event.js';
import { readSettings } from './inputs.js';
import * as core from './runner-commands.js';
import { writeSummary } from './summary.js';

const log: Logger = { info: core.info, warning: core.warning, debug: core.debug };

export async function run(): Promise<void> {
  let plan: Plan | undefined;
  try {
    const settings = readSettings();
    const event = intentFromEvent(readEvent(), { command: settings.command, gitBranch: settings.gitBranch });
    plan = makePlan(event.intent, settings, { defaultBranch: event.defaultBranch });
    if (plan.kind === 'none') {
      core.notice(describePlan(plan, settings));
      await report(plan, { kind: 'none', reason: plan.reason });
      return;
    }
    core.info(`${settings.dryRun ? 'Dry run. ' : ''}${describePlan(plan, settings)}`);
    // Only a run with work to do loads the clients and the flows (dist/ keeps them in chunks of
    // their own): a run with nothing to do costs little more than starting node.
    const { work } = await import('./work.js');
    await report(plan, await work(plan, { settings, log, secret: core.setSecret, report }));
  } catch (error) {
    core.setFailed(messageOf(error));
  }
}

/** The step's outputs and job summary for what the run did (also for a reconcile that failed part-way). */
async function report(plan: Plan, result: Result): Promise<void> {
  for (const [name, value] of Object.entries(toOutputs(result))) core.setOutput(name, value);
  await writeSummary(plan, result);
}

/** The event as the runner describes it: `@actions/github`'s `context`, without loading Octokit. */
function readEvent(env: NodeJS.ProcessEnv = process.env): GitHubEvent {
  const path = env.GITHUB_EVENT_PATH;
  let payload: unknown = {};
  if (path) {
    if (existsSync(path)) payload = JSON.parse(readFileSync(path, 'utf8'));
    else process.stdout.write(`GITHUB_EVENT_PATH ${path} does not exist${EOL}`);
  }
  return { name: env.GITHUB_EVENT_NAME ?? '', payload, ref: env.GITHUB_REF };
}
