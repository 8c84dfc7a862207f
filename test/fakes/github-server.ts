/**
 * A strict stand-in for the parts of GitHub's REST API the product uses, on 127.0.0.1, for contract
 * tests. The real Octokit from `@actions/github` talks to it: `getOctokit(token, { baseUrl: url })`.
 *
 * What it holds the client to, as github.com does:
 * - GitHub's OpenAPI description of each operation (`@octokit/openapi`, see github-openapi.ts): path
 *   parameters, query values and the JSON body, refused with 404 or 422 `Invalid request.` as GitHub
 *   refuses them; the stand-in's own answers are held to it too, and a misfit is a violation;
 * - a token on every request (`Authorization: token …` or `Bearer …`): none or an unknown one is 401;
 * - fine-grained permissions per token: a missing one is 403 `Resource not accessible by integration`
 *   with `x-accepted-github-permissions` (sets separated by `;`, as GitHub sends it); a repository the
 *   token cannot see is 404, as GitHub hides private repositories;
 * - unknown routes and wrong methods are 404 `{"message":"Not Found"}`;
 * - validation errors are 422 `{message, errors, documentation_url}`; a comment body past 65536
 *   characters is refused as GitHub refuses it;
 * - lists are paginated with `per_page` (default 30, at most 100) and `page`, and a `Link` header whose
 *   URLs use `/repositories/{id}/…`, as GitHub's do, so a client must follow the header rather than
 *   build page URLs itself;
 * - `GET /pulls?head=` filters on `owner:branch`; a value without an owner is silently ignored and every
 *   pull request comes back (GitHub's behaviour, and a classic bug), recorded as a violation.
 *
 * Every request is logged with its raw body, so a test can assert what was (not) sent; faults (an
 * error status, a dropped connection, latency, a barrier for concurrent requests, a callback) can be
 * queued per route.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkRequest, githubOperation, type OperationName } from './github-openapi.js';
import type {
  WireBranch,
  WireComment,
  WireDeployment,
  WireDeploymentStatus,
  WireError,
  WireFullPull,
  WirePull,
  WirePullRef,
  WireRepository,
  WireUser,
} from './github-wire.js';
import { wireRepositoryObject } from './github-wire.js';

export type { WireComment, WireDeployment, WireDeploymentStatus, WirePull } from './github-wire.js';

/** GitHub's documented comment limit ("Body is too long (maximum is 65536 characters)"). */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** "The maximum description length is 140 characters" (create a deployment status). */
export const DEPLOYMENT_STATUS_DESCRIPTION_LIMIT = 140;
/** Environment names are at most 255 characters. */
export const ENVIRONMENT_NAME_LIMIT = 255;

/** The token every stand-in accepts unless told otherwise: every permission, write. Not a real token. */
export const GITHUB_TEST_TOKEN = 'ghs_standInTokenWithEveryPermission0001';

/** The workflow spelling (`pull-requests`); the header spells it `pull_requests`. */
export type Permission = 'pull-requests' | 'issues' | 'deployments' | 'contents' | 'statuses';
export type Access = 'read' | 'write';
export type PermissionSet = Partial<Record<Permission, Access>>;

/** Octokit's `rest.*` names of the operations served (github-openapi.ts maps them to GitHub's). */
export type RouteName = OperationName;

export interface TokenSpec {
  permissions: PermissionSet;
  /** The account the token acts as; default `github-actions[bot]`, the GITHUB_TOKEN's. */
  login?: string;
  /** `integration` (GITHUB_TOKEN, GitHub App) or `personal access token` (fine-grained PAT): GitHub's 403 names it. */
  kind?: 'integration' | 'personal access token';
  /** Repositories (`owner/name`) the token can see; default every one. */
  repositories?: string[];
}

/** One request as the stand-in saw it, in arrival order. */
export interface GitHubRequest {
  method: string;
  /** As sent, percent-encoding kept. */
  rawPath: string;
  query: Record<string, string>;
  /** The body exactly as received, for asserting what was never sent. */
  rawBody: string;
  body: unknown;
  route?: RouteName | undefined;
  /** The token's label (`addToken`'s first argument), never the token itself. */
  token?: string | undefined;
  userAgent?: string | undefined;
  /** 0 while in flight and for a dropped connection. */
  status: number;
  fault?: FaultAction['kind'] | undefined;
}

export type FaultAction =
  /** Answer with this status and GitHub's error body (or `body`), with extra headers. */
  | { kind: 'error'; status: number; message?: string; body?: unknown; headers?: Record<string, string> }
  /** Destroy the socket without answering (the client sees "other side closed"). */
  | { kind: 'drop' }
  /** Wait, then answer normally. */
  | { kind: 'latency'; ms: number }
  /**
   * Hold matching requests until `parties` of them are waiting, then let them all go on in arrival
   * order: makes two "concurrent" runs reach the same point before either passes it.
   */
  | { kind: 'barrier'; parties: number }
  /** Run `run` (e.g. change the state as a concurrent run would), then answer normally. */
  | { kind: 'callback'; run: (request: GitHubRequest) => void | Promise<void> };

export interface FaultSpec {
  route?: RouteName;
  method?: string;
  /** Tested against the raw path. */
  path?: RegExp;
  /** Let this many matching requests through untouched first; default 0. */
  skip?: number;
  /** How many matching requests it hits after the skipped ones; default 1. */
  times?: number;
  action: FaultAction;
}

export interface StandInComment {
  id: number;
  issueNumber: number;
  body: string;
  user: WireUser;
  createdAt: number;
  updatedAt: number;
}

export interface StandInPull {
  number: number;
  title: string;
  state: 'open' | 'closed';
  headRef: string;
  headSha: string;
  /** The owner of the head repository: the base owner for a same-repository pull request. */
  headOwner: string;
  /** `null` for a fork that was deleted. */
  headRepoName: string | null;
  baseRef: string;
  merged: boolean;
  locked: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface StandInStatus {
  id: number;
  state: WireDeploymentStatus['state'];
  description: string;
  environment: string;
  logUrl: string;
  environmentUrl: string;
  creator: WireUser;
  createdAt: number;
}

export interface StandInDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  payload: WireDeployment['payload'];
  environment: string;
  originalEnvironment: string;
  description: string | null;
  transient: boolean;
  production: boolean;
  creator: WireUser;
  createdAt: number;
  /** Oldest first. */
  statuses: StandInStatus[];
}

