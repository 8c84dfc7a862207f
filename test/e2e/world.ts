import {
  type AmplifyStandIn,
  type AmplifyStandInOptions,
  amplifyClientEnv,
  startAmplifyStandIn,
} from '../fakes/amplify-server.js';
import { type NeonStandIn, type NeonStandInOptions, startNeonStandIn } from '../fakes/neon-server.js';

export const APP_ID = 'd1a2b3c4d5e6f7';

export interface World {
  neon: NeonStandIn;
  amplify: AmplifyStandIn;
  /** The action inputs that point at the stand-ins. */
  inputs: Record<string, string>;
  /** What the AWS SDK in a child process needs to reach the Amplify stand-in. */
  awsEnv: Record<string, string>;
  /** Every secret the run could leak: the API key, every role's password. */
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
  const [neon, amplify] = await Promise.all([
    startNeonStandIn(neonOptions),
    startAmplifyStandIn(amplifyOptions),
  ]);
  amplify.addApp({ appId: APP_ID });
  return {
    neon,
    amplify,
    inputs: {
      'neon-api-key': neon.apiKey,
      'neon-project-id': neon.projectId,
      'neon-api-host': neon.url,
      'amplify-app-id': APP_ID,
    },
    awsEnv: amplifyClientEnv(amplify),
    secrets: () => [
      neon.apiKey,
      ...neon.state.roles.map((role) => role.password).filter((p): p is string => !!p),
    ],
    mutations: () => [
      ...neon.requests.filter((r) => r.method !== 'GET').map((r) => `neon ${r.method} ${r.path}`),
      ...amplify.requests
        .filter(
          (r) => !['GetApp', 'GetBranch', 'ListBranches', 'ListJobs', 'GetJob'].includes(String(r.operation)),
        )
        .map((r) => `amplify ${r.operation}`),
    ],
    close: async () => {
      await Promise.all([neon.close(), amplify.close()]);
    },
  };
}
