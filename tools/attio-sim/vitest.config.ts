import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The machine is shared: two workers at most.
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
