import { parseSettings, type Settings } from '../../src/core/settings.js';

/** The inputs every unit test of a flow needs; each test adds the ones it is about. */
export const REQUIRED_INPUTS: Readonly<Record<string, string>> = {
  'neon-api-key': 'napi_x',
  'neon-project-id': 'calm-sun-123456',
  'amplify-app-id': 'd1a2b3c4d5e6f7',
  'aws-region': 'us-east-1',
};

/** Settings parsed from the required inputs and `extra`, through the one parser every front end uses. */
export function testSettings(extra: Record<string, string> = {}): Settings {
  const inputs: Record<string, string> = { ...REQUIRED_INPUTS, ...extra };
  return parseSettings((name) => inputs[name]);
}
