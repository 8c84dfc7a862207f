import * as core from '@actions/core';
import { context } from '@actions/github';
import { messageOf } from '../core/errors.js';
import { resultOf } from '../core/executor.js';
import { describePlan, makePlan, type Plan } from '../core/plan.js';
import type { Logger } from '../core/ports.js';
import { type Result, toOutputs } from '../core/result.js';
import type { Settings } from '../core/settings.js';
import { intentFromEvent } from '../github/event.js';
import { githubTarget } from '../github/target.js';
import { runAndPublish } from '../publishing.js';
import { readSettings } from './inputs.js';
import { writeSummary } from './summary.js';

const log: Logger = { info: core.info, warning: core.warning, debug: core.debug };

export async function run(): Promise<void> {
  let plan: Plan | undefined;
  let settings: Settings | undefined;
  try {
    settings = readSettings();
    const event = intentFromEvent(
      { name: context.eventName, payload: context.payload, ref: context.ref },
      { command: settings.command, gitBranch: settings.gitBranch },
    );
    plan = makePlan(event.intent, settings, { defaultBranch: event.defaultBranch });
    if (plan.kind === 'none') core.notice(describePlan(plan, settings));
    else core.info(`${settings.dryRun ? 'Dry run. ' : ''}${describePlan(plan, settings)}`);

    // The runner's GITHUB_API_URL and GITHUB_REPOSITORY; the sha is the push's `after`, else GITHUB_SHA.
    const github = githubTarget({
      token: settings.githubToken,
      apiUrl: process.env.GITHUB_API_URL,
      repository: process.env.GITHUB_REPOSITORY,
      payload: context.payload,
      sha: process.env.GITHUB_SHA,
    });
    const result = await runAndPublish(plan, { settings, log, secret: core.setSecret, github });
    await report(plan, result, settings);
  } catch (error) {
    const partial = resultOf(error);
    if (partial !== undefined && plan !== undefined && settings !== undefined) {
      await report(plan, partial, settings);
    }
    core.setFailed(messageOf(error));
  }
}

async function report(plan: Plan, result: Result, settings: Settings): Promise<void> {
  for (const [name, value] of Object.entries(toOutputs(result))) core.setOutput(name, value);
  await writeSummary(plan, result, settings);
}
