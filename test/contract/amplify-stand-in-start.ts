import { afterEach } from 'vitest';
import {
  type AmplifyStandIn,
  type AmplifyStandInOptions,
  startAmplifyStandIn,
} from '../fakes/amplify-server.js';

/**
 * A `start` for the stand-in's own tests, called once at the top of a test file: every stand-in it
 * starts is closed after each test of that file.
 */
export function amplifyStandInStarter(): (options?: AmplifyStandInOptions) => Promise<AmplifyStandIn> {
  const running: AmplifyStandIn[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((standIn) => standIn.close()));
  });
  return async (options = {}) => {
    const standIn = await startAmplifyStandIn(options);
    running.push(standIn);
    return standIn;
  };
}
