/** Links into the Neon and AWS consoles: the pull request comment, the deployment's log_url, job errors. */

/** `https://console.neon.tech/app/projects/{project}/branches/{branchId}`. */
export function neonBranchConsoleUrl(projectId: string, branchId: string): string {
  return `https://console.neon.tech/app/projects/${encodeURIComponent(projectId)}/branches/${encodeURIComponent(branchId)}`;
}

/**
 * The Amplify console's page of a branch's deployments (its jobs):
 * `https://{region}.console.aws.amazon.com/amplify/apps/{appId}/branches/{branch}/deployments`, the
 * branch as one encoded path segment as in Amplify's own API. Undefined for a region that is not one.
 */
export function amplifyDeploymentsConsoleUrl(
  region: string,
  appId: string,
  branch: string,
): string | undefined {
  if (!/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(region)) return undefined;
  return `https://${region}.console.aws.amazon.com/amplify/apps/${encodeURIComponent(appId)}/branches/${encodeURIComponent(branch)}/deployments`;
}
