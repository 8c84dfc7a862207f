// `npm run demo`: the action's main job on this machine, no accounts needed. Starts the local Neon
// stand-in with a real Postgres behind every branch and the Amplify stand-in, runs the committed
// dist/index.js exactly as the GitHub runner would on a real push payload (with a migration), shows
// what the preview and its parent hold and the pull request's comment, then closes the pull request.
import { runDemo } from './demo-story.js';

const facts = await runDemo((line) => console.log(line));
if (facts.exitCodes.some((code) => code !== 0)) process.exitCode = 1;
