// The Neon and Amplify stand-ins in a process of their own, so that the load generator's process
// does not also serve them. Prints one JSON line with what the webhook server needs, then waits.
import { startAmplifyStandIn } from '../../test/fakes/amplify-server.js';
import { startNeonStandIn } from '../../test/fakes/neon-server.js';

const appId = 'dbench1';
const neon = await startNeonStandIn({ operationDurationMs: null });
const amplify = await startAmplifyStandIn({ maxBranchesPerApp: 10_000, concurrentJobsQuota: 10_000 });
amplify.addApp({ appId });
process.stdout.write(
  `${JSON.stringify({
    neon: { url: neon.url, apiKey: neon.apiKey, projectId: neon.projectId },
    amplify: { url: amplify.url, region: amplify.region, credentials: amplify.credentials },
    appId,
  })}\n`,
);
process.on('SIGTERM', () => {
  const counts = { neonRequests: neon.requests.length, amplifyRequests: amplify.requests.length };
  process.stderr.write(`${JSON.stringify(counts)}\n`);
  process.exit(0);
});