export interface StandInRepo {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  private: boolean;
  branches: Map<string, { sha: string; protected: boolean; behindDefault: boolean }>;
  /** Commit status contexts per sha, which a deployment without `required_contexts` must pass. */
  contexts: Map<string, { context: string; state: 'success' | 'pending' | 'failure' | 'error' }[]>;
  pulls: StandInPull[];
  /** Plain issues (not pull requests) that comments may go to. */
  issues: Set<number>;
  comments: StandInComment[];
  deployments: StandInDeployment[];
  nextNumber: number;
}

export interface AddPullInput {
  head: string;
  /** Default the repository owner; another owner makes a fork's pull request. */
  headOwner?: string;
  /** Default the base repository's name; `null` for a deleted fork. */
  headRepoName?: string | null;
  base?: string;
  headSha?: string;
  state?: 'open' | 'closed';
  merged?: boolean;
  title?: string;
  locked?: boolean;
}

export interface GitHubStandInOptions {
  /** The first repository; default `octo-org/app`. */
  owner?: string;
  repo?: string;
  defaultBranch?: string;
  /** Tokens in addition to GITHUB_TEST_TOKEN (label → spec); the label is the token string too. */
  tokens?: Record<string, TokenSpec>;
  /** The clock, in epoch ms; default Date.now. */
  now?: () => number;
}

