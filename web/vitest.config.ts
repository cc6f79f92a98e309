import { defineConfig } from 'vitest/config';

// The web's unit tests (the browser suite has its own config: e2e/vitest.config.ts). Without a
// config here, vitest would take the repository's, which runs every workspace's suite.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    maxWorkers: 2,
  },
});
