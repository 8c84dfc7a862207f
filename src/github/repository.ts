/** A repository, as GitHub's routes name it. */
export interface Repository {
  owner: string;
  repo: string;
}

/** `owner/name` → `{owner, repo}`; undefined for anything else. */
export function parseRepository(fullName: string | undefined): Repository | undefined {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(fullName ?? '');
  if (match === null) return undefined;
  return { owner: match[1] ?? '', repo: match[2] ?? '' };
}
