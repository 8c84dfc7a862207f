import * as core from '@actions/core';
import type { ReadSetting } from '../core/setting-names.js';
import { nonEmpty } from '../core/setting-parsers.js';
import { parseSettings, type Settings } from '../core/settings.js';
import { rulesFileLoader } from '../masking-rules-file.js';

/**
 * Reads every input in one place. Secrets are masked the moment they are read, before any
 * validation message could echo them.
 */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  for (const secret of ['neon-api-key', 'github-token']) {
    const value = core.getInput(secret);
    if (value !== '') core.setSecret(value);
  }
  const read: ReadSetting = (name) =>
    // The runner passes every input, defaults included; an explicitly empty branch-prefix is a
    // choice (reconcile refuses it), so it is read raw to tell "empty" from "not given".
    name === 'branch-prefix' ? env[inputVariable(name)] : core.getInput(name);
  return parseSettings(read, env, rulesFileLoader(nonEmpty(env.GITHUB_WORKSPACE) ?? process.cwd()));
}

/** The runner's variable for an input: `INPUT_` + the name upper-cased, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}
