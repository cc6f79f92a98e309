import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each file starts its own database; two cores run two files at a time.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // CI prints the ten slowest files after the run (test/support/slowest-files.ts).
    reporters: process.env.CI ? ['default', './test/support/slowest-files.ts'] : ['default'],
  },
});
