import type { GitHubClient } from './client.js';

/**
 * Who the token acts as: the author of the comments it writes. `github-actions[bot]` for a
 * workflow's GITHUB_TOKEN, `<app>[bot]` for another GitHub App's installation token, the user for a
 * personal access token. REST `GET /user` refuses installation tokens ("Resource not accessible by
 * integration"), GraphQL's `viewer` answers every kind (docs/github.md, "The comment").
 *
 * Learnt once per client (a run has one): from the comment the token itself created when it created
 * one, else by asking, which a run does only when a comment with the marker already exists.
 */
const known = new WeakMap<GitHubClient, Promise<string>>();

export function tokenLogin(client: GitHubClient): Promise<string> {
  let login = known.get(client);
  if (login === undefined) {
    login = client
      .graphql<{ viewer: { login: string } }>('query { viewer { login } }')
      .then(({ viewer }) => viewer.login);
    // A failed look is not remembered: the next pull request asks again.
    login.catch(() => known.delete(client));
    known.set(client, login);
  }
  return login;
}

/** The author of a comment the token just created: its identity, without asking. */
export function learnTokenLogin(client: GitHubClient, login: string | undefined): void {
  if (login !== undefined && login !== '' && !known.has(client)) known.set(client, Promise.resolve(login));
}
