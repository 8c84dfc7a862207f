import { nonEmpty } from '../core/setting-parsers.js';
import type { Settings } from '../core/settings.js';
import { type GitHubTarget, githubTarget } from '../github/target.js';
import type { Env } from './inputs.js';
import type { CliLogger } from './log.js';

/**
 * The CLI reports on GitHub (the pull request comment, the deployment) only when told where: a token
 * (`--github-token` or GITHUB_TOKEN) and GITHUB_REPOSITORY (`owner/name`, which GitHub Actions sets;
 * another CI sets it itself). GITHUB_API_URL points at GitHub Enterprise; GITHUB_SHA is the commit a
 * deployment records. A token alone says nothing about where to report, so it is only mentioned.
 */
export function cliGitHubTarget(settings: Settings, env: Env, log: CliLogger): GitHubTarget | undefined {
  if (settings.githubToken === undefined) return undefined;
  log.secret(settings.githubToken);
  const target = githubTarget({
    token: settings.githubToken,
    apiUrl: nonEmpty(env.GITHUB_API_URL),
    repository: nonEmpty(env.GITHUB_REPOSITORY),
    sha: nonEmpty(env.GITHUB_SHA),
  });
  if (target === undefined && (settings.commentOnPr || settings.createDeployment)) {
    log.info('A GitHub token but no GITHUB_REPOSITORY (owner/name): nothing is reported on GitHub');
  }
  return target;
}
