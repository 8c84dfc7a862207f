// `npm run demo`: the action's main job on this machine, no accounts needed. Starts the local Neon
// and Amplify stand-ins, runs the committed dist/index.js exactly as the GitHub runner would on a
// real push payload, then on the pull request closing, and prints what changed on each side.
import { runAction } from '../test/e2e/run-action.js';
import { APP_ID, startWorld } from '../test/e2e/world.js';
import { pullRequest, pushTo } from '../test/fixtures/payloads.js';

const branch = 'feature/login';
const world = await startWorld();
try {
  world.amplify.addBranch(APP_ID, branch, { environmentVariables: { API_URL: 'https://api.example.com' } });
  const hide = (text: string) => world.secrets().reduce((t, secret) => t.replaceAll(secret, '****'), text);

  const show = async (title: string, event: { name: string; payload: unknown }) => {
    console.log(`\n=== ${title}`);
    const run = await runAction({ event, inputs: world.inputs, env: world.awsEnv });
    for (const line of run.stdout.split('\n')) {
      if (line !== '' && !line.startsWith('::add-mask::') && !line.startsWith('::debug::'))
        console.log(`  | ${hide(line)}`);
    }
    if (run.stderr) console.log(hide(run.stderr));
    console.log(`  exit code ${run.exitCode}; outputs:`);
    for (const [name, value] of Object.entries(run.outputs)) console.log(`    ${name} = ${hide(value)}`);
    console.log('  Neon branches now:', world.neon.state.branches.map((b) => b.name).join(', '));
    const amplify = world.amplify.branch(APP_ID, branch);
    console.log(
      `  Amplify '${branch}' variables:`,
      amplify ? hide(JSON.stringify(amplify.environmentVariables)) : '(no branch)',
      `jobs: ${amplify?.jobs.map((j) => `${j.jobId} ${j.status}`).join(', ') || 'none'}`,
    );
    if (run.exitCode !== 0) process.exitCode = 1;
  };

  await show(`push to ${branch} (real push payload from @octokit/webhooks-examples)`, {
    name: 'push',
    payload: pushTo(branch),
  });
  await show(`pull request from ${branch} closed`, {
    name: 'pull_request',
    payload: pullRequest('closed', branch),
  });
  console.log('\nAmplify requests, in order:', world.amplify.requests.map((r) => r.operation).join(' → '));
} finally {
  await world.close();
}
