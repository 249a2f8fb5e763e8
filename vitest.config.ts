import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node (production) loads graphql's CommonJS build for `import 'graphql'` (its package has `main` and no
    // `exports`), as Pothos, graphql-jit and graphql-http do; Vite would pick its ES module build (`module`)
    // for our files only, and graphql refuses schema objects from the other copy. Tests load what runs.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
    // expect.poll waits only while its check fails: 1 s (the default) is too short for a browser page on a
    // loaded 2-core CI machine (a search debounced and answered took longer once).
    expect: { poll: { timeout: 10_000 } },
  },
});
