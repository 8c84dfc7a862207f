import { bitbucket } from '../bitbucket/provider.js';
import { github } from '../github/provider.js';
import { gitlab } from '../gitlab/provider.js';
import type { Provider } from './provider.js';

/** Every provider, by the path its deliveries are posted to. */
const PROVIDERS: readonly Provider[] = [github, gitlab, bitbucket];

export const PROVIDER_PATHS = PROVIDERS.map((provider) => provider.path).join(', ');

export function providerAt(path: string): Provider | undefined {
  return PROVIDERS.find((provider) => provider.path === path);
}