export interface GitHubStandIn {
  /** `http://127.0.0.1:<port>`: Octokit's `baseUrl`, or GITHUB_API_URL. */
  url: string;
  owner: string;
  repo: string;
  requests: GitHubRequest[];
  requestsFor(route: RouteName): GitHubRequest[];
  /** Client behaviour GitHub would tolerate but that is almost certainly a bug (e.g. `head=` without owner). */
  violations: string[];
  addRepo(owner: string, name: string, options?: { defaultBranch?: string; private?: boolean }): StandInRepo;
  repository(owner?: string, name?: string): StandInRepo;
  addToken(token: string, spec: TokenSpec): void;
  /** A branch at a new (or the given) sha; returns the sha. */
  addBranch(
    name: string,
    options?: { sha?: string; protected?: boolean; behindDefault?: boolean; repo?: StandInRepo },
  ): string;
  addPullRequest(input: AddPullInput, repo?: StandInRepo): StandInPull;
  addIssue(repo?: StandInRepo): number;
  /** A comment as someone else (default a human, `octocat`) wrote it. */
  addComment(
    issueNumber: number,
    body: string,
    options?: { login?: string; repo?: StandInRepo },
  ): StandInComment;
  setContexts(
    sha: string,
    contexts: { context: string; state: 'success' | 'pending' | 'failure' | 'error' }[],
  ): void;
  comments(issueNumber: number, repo?: StandInRepo): StandInComment[];
  deployments(environment?: string, repo?: StandInRepo): StandInDeployment[];
  /** The state of a deployment's newest status, undefined without any. */
  latestState(deployment: StandInDeployment): StandInStatus['state'] | undefined;
  injectFault(spec: FaultSpec): void;
  pendingFaults(): number;
  /** Rejects, once closed, when any answer broke GitHub's description (a bug in the stand-in). */
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest';
const DOC_URLS: Record<RouteName, string> = {
  'pulls.list': `${DOCS}/pulls/pulls#list-pull-requests`,
  'pulls.get': `${DOCS}/pulls/pulls#get-a-pull-request`,
  'repos.getBranch': `${DOCS}/branches/branches#get-a-branch`,
  'issues.listComments': `${DOCS}/issues/comments#list-issue-comments`,
  'issues.createComment': `${DOCS}/issues/comments#create-an-issue-comment`,
  'issues.updateComment': `${DOCS}/issues/comments#update-an-issue-comment`,
  'issues.deleteComment': `${DOCS}/issues/comments#delete-an-issue-comment`,
  'repos.listDeployments': `${DOCS}/deployments/deployments#list-deployments`,
  'repos.createDeployment': `${DOCS}/deployments/deployments#create-a-deployment`,
  'repos.getDeployment': `${DOCS}/deployments/deployments#get-a-deployment`,
  'repos.listDeploymentStatuses': `${DOCS}/deployments/statuses#list-deployment-statuses`,
  'repos.createDeploymentStatus': `${DOCS}/deployments/statuses#create-a-deployment-status`,
};

type Need = [Permission, Access];
/**
 * Any one inner list grants the route (GitHub's "at least one of the following permission sets").
 * Comments on a pull request take `issues` or `pull-requests`; on a plain issue only `issues`.
 */
const NEEDS: Record<RouteName, Need[][]> = {
  'pulls.list': [[['pull-requests', 'read']]],
  'pulls.get': [[['pull-requests', 'read']]],
  'repos.getBranch': [[['contents', 'read']]],
  'issues.listComments': [[['issues', 'read']], [['pull-requests', 'read']]],
  'issues.createComment': [[['issues', 'write']], [['pull-requests', 'write']]],
  'issues.updateComment': [[['issues', 'write']], [['pull-requests', 'write']]],
  'issues.deleteComment': [[['issues', 'write']], [['pull-requests', 'write']]],
  'repos.listDeployments': [[['deployments', 'read']]],
  'repos.createDeployment': [[['deployments', 'write']]],
  'repos.getDeployment': [[['deployments', 'read']]],
  'repos.listDeploymentStatuses': [[['deployments', 'read']]],
  'repos.createDeploymentStatus': [[['deployments', 'write']]],
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: WireError,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

const errorBody = (
  status: number,
  message: string,
  documentationUrl: string,
  errors?: Record<string, unknown>[],
) =>
  ({
    message,
    documentation_url: documentationUrl,
    status: String(status),
    ...(errors === undefined ? {} : { errors }),
  }) satisfies WireError;

const notFound = (docs = DOCS) => new HttpError(404, errorBody(404, 'Not Found', docs));
const validationFailed = (docs: string, errors: Record<string, unknown>[]) =>
  new HttpError(422, errorBody(422, 'Validation Failed', docs, errors));
/** GitHub's JSON-schema refusals: `Invalid request.\n\n…`, without an `errors` list. */
const invalidRequest = (docs: string, detail: string) =>
  new HttpError(422, errorBody(422, `Invalid request.\n\n${detail}`, docs));

interface Route {
  name: RouteName;
  repo: StandInRepo;
  /** The path after `/repos/{o}/{r}` or `/repositories/{id}`, raw, for Link headers. */
  rest: string;
  number?: number;
  id?: number;
  branch?: string;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface TokenState extends TokenSpec {
  label: string;
  user: WireUser;
}

export async function startGitHubStandIn(options: GitHubStandInOptions = {}): Promise<GitHubStandIn> {
  const now = options.now ?? Date.now;
  const repos = new Map<string, StandInRepo>();
  const tokens = new Map<string, TokenState>();
  const requests: GitHubRequest[] = [];
  const violations: string[] = [];
  /** The answers among the violations: the stand-in's own misfits, which fail close(). */
  const misfits: string[] = [];
  const faults: { spec: FaultSpec; skip: number; left: number }[] = [];
  const barriers = new Map<FaultSpec, { waiting: (() => void)[] }>();
  let nextRepoId = 700_000_001;
  let nextUserId = 90_000_001;
  // Large, increasing ids, as GitHub's are; ordering by id is ordering by creation.
  let nextCommentId = 2_100_000_001;
  let nextDeploymentId = 1_500_000_001;
  let nextStatusId = 3_900_000_001;
  let url = '';
  // Repositories are as old as the stand-in: GitHub's objects carry a creation time.
  const created = now();

  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const key = (owner: string, name: string) => `${owner}/${name}`.toLowerCase();
  const users = new Map<string, WireUser>();

  const userFor = (login: string): WireUser => {
    const known = users.get(login);
    if (known !== undefined) return known;
    const id = login === 'github-actions[bot]' ? 41_898_282 : nextUserId++;
    const apiUrl = `https://api.github.com/users/${encodeURIComponent(login)}`;
    const user: WireUser = {
      login,
      id,
      node_id: `U_${Buffer.from(`user:${id}`).toString('base64url')}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url: apiUrl,
      html_url: `https://github.com/${login.replace('[bot]', '')}`,
      followers_url: `${apiUrl}/followers`,
      following_url: `${apiUrl}/following{/other_user}`,
      gists_url: `${apiUrl}/gists{/gist_id}`,
      starred_url: `${apiUrl}/starred{/owner}{/repo}`,
      subscriptions_url: `${apiUrl}/subscriptions`,
      organizations_url: `${apiUrl}/orgs`,
      repos_url: `${apiUrl}/repos`,
      events_url: `${apiUrl}/events{/privacy}`,
      received_events_url: `${apiUrl}/received_events`,
      type: login.endsWith('[bot]') ? 'Bot' : 'User',
      site_admin: false,
    };
    users.set(login, user);
    return user;
  };

  const addRepo: GitHubStandIn['addRepo'] = (owner, name, repoOptions = {}) => {
    if (repos.has(key(owner, name))) throw new Error(`stand-in: ${owner}/${name} already exists`);
    const repo: StandInRepo = {
      id: nextRepoId++,
      owner,
      name,
      defaultBranch: repoOptions.defaultBranch ?? 'main',
      private: repoOptions.private ?? true,
      branches: new Map(),
      contexts: new Map(),
      pulls: [],
      issues: new Set(),
      comments: [],
      deployments: [],
      nextNumber: 1,
    };
    repo.branches.set(repo.defaultBranch, { sha: newSha(), protected: true, behindDefault: false });
    repos.set(key(owner, name), repo);
    return repo;
  };

  const addToken: GitHubStandIn['addToken'] = (token, spec) => {
    tokens.set(token, { ...spec, label: token, user: userFor(spec.login ?? 'github-actions[bot]') });
  };

  const first = addRepo(options.owner ?? 'octo-org', options.repo ?? 'app', {
    ...(options.defaultBranch === undefined ? {} : { defaultBranch: options.defaultBranch }),
  });
  addToken(GITHUB_TEST_TOKEN, {
    permissions: {
      'pull-requests': 'write',
      issues: 'write',
      deployments: 'write',
      contents: 'write',
      statuses: 'write',
    },
  });
  for (const [token, spec] of Object.entries(options.tokens ?? {})) addToken(token, spec);

  const repository: GitHubStandIn['repository'] = (owner = first.owner, name = first.name) => {
    const repo = repos.get(key(owner, name));
    if (repo === undefined) throw new Error(`stand-in: no repository ${owner}/${name}`);
    return repo;
  };

  // ---------------------------------------------------------------- wire objects

  const apiRepo = (repo: StandInRepo) => `${url}/repos/${repo.owner}/${repo.name}`;

  const wireRepository = (repo: StandInRepo): WireRepository =>
    wireRepositoryObject({
      api: url,
      id: repo.id,
      owner: userFor(repo.owner),
      name: repo.name,
      private: repo.private,
      fork: false,
      defaultBranch: repo.defaultBranch,
      at: iso(created),
    });

  const wireComment = (repo: StandInRepo, comment: StandInComment): WireComment => {
    const isPull = repo.pulls.some((pull) => pull.number === comment.issueNumber);
    return {
      id: comment.id,
      node_id: `IC_${Buffer.from(`comment:${comment.id}`).toString('base64url')}`,
      url: `${apiRepo(repo)}/issues/comments/${comment.id}`,
      html_url: `https://github.com/${repo.owner}/${repo.name}/${isPull ? 'pull' : 'issues'}/${comment.issueNumber}#issuecomment-${comment.id}`,
      body: comment.body,
      user: comment.user,
      created_at: iso(comment.createdAt),
      updated_at: iso(comment.updatedAt),
      issue_url: `${apiRepo(repo)}/issues/${comment.issueNumber}`,
      author_association: comment.user.type === 'Bot' ? 'NONE' : 'MEMBER',
      performed_via_github_app: null,
    };
  };

  const wirePullRef = (repo: StandInRepo, pull: StandInPull, side: 'head' | 'base'): WirePullRef => {
    if (side === 'base') {
      const branch = repo.branches.get(pull.baseRef);
      return {
        label: `${repo.owner}:${pull.baseRef}`,
        ref: pull.baseRef,
        sha: branch?.sha ?? newSha(),
        repo: wireRepository(repo),
        user: userFor(repo.owner),
      };
    }
    const sameRepo = pull.headOwner === repo.owner && pull.headRepoName === repo.name;
    const headRepo: WireRepository | null =
      pull.headRepoName === null
        ? null
        : sameRepo
          ? wireRepository(repo)
          : wireRepositoryObject({
              api: url,
              id: repo.id + 1_000_000 + pull.number,
              owner: userFor(pull.headOwner),
              name: pull.headRepoName,
              private: repo.private,
              fork: true,
              defaultBranch: repo.defaultBranch,
              at: iso(created),
            });
    return {
      label: `${pull.headOwner}:${pull.headRef}`,
      ref: pull.headRef,
      sha: pull.headSha,
      repo: headRepo,
      user: userFor(pull.headOwner),
    };
  };

  const wirePull = (repo: StandInRepo, pull: StandInPull): WirePull => {
    const api = `${apiRepo(repo)}/pulls/${pull.number}`;
    const html = `https://github.com/${repo.owner}/${repo.name}/pull/${pull.number}`;
    const issue = `${apiRepo(repo)}/issues/${pull.number}`;
    return {
      url: api,
      id: 1_000_000 + pull.number,
      node_id: `PR_${Buffer.from(`pull:${repo.id}:${pull.number}`).toString('base64url')}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: issue,
      commits_url: `${api}/commits`,
      review_comments_url: `${api}/comments`,
      review_comment_url: `${apiRepo(repo)}/pulls/comments{/number}`,
      comments_url: `${issue}/comments`,
      statuses_url: `${apiRepo(repo)}/statuses/${pull.headSha}`,
      number: pull.number,
      state: pull.state,
      locked: pull.locked,
      title: pull.title,
      body: null,
      user: userFor(pull.headOwner),
      labels: [],
      milestone: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      created_at: iso(pull.createdAt),
      updated_at: iso(pull.updatedAt),
      closed_at: pull.state === 'closed' ? iso(pull.updatedAt) : null,
      merged_at: pull.merged ? iso(pull.updatedAt) : null,
      merge_commit_sha: null,
      draft: false,
      author_association: 'MEMBER',
      auto_merge: null,
      active_lock_reason: null,
      head: wirePullRef(repo, pull, 'head'),
      base: wirePullRef(repo, pull, 'base'),
      _links: {
        self: { href: api },
        html: { href: html },
        issue: { href: issue },
        comments: { href: `${issue}/comments` },
        review_comments: { href: `${api}/comments` },
        review_comment: { href: `${apiRepo(repo)}/pulls/comments{/number}` },
        commits: { href: `${api}/commits` },
        statuses: { href: `${apiRepo(repo)}/statuses/${pull.headSha}` },
      },
    };
  };

  /** `GET /pulls/{n}`: the list's fields and what GitHub computes for one pull request. */
  const wireFullPull = (repo: StandInRepo, pull: StandInPull): WireFullPull => ({
    ...wirePull(repo, pull),
    state: pull.state,
    user: userFor(pull.headOwner),
    merged: pull.merged,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    comments: repo.comments.filter((comment) => comment.issueNumber === pull.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  });

  const wireDeployment = (repo: StandInRepo, deployment: StandInDeployment): WireDeployment => ({
    url: `${apiRepo(repo)}/deployments/${deployment.id}`,
    id: deployment.id,
    node_id: `DE_${Buffer.from(`deployment:${deployment.id}`).toString('base64url')}`,
    sha: deployment.sha,
    ref: deployment.ref,
    task: deployment.task,
    payload: deployment.payload,
    original_environment: deployment.originalEnvironment,
    environment: deployment.environment,
    description: deployment.description,
    creator: deployment.creator,
    created_at: iso(deployment.createdAt),
    updated_at: iso(deployment.statuses.at(-1)?.createdAt ?? deployment.createdAt),
    statuses_url: `${apiRepo(repo)}/deployments/${deployment.id}/statuses`,
    repository_url: apiRepo(repo),
    transient_environment: deployment.transient,
    production_environment: deployment.production,
    performed_via_github_app: null,
  });

  const wireStatus = (
    repo: StandInRepo,
    deployment: StandInDeployment,
    status: StandInStatus,
  ): WireDeploymentStatus => ({
    url: `${apiRepo(repo)}/deployments/${deployment.id}/statuses/${status.id}`,
    id: status.id,
    node_id: `DES_${Buffer.from(`status:${status.id}`).toString('base64url')}`,
    state: status.state,
    creator: status.creator,
    description: status.description,
    environment: status.environment,
    // Setting log_url sets target_url to the same value (the docs of "create a deployment status").
    target_url: status.logUrl,
    log_url: status.logUrl,
    environment_url: status.environmentUrl,
    created_at: iso(status.createdAt),
    updated_at: iso(status.createdAt),
    deployment_url: `${apiRepo(repo)}/deployments/${deployment.id}`,
    repository_url: apiRepo(repo),
    performed_via_github_app: null,
  });

  // ---------------------------------------------------------------- pagination

  const paginate = <T>(route: Route, query: Record<string, string>, items: T[]): Answer & { body: T[] } => {
    const perPageRaw = Number.parseInt(query.per_page ?? '', 10);
    // GitHub caps per_page at 100 rather than refusing more; nonsense falls back to the default.
    const perPage = Number.isNaN(perPageRaw) || perPageRaw < 1 ? 30 : Math.min(perPageRaw, 100);
    const pageRaw = Number.parseInt(query.page ?? '', 10);
    const page = Number.isNaN(pageRaw) || pageRaw < 1 ? 1 : pageRaw;
    const lastPage = Math.max(1, Math.ceil(items.length / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    if (items.length <= perPage) return { status: 200, body: slice };
    const link = (target: number, rel: string) => {
      const params = new URLSearchParams({ ...query, page: String(target) });
      return `<${url}/repositories/${route.repo.id}${route.rest}?${params.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < lastPage) links.push(link(page + 1, 'next'), link(lastPage, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    return { status: 200, body: slice, headers: links.length > 0 ? { link: links.join(', ') } : {} };
  };

  // ---------------------------------------------------------------- routes

  const issueExists = (repo: StandInRepo, number: number) =>
    repo.issues.has(number) || repo.pulls.some((pull) => pull.number === number);

  const readCommentBody = (route: Route, input: Record<string, unknown>): string => {
    const docs = DOC_URLS[route.name];
    // The description requires `body` as a string (checkRequest has refused anything else).
    const body = input.body as string;
    // Characters, not UTF-16 units nor bytes: GitHub counts what Ruby's String#length counts.
    if (Array.from(body).length > GITHUB_COMMENT_LIMIT) {
      throw validationFailed(docs, [
        {
          resource: 'IssueComment',
          code: 'unprocessable',
          field: 'data',
          message: `Body is too long (maximum is ${GITHUB_COMMENT_LIMIT} characters)`,
        },
      ]);
    }
    return body;
  };

  const findComment = (repo: StandInRepo, id: number | undefined) => {
    const comment = repo.comments.find((candidate) => candidate.id === id);
    if (comment === undefined) throw notFound(`${DOCS}/issues/comments`);
    return comment;
  };

  const findDeployment = (route: Route) => {
    const deployment = route.repo.deployments.find((candidate) => candidate.id === route.id);
    if (deployment === undefined) throw notFound(DOC_URLS[route.name]);
    return deployment;
  };

  const resolveRef = (repo: StandInRepo, ref: string): { sha: string; branch?: string } | undefined => {
    const branch = repo.branches.get(ref);
    if (branch !== undefined) return { sha: branch.sha, branch: ref };
    if (/^[0-9a-f]{7,40}$/.test(ref)) {
      for (const known of allShas(repo)) if (known.startsWith(ref)) return { sha: known };
    }
    return undefined;
  };

  const latestState = (deployment: StandInDeployment) => deployment.statuses.at(-1)?.state;

  const handlers: Record<
    RouteName,
    (
      route: Route,
      ctx: { query: Record<string, string>; input: Record<string, unknown>; token: TokenState },
    ) => Answer
  > = {
    'pulls.list': (route, { query }) => {
      // The description's enum (open, closed, all) was checked before.
      const state = query.state ?? 'open';
      let pulls = route.repo.pulls.filter((pull) => state === 'all' || pull.state === state);
      const head = query.head;
      if (head !== undefined) {
        if (head.includes(':')) {
          pulls = pulls.filter((pull) => `${pull.headOwner}:${pull.headRef}` === head);
        } else {
          violations.push(
            `GET pulls with head=${JSON.stringify(head)}: without "owner:" GitHub ignores the filter`,
          );
        }
      }
      if (query.base !== undefined) pulls = pulls.filter((pull) => pull.baseRef === query.base);
      const ascending = query.direction === 'asc';
      pulls = [...pulls].sort(
        (a, b) =>
          (ascending ? a.createdAt - b.createdAt : b.createdAt - a.createdAt) ||
          (ascending ? a.number - b.number : b.number - a.number),
      );
      return paginate(
        route,
        query,
        pulls.map((pull) => wirePull(route.repo, pull)),
      );
    },
    'pulls.get': (route) => {
      const pull = route.repo.pulls.find((candidate) => candidate.number === route.number);
      if (pull === undefined) throw notFound(DOC_URLS[route.name]);
      return { status: 200, body: wireFullPull(route.repo, pull) };
    },
    'repos.getBranch': (route) => {
      const name = route.branch ?? '';
      const branch = route.repo.branches.get(name);
      if (branch === undefined) {
        throw new HttpError(404, errorBody(404, 'Branch not found', DOC_URLS[route.name]));
      }
      const api = apiRepo(route.repo);
      const commitUser = userFor(route.repo.owner);
      const body: WireBranch = {
        name,
        commit: {
          sha: branch.sha,
          node_id: `C_${Buffer.from(`commit:${branch.sha}`).toString('base64url')}`,
          url: `${api}/commits/${branch.sha}`,
          html_url: `https://github.com/${route.repo.owner}/${route.repo.name}/commit/${branch.sha}`,
          comments_url: `${api}/commits/${branch.sha}/comments`,
          commit: {
            url: `${api}/git/commits/${branch.sha}`,
            author: null,
            committer: null,
            message: `The head of ${name}`,
            comment_count: 0,
            tree: { sha: branch.sha, url: `${api}/git/trees/${branch.sha}` },
          },
          author: commitUser,
          committer: commitUser,
          parents: [],
        },
        protected: branch.protected,
        protection: {},
        protection_url: `${api}/branches/${encodeURIComponent(name)}/protection`,
        _links: {
          self: `${api}/branches/${encodeURIComponent(name)}`,
          html: `https://github.com/${route.repo.owner}/${route.repo.name}/tree/${name}`,
        },
      };
      return { status: 200, body };
    },
    'issues.listComments': (route, { query }) => {
      if (!issueExists(route.repo, route.number ?? 0)) throw notFound(DOC_URLS[route.name]);
      const comments = route.repo.comments
        .filter((comment) => comment.issueNumber === route.number)
        .sort((a, b) => a.id - b.id);
      return paginate(
        route,
        query,
        comments.map((comment) => wireComment(route.repo, comment)),
      );
    },
    'issues.createComment': (route, { input, token }) => {
      if (!issueExists(route.repo, route.number ?? 0)) throw notFound(DOC_URLS[route.name]);
      const body = readCommentBody(route, input);
      const pull = route.repo.pulls.find((candidate) => candidate.number === route.number);
      if (pull?.locked) {
        throw new HttpError(
          403,
          errorBody(403, 'Unable to create comment because issue is locked.', DOC_URLS[route.name]),
        );
      }
      const at = now();
      const comment: StandInComment = {
        id: nextCommentId++,
        issueNumber: route.number ?? 0,
        body,
        user: token.user,
        createdAt: at,
        updatedAt: at,
      };
      route.repo.comments.push(comment);
      const wire = wireComment(route.repo, comment);
      return { status: 201, body: wire, headers: { location: wire.url } };
    },
    'issues.updateComment': (route, { input }) => {
      const comment = findComment(route.repo, route.id);
      comment.body = readCommentBody(route, input);
      comment.updatedAt = now();
      return { status: 200, body: wireComment(route.repo, comment) };
    },
    'issues.deleteComment': (route) => {
      const comment = findComment(route.repo, route.id);
      route.repo.comments.splice(route.repo.comments.indexOf(comment), 1);
      return { status: 204 };
    },
    'repos.listDeployments': (route, { query }) => {
      let deployments = [...route.repo.deployments].reverse();
      if (query.sha !== undefined) deployments = deployments.filter((d) => d.sha === query.sha);
      if (query.ref !== undefined) deployments = deployments.filter((d) => d.ref === query.ref);
      if (query.task !== undefined) deployments = deployments.filter((d) => d.task === query.task);
      if (query.environment !== undefined) {
        deployments = deployments.filter((d) => d.environment === query.environment);
      }
      return paginate(
        route,
        query,
        deployments.map((d) => wireDeployment(route.repo, d)),
      );
    },
    'repos.createDeployment': (route, { input, token }) => {
      const docs = DOC_URLS[route.name];
      const repo = route.repo;
      // Types and required fields were held to the description before (checkRequest).
      const ref = input.ref as string;
      const description = input.description as string | null | undefined;
      const requiredContexts = input.required_contexts as string[] | undefined;
      const payload = input.payload ?? {};
      const environment = (input.environment as string | undefined) ?? 'production';
      if (environment.length > ENVIRONMENT_NAME_LIMIT) {
        throw validationFailed(docs, [
          {
            resource: 'Deployment',
            code: 'custom',
            field: 'environment',
            message: `environment is too long (maximum is ${ENVIRONMENT_NAME_LIMIT} characters)`,
          },
        ]);
      }
      const resolved = resolveRef(repo, ref);
      if (resolved === undefined) {
        throw new HttpError(422, errorBody(422, `No ref found for: ${ref}`, docs));
      }
      // Without required_contexts GitHub checks every context of the commit; [] skips the check.
      const contexts = repo.contexts.get(resolved.sha) ?? [];
      const checked =
        requiredContexts === undefined
          ? contexts
          : contexts.filter((c) => (requiredContexts as string[]).includes(c.context));
      const missing =
        requiredContexts === undefined
          ? []
          : (requiredContexts as string[]).filter((name) => !contexts.some((c) => c.context === name));
      if (checked.some((c) => c.state !== 'success') || missing.length > 0) {
        throw new HttpError(
          409,
          errorBody(409, `Conflict: Commit status checks failed for ${ref}.`, docs, [
            { contexts: checked, resource: 'Deployment', field: 'required_contexts', code: 'invalid' },
          ]),
        );
      }
      if (input.auto_merge !== false && resolved.branch !== undefined) {
        const branch = repo.branches.get(resolved.branch);
        if (branch?.behindDefault) {
          branch.behindDefault = false;
          branch.sha = newSha();
          return {
            status: 202,
            body: { message: `Auto-merged ${repo.defaultBranch} into ${resolved.branch} on deployment.` },
          };
        }
      }
      const deployment: StandInDeployment = {
        id: nextDeploymentId++,
        sha: resolved.sha,
        ref,
        task: (input.task as string | undefined) ?? 'deploy',
        payload: payload as WireDeployment['payload'],
        environment,
        originalEnvironment: environment,
        description: description === undefined ? '' : (description as string | null),
        transient: (input.transient_environment as boolean | undefined) ?? false,
        production: (input.production_environment as boolean | undefined) ?? environment === 'production',
        creator: token.user,
        createdAt: now(),
        statuses: [],
      };
      repo.deployments.push(deployment);
      return { status: 201, body: wireDeployment(repo, deployment) };
    },
    'repos.getDeployment': (route) => ({
      status: 200,
      body: wireDeployment(route.repo, findDeployment(route)),
    }),
    'repos.listDeploymentStatuses': (route, { query }) => {
      const deployment = findDeployment(route);
      // Newest first, as GitHub lists them.
      const statuses = [...deployment.statuses].reverse();
      return paginate(
        route,
        query,
        statuses.map((status) => wireStatus(route.repo, deployment, status)),
      );
    },
    'repos.createDeploymentStatus': (route, { input, token }) => {
      const docs = DOC_URLS[route.name];
      const deployment = findDeployment(route);
      // The state's enum and the fields' types were held to the description before (checkRequest).
      const state = input.state as StandInStatus['state'];
      const description = (input.description as string | undefined) ?? '';
      if (Array.from(description).length > DEPLOYMENT_STATUS_DESCRIPTION_LIMIT) {
        throw validationFailed(docs, [
          {
            resource: 'DeploymentStatus',
            code: 'custom',
            field: 'description',
            message: `description is too long (maximum is ${DEPLOYMENT_STATUS_DESCRIPTION_LIMIT} characters)`,
          },
        ]);
      }
      const environment =
        (input.environment as string | undefined) ??
        deployment.statuses.at(-1)?.environment ??
        deployment.environment;
      const status: StandInStatus = {
        id: nextStatusId++,
        state: state as StandInStatus['state'],
        description,
        environment,
        logUrl: (input.log_url as string | undefined) ?? (input.target_url as string | undefined) ?? '',
        environmentUrl: (input.environment_url as string | undefined) ?? '',
        creator: token.user,
        createdAt: now(),
      };
      deployment.statuses.push(status);
      deployment.environment = environment;
      // auto_inactive (default true): prior non-transient, non-production deployments of the same
      // environment whose state is success get an inactive status. Transient ones are left alone.
      if (status.state === 'success' && input.auto_inactive !== false) {
        for (const prior of route.repo.deployments) {
          if (prior === deployment || prior.id > deployment.id) continue;
          if (prior.environment !== environment || prior.transient || prior.production) continue;
          if (latestState(prior) !== 'success') continue;
          prior.statuses.push({ ...status, id: nextStatusId++, state: 'inactive', description: '' });
        }
      }
      const wire = wireStatus(route.repo, deployment, status);
      return { status: 201, body: wire, headers: { location: wire.url } };
    },
  };

  // ---------------------------------------------------------------- routing

  const matchRoute = (method: string, rawPath: string): Route | undefined => {
    const segments = rawPath.split('/').slice(1);
    let repo: StandInRepo | undefined;
    let rest: string[];
    if (segments[0] === 'repos' && segments.length >= 3) {
      repo = repos.get(key(decode(segments[1] ?? ''), decode(segments[2] ?? '')));
      rest = segments.slice(3);
    } else if (segments[0] === 'repositories' && segments.length >= 2) {
      repo = [...repos.values()].find((candidate) => String(candidate.id) === segments[1]);
      rest = segments.slice(2);
    } else {
      return undefined;
    }
    if (repo === undefined) return undefined;
    const restPath = rest.length === 0 ? '' : `/${rest.join('/')}`;
    const base = { repo, rest: restPath };
    const numberAt = (index: number) => {
      const raw = rest[index] ?? '';
      return /^\d+$/.test(raw) ? Number(raw) : undefined;
    };
    const [a, b, c] = rest;
    if (a === 'pulls' && rest.length === 1 && method === 'GET') return { ...base, name: 'pulls.list' };
    if (a === 'pulls' && rest.length === 2 && method === 'GET' && numberAt(1) !== undefined) {
      return { ...base, name: 'pulls.get', number: numberAt(1) };
    }
    if (a === 'branches' && rest.length >= 2 && method === 'GET') {
      // GitHub takes the branch as one encoded segment (feat%2Fx) or as the rest of the path (feat/x).
      return { ...base, name: 'repos.getBranch', branch: rest.slice(1).map(decode).join('/') };
    }
    if (a === 'issues' && b === 'comments' && rest.length === 3 && numberAt(2) !== undefined) {
      if (method === 'PATCH') return { ...base, name: 'issues.updateComment', id: numberAt(2) };
      if (method === 'DELETE') return { ...base, name: 'issues.deleteComment', id: numberAt(2) };
      return undefined;
    }
    if (a === 'issues' && c === 'comments' && rest.length === 3 && numberAt(1) !== undefined) {
      if (method === 'GET') return { ...base, name: 'issues.listComments', number: numberAt(1) };
      if (method === 'POST') return { ...base, name: 'issues.createComment', number: numberAt(1) };
      return undefined;
    }
    if (a === 'deployments' && rest.length === 1) {
      if (method === 'GET') return { ...base, name: 'repos.listDeployments' };
      if (method === 'POST') return { ...base, name: 'repos.createDeployment' };
      return undefined;
    }
    if (a === 'deployments' && numberAt(1) !== undefined) {
      if (rest.length === 2 && method === 'GET')
        return { ...base, name: 'repos.getDeployment', id: numberAt(1) };
      if (rest.length === 3 && c === 'statuses') {
        if (method === 'GET') return { ...base, name: 'repos.listDeploymentStatuses', id: numberAt(1) };
        if (method === 'POST') return { ...base, name: 'repos.createDeploymentStatus', id: numberAt(1) };
      }
    }
    return undefined;
  };

  const grants = (token: TokenState, needs: Need[][]) =>
    needs.some((set) =>
      set.every(([permission, access]) => {
        const held = token.permissions[permission];
        return held === 'write' || (held === 'read' && access === 'read');
      }),
    );

  const acceptedHeader = (needs: Need[][]) =>
    needs
      .map((set) => set.map(([permission, access]) => `${permission.replace('-', '_')}=${access}`).join(', '))
      .join('; ');

  const takeFault = (entry: GitHubRequest): FaultSpec | undefined => {
    for (const fault of faults) {
      const { spec } = fault;
      if (spec.route !== undefined && spec.route !== entry.route) continue;
      if (spec.method !== undefined && spec.method.toUpperCase() !== entry.method) continue;
      if (spec.path !== undefined && !spec.path.test(entry.rawPath)) continue;
      if (fault.skip > 0) {
        fault.skip -= 1;
        continue;
      }
      fault.left -= 1;
      if (fault.left <= 0) faults.splice(faults.indexOf(fault), 1);
      return spec;
    }
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const rawPath = queryAt < 0 ? target : target.slice(0, queryAt);
    const method = (req.method ?? 'GET').toUpperCase();
    const entry: GitHubRequest = {
      method,
      rawPath,
      query: parseQuery(queryAt < 0 ? '' : target.slice(queryAt + 1)),
      rawBody,
      body: undefined,
      userAgent: header(req, 'user-agent'),
      status: 0,
    };
    requests.push(entry);

    const send = (answer: Answer) => {
      entry.status = answer.status;
      if (res.destroyed || res.writableEnded) return;
      const requestId = `${randomBytes(4).toString('hex').toUpperCase()}:${randomBytes(3).toString('hex').toUpperCase()}`;
      const headers: Record<string, string> = { 'x-github-request-id': requestId, ...answer.headers };
      if (answer.body === undefined) {
        res.writeHead(answer.status, headers);
        res.end();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(answer.body));
    };
    const fail = (error: HttpError) =>
      send({ status: error.status, body: error.body, headers: error.headers });

    if (entry.userAgent === undefined)
      violations.push(`${method} ${rawPath}: no User-Agent header (GitHub refuses it)`);

    const authorization = header(req, 'authorization');
    const tokenValue = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    const token = tokenValue === undefined ? undefined : tokens.get(tokenValue);
    if (token === undefined) {
      return fail(
        new HttpError(
          401,
          errorBody(401, authorization === undefined ? 'Requires authentication' : 'Bad credentials', DOCS),
        ),
      );
    }
    entry.token = token.label;

    const route = matchRoute(method, rawPath);
    entry.route = route?.name;

    const fault = takeFault(entry);
    if (fault !== undefined) {
      const action = fault.action;
      entry.fault = action.kind;
      if (action.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (action.kind === 'error') {
        return send({
          status: action.status,
          body: action.body ?? errorBody(action.status, action.message ?? 'Server Error', DOCS),
          ...(action.headers === undefined ? {} : { headers: action.headers }),
        });
      }
      if (action.kind === 'latency') await new Promise((resolve) => setTimeout(resolve, action.ms));
      if (action.kind === 'callback') await action.run(entry);
      if (action.kind === 'barrier') {
        const barrier = barriers.get(fault) ?? { waiting: [] };
        barriers.set(fault, barrier);
        await new Promise<void>((resolve) => {
          barrier.waiting.push(resolve);
          if (barrier.waiting.length >= action.parties) {
            for (const release of barrier.waiting.splice(0)) release();
          }
        });
      }
    }

    // GraphQL, only `viewer { login }`: it answers every kind of token with the account it acts as
    // (a GitHub App installation token, the workflow's included, as its `<slug>[bot]`), where REST
    // GET /user refuses installation tokens. Sources: fullsend-ai/fullsend#1953,
    // pingdotgg/t3code#11273, actions/create-github-app-token#258.
    if (method === 'POST' && rawPath === '/graphql') {
      const query = String((JSON.parse(rawBody || '{}') as { query?: unknown }).query ?? '');
      if (/^\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query)) {
        return send({ status: 200, body: { data: { viewer: { login: token.user.login } } } });
      }
      return send({
        status: 200,
        body: { errors: [{ message: 'the stand-in answers only viewer { login }' }] },
      });
    }
    if (route === undefined) return fail(notFound());
    // From here on the answer is the operation's: held to GitHub's description (github-openapi.ts).
    const reply = (answer: Answer) => {
      const operation = githubOperation(route.name);
      for (const problem of operation.checkResponse(answer.status, answer.body)) {
        const violation = `the stand-in's answer to ${method} ${rawPath}: ${problem}`;
        violations.push(violation);
        misfits.push(violation);
      }
      send(answer);
    };
    const refuse = (error: HttpError) =>
      reply({ status: error.status, body: error.body, headers: error.headers });
    const repoName = `${route.repo.owner}/${route.repo.name}`.toLowerCase();
    if (token.repositories !== undefined && !token.repositories.some((r) => r.toLowerCase() === repoName)) {
      // GitHub does not tell a token that a private repository it cannot see exists.
      return refuse(notFound(DOC_URLS[route.name]));
    }
    const needs = NEEDS[route.name];
    if (!grants(token, needs)) {
      return refuse(
        new HttpError(
          403,
          errorBody(403, `Resource not accessible by ${token.kind ?? 'integration'}`, DOC_URLS[route.name]),
          { 'x-accepted-github-permissions': acceptedHeader(needs) },
        ),
      );
    }

    let input: Record<string, unknown> = {};
    if (rawBody.length > 0) {
      try {
        entry.body = JSON.parse(rawBody);
      } catch {
        return refuse(new HttpError(400, errorBody(400, 'Problems parsing JSON', DOC_URLS[route.name])));
      }
      if (entry.body === null || typeof entry.body !== 'object' || Array.isArray(entry.body)) {
        return refuse(invalidRequest(DOC_URLS[route.name], 'Body should be a JSON object'));
      }
      input = entry.body as Record<string, unknown>;
    }
    const problem = checkRequest(route.name, {
      path: pathParameters(route),
      query: entry.query,
      body: entry.body,
    });
    if (problem !== undefined) {
      const docs = DOC_URLS[route.name];
      return refuse(problem.status === 404 ? notFound(docs) : invalidRequest(docs, problem.detail));
    }
    try {
      reply(handlers[route.name](route, { query: entry.query, input, token }));
    } catch (error) {
      if (error instanceof HttpError) return refuse(error);
      throw error;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(
          JSON.stringify({
            message: `stand-in failure: ${error instanceof Error ? error.message : String(error)}`,
          }),
        );
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const standIn: GitHubStandIn = {
    url,
    owner: first.owner,
    repo: first.name,
    requests,
    requestsFor: (route) => requests.filter((request) => request.route === route),
    violations,
    addRepo,
    repository,
    addToken,
    addBranch: (name, branchOptions = {}) => {
      const repo = branchOptions.repo ?? first;
      const sha = branchOptions.sha ?? newSha();
      repo.branches.set(name, {
        sha,
        protected: branchOptions.protected ?? false,
        behindDefault: branchOptions.behindDefault ?? false,
      });
      return sha;
    },
    addPullRequest: (input, repo = first) => {
      const at = now();
      if (
        input.headSha === undefined &&
        (input.headOwner ?? repo.owner) === repo.owner &&
        !repo.branches.has(input.head)
      ) {
        repo.branches.set(input.head, { sha: newSha(), protected: false, behindDefault: false });
      }
      const pull: StandInPull = {
        number: repo.nextNumber++,
        title: input.title ?? `Change ${input.head}`,
        state: input.state ?? 'open',
        headRef: input.head,
        headSha: input.headSha ?? repo.branches.get(input.head)?.sha ?? newSha(),
        headOwner: input.headOwner ?? repo.owner,
        headRepoName: input.headRepoName === undefined ? repo.name : input.headRepoName,
        baseRef: input.base ?? repo.defaultBranch,
        merged: input.merged ?? false,
        locked: input.locked ?? false,
        createdAt: at,
        updatedAt: at,
      };
      repo.pulls.push(pull);
      return pull;
    },
    addIssue: (repo = first) => {
      const number = repo.nextNumber++;
      repo.issues.add(number);
      return number;
    },
    addComment: (issueNumber, body, commentOptions = {}) => {
      const repo = commentOptions.repo ?? first;
      if (!issueExists(repo, issueNumber)) throw new Error(`stand-in: no issue #${issueNumber}`);
      const at = now();
      const comment: StandInComment = {
        id: nextCommentId++,
        issueNumber,
        body,
        user: userFor(commentOptions.login ?? 'octocat'),
        createdAt: at,
        updatedAt: at,
      };
      repo.comments.push(comment);
      return comment;
    },
    setContexts: (sha, contexts) => {
      first.contexts.set(sha, contexts);
    },
    comments: (issueNumber, repo = first) =>
      repo.comments.filter((comment) => comment.issueNumber === issueNumber).sort((a, b) => a.id - b.id),
    deployments: (environment, repo = first) =>
      repo.deployments.filter(
        (deployment) => environment === undefined || deployment.environment === environment,
      ),
    latestState,
    injectFault: (spec) => {
      faults.push({ spec, skip: spec.skip ?? 0, left: spec.times ?? 1 });
    },
    pendingFaults: () => faults.reduce((sum, fault) => sum + fault.left, 0),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Every test closes its stand-in: an answer GitHub could not have given fails it, whether or
      // not the test reads `violations`.
      if (misfits.length > 0) {
        throw new Error(`The GitHub stand-in answered outside GitHub's description:\n${misfits.join('\n')}`);
      }
    },
  };
  return standIn;
}

/** The operation's path parameters, named as GitHub's description names them. */
function pathParameters(route: Route): Record<string, string> {
  const names = githubOperation(route.name).template.match(/\{[^}]+\}/g) ?? [];
  const values = [route.repo.owner, route.repo.name, String(route.number ?? route.id ?? route.branch ?? '')];
  return Object.fromEntries(names.map((name, index) => [name.slice(1, -1), values[index] ?? '']));
}

function newSha(): string {
  return randomBytes(20).toString('hex');
}

function allShas(repo: StandInRepo): string[] {
  return [
    ...[...repo.branches.values()].map((branch) => branch.sha),
    ...repo.pulls.map((pull) => pull.headSha),
  ];
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Rails reads `+` in a query string as a space, so a client must encode a literal plus as %2B. */
function parseQuery(raw: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = decode((at < 0 ? pair : pair.slice(0, at)).replaceAll('+', ' '));
    query[name] = decode((at < 0 ? '' : pair.slice(at + 1)).replaceAll('+', ' '));
  }
  return query;
}
