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
type FullRepository = FullPull['head']['repo'];
export type WireRepository = Pick<
  FullRepository,
  'id' | 'node_id' | 'name' | 'full_name' | 'private' | 'fork' | 'html_url' | 'url' | 'default_branch'
> & { owner: WireUser };
export type WirePullRef = Pick<FullPull['head'], 'label' | 'ref' | 'sha'> & {
  repo: WireRepository | null;
  user: WireUser;
};
export type WirePull = Pick<
  FullPull,
  | 'url'
  | 'id'
  | 'node_id'
  | 'html_url'
  | 'number'
  | 'state'
  | 'locked'
  | 'title'
  | 'body'
  | 'created_at'
  | 'updated_at'
  | 'closed_at'
  | 'merged_at'
  | 'draft'
  | 'author_association'
> & { user: WireUser; head: WirePullRef; base: WirePullRef };

type FullBranch = DataOf<Client['rest']['repos']['getBranch']>;
export type WireBranch = Pick<FullBranch, 'name' | 'protected' | 'protection_url' | '_links'> & {
  commit: Pick<FullBranch['commit'], 'sha' | 'url'>;
};

/** GitHub's error bodies (`basic-error`, `validation-error`), with the `status` string GitHub now adds. */
export interface WireError {
  message: string;
  documentation_url: string;
  status: string;
  errors?: Record<string, unknown>[];
}
