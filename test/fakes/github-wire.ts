/**
 * The response shapes the GitHub stand-in sends, typed from the Octokit that `@actions/github` ships:
 * a field the stand-in fills that the client's OpenAPI types do not have (or type differently) fails
 * to compile. The big nested schemas (a pull request's `repository`, a branch's `commit`) are cut to
 * the members the stand-in fills, with `Pick`, so they still follow the client's spelling.
 */
import type { getOctokit } from '@actions/github';

type Client = ReturnType<typeof getOctokit>;
type DataOf<F> = F extends (...args: never[]) => Promise<{ data: infer D }> ? D : never;

export type WireComment = DataOf<Client['rest']['issues']['createComment']>;
export type WireUser = NonNullable<WireComment['user']>;
/** 201 answers `deployment`; 202 answers `{message}` (auto-merged), which the stand-in builds itself. */
export type WireDeployment = Extract<DataOf<Client['rest']['repos']['createDeployment']>, { id: unknown }>;
export type WireDeploymentStatus = DataOf<Client['rest']['repos']['createDeploymentStatus']>;

type FullPull = DataOf<Client['rest']['pulls']['list']>[number];
/** A repository as a pull request's `head.repo` and `base.repo` carry it (GitHub's `repository`). */
export type WireRepository = NonNullable<FullPull['head']['repo']>;
/**
 * `head.repo` is `null` once a fork is deleted, which GitHub's description of the list's items does
 * not allow (github/rest-api-description#1811, open; github-openapi.ts relaxes it).
 */
export type WirePullRef = Omit<FullPull['head'], 'repo'> & { repo: WireRepository | null };
export type WirePull = Omit<FullPull, 'head' | 'base'> & { head: WirePullRef; base: WirePullRef };
/** `GET /pulls/{n}` answers the full pull request: the list's fields and the merge state. */
export type WireFullPull = Omit<DataOf<Client['rest']['pulls']['get']>, 'head' | 'base'> & {
  head: WirePullRef;
  base: WirePullRef;
};
export type WireBranch = DataOf<Client['rest']['repos']['getBranch']>;

/**
 * Every URL GitHub puts in a repository object, after `{api}/repos/{owner}/{name}`: most are plain
 * paths, some are URI templates (`{/number}`), as GitHub sends them.
 */
const REPOSITORY_URLS = {
  archive_url: '/{archive_format}{/ref}',
  assignees_url: '/assignees{/user}',
  blobs_url: '/git/blobs{/sha}',
  branches_url: '/branches{/branch}',
  collaborators_url: '/collaborators{/collaborator}',
  comments_url: '/comments{/number}',
  commits_url: '/commits{/sha}',
  compare_url: '/compare/{base}...{head}',
  contents_url: '/contents/{+path}',
  contributors_url: '/contributors',
  deployments_url: '/deployments',
  downloads_url: '/downloads',
  events_url: '/events',
  forks_url: '/forks',
  git_commits_url: '/git/commits{/sha}',
  git_refs_url: '/git/refs{/sha}',
  git_tags_url: '/git/tags{/sha}',
  hooks_url: '/hooks',
  issue_comment_url: '/issues/comments{/number}',
  issue_events_url: '/issues/events{/number}',
  issues_url: '/issues{/number}',
  keys_url: '/keys{/key_id}',
  labels_url: '/labels{/name}',
  languages_url: '/languages',
  merges_url: '/merges',
  milestones_url: '/milestones{/number}',
  notifications_url: '/notifications{?since,all,participating}',
  pulls_url: '/pulls{/number}',
  releases_url: '/releases{/id}',
  stargazers_url: '/stargazers',
  statuses_url: '/statuses/{sha}',
  subscribers_url: '/subscribers',
  subscription_url: '/subscription',
  tags_url: '/tags',
  teams_url: '/teams',
  trees_url: '/git/trees{/sha}',
} as const;

/** A repository object as GitHub's `repository` schema has it, with nothing the stand-in does not know. */
export function wireRepositoryObject(input: {
  /** The API root the stand-in answers on. */
  api: string;
  id: number;
  owner: WireUser;
  name: string;
  private: boolean;
  fork: boolean;
  defaultBranch: string;
  /** ISO 8601, seconds. */
  at: string;
}): WireRepository {
  const fullName = `${input.owner.login}/${input.name}`;
  const url = `${input.api}/repos/${fullName}`;
  const urls = Object.fromEntries(
    Object.entries(REPOSITORY_URLS).map(([field, suffix]) => [field, `${url}${suffix}`]),
  ) as Record<keyof typeof REPOSITORY_URLS, string>;
  return {
    id: input.id,
    node_id: `R_${Buffer.from(`repo:${input.id}`).toString('base64url')}`,
    name: input.name,
    full_name: fullName,
    owner: input.owner,
    private: input.private,
    html_url: `https://github.com/${fullName}`,
    description: null,
    fork: input.fork,
    url,
    ...urls,
    clone_url: `https://github.com/${fullName}.git`,
    git_url: `git://github.com/${fullName}.git`,
    ssh_url: `git@github.com:${fullName}.git`,
    svn_url: `https://github.com/${fullName}`,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 0,
    default_branch: input.defaultBranch,
    open_issues: 0,
    open_issues_count: 0,
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    archived: false,
    disabled: false,
    license: null,
    visibility: input.private ? 'private' : 'public',
    pushed_at: input.at,
    created_at: input.at,
    updated_at: input.at,
  };
}

/** GitHub's error bodies (`basic-error`, `validation-error`), with the `status` string GitHub now adds. */
export interface WireError {
  message: string;
  documentation_url: string;
  status: string;
  errors?: Record<string, unknown>[];
}
