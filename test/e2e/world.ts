import {
  type AmplifyStandIn,
  type AmplifyStandInOptions,
  amplifyClientEnv,
  startAmplifyStandIn,
} from '../fakes/amplify-server.js';
import { GITHUB_TEST_TOKEN, type GitHubStandIn, startGitHubStandIn } from '../fakes/github-server.js';
import { type NeonStandIn, type NeonStandInOptions, startNeonStandIn } from '../fakes/neon-server.js';
import { pushTo } from '../fixtures/payloads.js';

export const APP_ID = 'd1a2b3c4d5e6f7';
/** The commit of the example push payload (`after`), which every pushTo() payload keeps. */
export const EXAMPLE_PUSH_SHA: string = pushTo('any').after;

export interface World {
  neon: NeonStandIn;
  amplify: AmplifyStandIn;
  /**
   * GitHub, as `Codertocat/Hello-World` (the repository of the example payloads), whose branches
   * include the example push's commit: every run reports there, so none reaches api.github.com.
   */
  github: GitHubStandIn;
  /** The action inputs that point at the stand-ins. */
  inputs: Record<string, string>;
  /** What a child process needs to reach the Amplify stand-in (the AWS SDK) and GitHub's (GITHUB_API_URL). */
  awsEnv: Record<string, string>;
  /** Every secret the run could leak: the API key, the GitHub token, every role's password. */
  secrets(): string[];
  /** Requests that change state on either service. */
  mutations(): string[];
  close(): Promise<void>;
}

/** Both stand-ins, with an Amplify app and a Neon project whose default branch is `main`. */
export async function startWorld(
  neonOptions: NeonStandInOptions = {},
  amplifyOptions: AmplifyStandInOptions = {},
): Promise<World> {
  const [neon, amplify, github] = await Promise.all([
    startNeonStandIn(neonOptions),
    startAmplifyStandIn(amplifyOptions),
    startGitHubStandIn({ owner: 'Codertocat', repo: 'Hello-World', defaultBranch: 'master' }),
  ]);
  amplify.addApp({ appId: APP_ID });
  github.addBranch('pushed', { sha: EXAMPLE_PUSH_SHA });
  return {
    neon,
    amplify,
    github,
    inputs: {
      'neon-api-key': neon.apiKey,
      'neon-project-id': neon.projectId,
      'neon-api-host': neon.url,
      'amplify-app-id': APP_ID,
      'github-token': GITHUB_TEST_TOKEN,
    },
    awsEnv: { ...amplifyClientEnv(amplify), GITHUB_API_URL: github.url },
    secrets: () => [
      neon.apiKey,
      GITHUB_TEST_TOKEN,
      ...neon.state.roles.map((role) => role.password).filter((p): p is string => !!p),
    ],
    mutations: () => [
      // A write Neon refused (a 4xx: the create of a branch's first push with a wrong key) changed nothing.
      ...neon.requests
        .filter((r) => r.method !== 'GET' && !(r.status !== undefined && r.status >= 400 && r.status < 500))
        .map((r) => `neon ${r.method} ${r.path}`),
      ...amplify.requests
        .filter(
          (r) => !['GetApp', 'GetBranch', 'ListBranches', 'ListJobs', 'GetJob'].includes(String(r.operation)),
        )
        .map((r) => `amplify ${r.operation}`),
    ],
    close: async () => {
      await Promise.all([neon.close(), amplify.close(), github.close()]);
    },
  };
}
