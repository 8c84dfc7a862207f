import * as core from '@actions/core';
import { context } from '@actions/github';
import { messageOf } from '../core/errors.js';
import { ReconcileError } from '../core/executor.js';
import { describePlan, makePlan, type Plan } from '../core/plan.js';
import type { Logger } from '../core/ports.js';
import { type Result, toOutputs } from '../core/result.js';
import { intentFromEvent } from '../github/event.js';
import { runPlan } from '../runner.js';
import { readSettings } from './inputs.js';
import { writeSummary } from './summary.js';

const log: Logger = { info: core.info, warning: core.warning, debug: core.debug };

export async function run(): Promise<void> {
  let plan: Plan | undefined;
  try {
    const settings = readSettings();
    const event = intentFromEvent(
      { name: context.eventName, payload: context.payload, ref: context.ref },
      { command: settings.command, gitBranch: settings.gitBranch },
    );
    plan = makePlan(event.intent, settings, { defaultBranch: event.defaultBranch });
    if (plan.kind === 'none') core.notice(describePlan(plan, settings));
    else core.info(`${settings.dryRun ? 'Dry run. ' : ''}${describePlan(plan, settings)}`);

    const result = await runPlan(plan, { settings, log, secret: core.setSecret });
    await report(plan, result);
  } catch (error) {
    if (error instanceof ReconcileError && plan !== undefined) await report(plan, error.result);
    core.setFailed(messageOf(error));
  }
}

async function report(plan: Plan, result: Result): Promise<void> {
  for (const [name, value] of Object.entries(toOutputs(result))) core.setOutput(name, value);
  await writeSummary(plan, result);
}
