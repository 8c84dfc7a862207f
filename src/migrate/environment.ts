import { isWithheldVariable } from '../core/migrate-settings.js';

/** Always passed: what a shell, a package manager and a migration tool need to find and run things. */
const MINIMAL = new Set(['PATH', 'HOME', 'LANG', 'TMPDIR', 'CI', 'GITHUB_WORKSPACE']);
/** Locale, Node and npm settings (npm reads `npm_config_*` in either case). */
const MINIMAL_PREFIXES = [/^LC_/, /^NODE_/, /^NPM_CONFIG_/i];
/**
 * A registry token actions/setup-node puts in NODE_AUTH_TOKEN: a secret that is not ours to hand
 * out by default; migrate-env may still name it.
 */
const NOT_BY_DEFAULT = new Set(['NODE_AUTH_TOKEN']);

/**
 * The whole environment of `migrate-command`: it runs code from the repository (a pull request's
 * migration tool, its dependencies' install scripts), so it gets the minimal set, the names the user
 * listed in `migrate-env`, and the branch's own variables, never the parent's whole environment,
 * where the Neon API key, a GitHub token, the webhook secret and AWS credentials live. A withheld
 * name is dropped here even if a list that skipped the settings parser names it.
 */
export function migrationEnvironment(
  parent: NodeJS.ProcessEnv,
  passEnv: readonly string[],
  own: Record<string, string>,
): Record<string, string> {
  const listed = new Set(passEnv);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || isWithheldVariable(name)) continue;
    const minimal =
      MINIMAL.has(name) ||
      (!NOT_BY_DEFAULT.has(name) && MINIMAL_PREFIXES.some((prefix) => prefix.test(name)));
    if (minimal || listed.has(name)) env[name] = value;
  }
  return { ...env, ...own };
}
