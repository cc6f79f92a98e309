import { defineConfig } from 'vitest/config';

// The browser suite starts a whole stack (API, embedded Postgres, simulator, Next) per file, so
// files run one after another and tests inside a file run in order, sharing that stack.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 180_000,
    hookTimeout: 600_000,
    reporters: ['verbose'],
  },
});
