import { defineConfig } from 'vitest/config';

// The browser suite starts a whole stack (API, embedded Postgres, simulator, Next) per file, and
// the tests inside a file run in order, sharing that stack. Two files run side by side: a file
// keeps about one core busy (CPU time ≈ wall time, the rest is waiting on the browser and the
// stack), so on two cores two files finish in little more than the time of one
// (docs/operations.md, "Continuous integration"). Each stack has its own ports and data directory.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    maxWorkers: 2,
    sequence: { concurrent: false },
    testTimeout: 180_000,
    hookTimeout: 600_000,
    reporters: ['verbose'],
  },
});
