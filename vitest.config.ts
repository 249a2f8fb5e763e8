import { defineConfig } from 'vitest/config';

export default defineConfig({
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
