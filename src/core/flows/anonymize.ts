import { MaskingError, UsageError } from '../errors.js';
import { toNeonRules } from '../masking-rules.js';
import type { NeonBranch, NeonMaskingRule } from '../ports.js';
import type { Anonymization } from '../result.js';
import { connectionTarget } from './neon-branch.js';
import type { ExecuteOptions } from './options.js';

/**
 * The masking rules in Neon's form, or undefined without `anonymize`. A rule that names no database
 * gets the `database` setting, else the parent's only database: a preview has its parent's.
 */
export async function neonRules(
  /** Read only when a rule names no database and the database setting is not set. */
  parent: () => Promise<NeonBranch>,
  options: ExecuteOptions,
): Promise<NeonMaskingRule[] | undefined> {
  const { settings, neon } = options;
  const rules = settings.anonymize ? settings.maskingRules : undefined;
  if (rules === undefined) return undefined;
  const resolve = rules.some((rule) => rule.databaseName === undefined) && settings.database === undefined;
  const database = resolve
    ? (await connectionTarget(neon, await parent(), settings)).databaseName
    : settings.database;
  return toNeonRules(rules, database ?? '');
}

/**
 * Waits until Neon has masked the branch. Until then nothing else touches it: no new password, no
 * migrate-command, no Amplify write, so no build ever sees its unmasked rows. A failed masking
 * throws with Neon's status_message.
 */
export async function awaitMasking(
  branch: NeonBranch,
  rules: NeonMaskingRule[],
  options: ExecuteOptions,
): Promise<Anonymization> {
  const { neon, log } = options;
  log.info(
    `Waiting for Neon to mask branch '${branch.name}' (${rules.length} masking ${plural(rules.length)}); nothing is written to Amplify before it is done`,
  );
  const status = await neon.waitForAnonymized(branch.id);
  log.info(`Neon branch '${branch.name}' is anonymized${status.message ? `: ${status.message}` : ''}`);
  return { rules: rules.length, maskedColumns: status.maskedColumns };
}

/**
 * A preview that existed already: rules that changed are replaced and applied again, and so are
 * unchanged ones after a reset (a restore brings the parent's rows back unmasked). A preview that
 * was not created anonymized is refused: it may hold the parent's personal data.
 */
export async function remask(
  branch: NeonBranch,
  rules: NeonMaskingRule[],
  { reset }: { reset: boolean },
  options: ExecuteOptions,
): Promise<Anonymization> {
  const { neon, log } = options;
  const current = await neon.maskingRules(branch.id);
  if (current === undefined) {
    throw new UsageError(
      `Neon branch '${branch.name}' was not created anonymized, so it may hold its parent's unmasked data; with anonymize: true it is not used. Delete it (command: cleanup, or reconcile) and deploy again: the new preview is created anonymized`,
    );
  }
  const changed = !sameRules(current, rules);
  if (changed) {
    log.info(`The masking rules of Neon branch '${branch.name}' changed: replacing them`);
    await neon.replaceMaskingRules(branch.id, rules);
  }
  if (changed || reset) {
    log.info(
      `Masking Neon branch '${branch.name}' again${changed ? '' : ' after its reset (reset-on-push)'}`,
    );
    await neon.startAnonymization(branch.id);
    return awaitMasking(branch, rules, options);
  }
  return awaitOrRetry(branch, rules, options);
}

/** The wait for a preview whose rules did not change; a masking that had failed is tried once more. */
async function awaitOrRetry(
  branch: NeonBranch,
  rules: NeonMaskingRule[],
  options: ExecuteOptions,
): Promise<Anonymization> {
  try {
    return await awaitMasking(branch, rules, options);
  } catch (error) {
    // An earlier masking failed (a table created in production since, a passing fault): the same
    // rules are tried once more before the deploy gives up; until then nothing reads the branch.
    if (!(error instanceof MaskingError)) throw error;
    options.log.info(`The last masking of Neon branch '${branch.name}' failed; masking it again`);
    await options.neon.startAnonymization(branch.id);
    return awaitMasking(branch, rules, options);
  }
}

/** Why a branch of this deploy is not anonymized although `anonymize` is set: said once, as a notice. */
export function notAnonymized(options: ExecuteOptions, name: string, why: string): void {
  if (options.settings.anonymize) {
    options.log.info(`Neon branch '${name}' is not anonymized (anonymize applies to previews only): ${why}`);
  }
}

function sameRules(a: NeonMaskingRule[], b: NeonMaskingRule[]): boolean {
  const key = (rules: NeonMaskingRule[]) => rules.map(canonical).sort().join('\n');
  return key(a) === key(b);
}

function canonical(rule: NeonMaskingRule): string {
  return JSON.stringify([
    rule.database_name,
    rule.schema_name,
    rule.table_name,
    rule.column_name,
    rule.masking_function ?? null,
    rule.masking_value ?? null,
  ]);
}

function plural(count: number): string {
  return count === 1 ? 'rule' : 'rules';
}
