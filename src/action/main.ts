import { existsSync, readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { messageOf } from '../core/errors.js';
import { describePlan, makePlan, type Plan } from '../core/plan.js';
import type { Logger } from '../core/ports.js';
import { type Result, toOutputs } from '../core/result.js';
import type { Settings } from '../core/settings.js';
import { type GitHubEvent, intentFromEvent } from '../github/event.js';
import { readSettings } from './inputs.js';
import { writeSummary } from './summary.js';

const log: Logger = { info: core.info, warning: core.warning, debug: core.debug };

export async function run(): Promise<void> {
  try {
    const settings = readSettings();
    const event = readEvent();
    const found = intentFromEvent(event, { command: settings.command, gitBranch: settings.gitBranch });
    const plan = makePlan(found.intent, settings, { defaultBranch: found.defaultBranch });
    const report = (result: Result) => reportRun(plan, result, settings);
    if (plan.kind === 'none') {
      core.notice(describePlan(plan, settings));
      await report({ kind: 'none', reason: plan.reason });
      return;
    }
    core.info(`${settings.dryRun ? 'Dry run. ' : ''}${describePlan(plan, settings)}`);
    // Only a run with work to do loads the clients and the flows (dist/ keeps them in chunks of
    // their own): a run with nothing to do costs little more than starting node.
    const { work } = await import('./work.js');
    await report(await work(plan, { settings, log, secret: core.setSecret, event, report }));
  } catch (error) {
    core.setFailed(messageOf(error));
  }
}

/** The step's outputs and job summary for what the run did (also for a run that failed part-way). */
async function reportRun(plan: Plan, result: Result, settings: Settings): Promise<void> {
  for (const [name, value] of Object.entries(toOutputs(result))) core.setOutput(name, value);
  await writeSummary(plan, result, settings);
}

/** The event as the runner describes it: `@actions/github`'s `context`, without loading Octokit. */
function readEvent(env: NodeJS.ProcessEnv = process.env): GitHubEvent {
  const path = env.GITHUB_EVENT_PATH;
  let payload: unknown = {};
  if (path) {
    if (existsSync(path)) payload = JSON.parse(readFileSync(path, 'utf8'));
    else core.info(`GITHUB_EVENT_PATH ${path} does not exist`);
  }
  return { name: env.GITHUB_EVENT_NAME ?? '', payload, ref: env.GITHUB_REF };
}
