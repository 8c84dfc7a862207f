import type { CleanupPlan } from '../core/plan.js';
import type { CleanupResult, DeployResult } from '../core/result.js';
import type { Settings } from '../core/settings.js';
import type { DeletedCommentInput, PreviewCommentInput } from './comment-body.js';

export interface FactsContext {
  /** The commit deployed, for the footer. */
  sha?: string | undefined;
  /** RFC 3339, for the footer. */
  updatedAt?: string | undefined;
}

/** A deploy's result as the comment and the job summary show it; never a password or URL. */
export function previewFacts(
  result: DeployResult,
  settings: Settings,
  context: FactsContext = {},
): PreviewCommentInput {
  return {
    gitBranch: result.gitBranch,
    sha: context.sha,
    neon: {
      projectId: settings.neonProjectId,
      branchId: result.neonBranch.id,
      branchName: result.neonBranch.name,
      parent: result.parent?.name ?? result.neonBranch.parentId,
      created: result.created,
      expiresAt: result.expiresAt,
      host: result.connection?.host,
      maskingRules: result.anonymized?.rules,
    },
    amplify: {
      appId: settings.amplifyAppId ?? '',
      region: settings.awsRegion ?? '',
      branch: result.gitBranch,
      jobId: result.job?.id,
      jobStatus: result.job?.status,
      previewUrl: result.previewUrl,
    },
    schemaDiff: result.schemaDiff,
    secrets: secretsOf(result, settings),
    updatedAt: context.updatedAt,
  };
}

/** The comment after a cleanup: the Neon branch deleted (or already gone), the Amplify branch's fate. */
export function deletedFacts(
  plan: CleanupPlan,
  result: CleanupResult,
  settings: Pick<Settings, 'neonProjectId'>,
  context: FactsContext & { reason?: string | undefined } = {},
): DeletedCommentInput {
  const touchedAmplify = plan.deleteAmplifyBranch || plan.clearAmplifyVariables;
  return {
    gitBranch: result.gitBranch,
    neon: {
      projectId: settings.neonProjectId,
      branchName: result.neonBranch?.name ?? plan.neonBranchName,
      deleted: result.deleted,
    },
    amplify: touchedAmplify ? { branch: result.gitBranch, deleted: plan.deleteAmplifyBranch } : undefined,
    reason: context.reason,
    updatedAt: context.updatedAt,
  };
}

/** What the renderer must never show, whatever else it is handed. */
function secretsOf(result: DeployResult, settings: Settings): string[] {
  const secrets = [settings.neonApiKey];
  if (settings.githubToken !== undefined) secrets.push(settings.githubToken);
  for (const url of [result.connection?.url, result.directConnection?.url]) {
    if (url === undefined) continue;
    secrets.push(url);
    try {
      const password = new URL(url).password;
      if (password !== '') secrets.push(password, decodeURIComponent(password));
    } catch {
      // Not a URL: it is listed whole above.
    }
  }
  return secrets;
}
