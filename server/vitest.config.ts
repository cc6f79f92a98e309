import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each file starts its own database; two cores run two files at a time. On server Postgres a
    // third file runs beside them: the queries run in Postgres's own processes, and a third of the
    // time both workers waited (on leases, child processes, timeouts) with a core idle — the pass
    // took 98–108 s instead of 112 s, green each time (docs/benchmarks.md, "CI"). The embedded
    // pass runs its database inside the workers and keeps both cores busy with two.
    pool: 'forks',
    maxWorkers: process.env.TEST_DATABASE_URL ? 3 : 2,
    // A worker runs its files one after another in one module graph instead of importing the
    // whole server again for each file: that import was two of every file's seconds, 190 s of
    // the embedded pass (docs/operations.md, "Continuous integration"). Safe because no module
    // keeps state (each file builds its own app over its own database) and no test mocks a module
    // another file imports.
    isolate: false,
    // Files that one database is enough for say so in their first line, and the repository's
    // run leaves them out of the suite's run on server Postgres (vitest.config.ts at the root),
    // since they ran the same on the embedded database:
    // - `// @module-tag no-database`: the file opens none (a client against a simulator, a
    //   detector, a docs check); test/support/database.ts fails such a file that opens one.
    // - `// @module-tag api-client`: the file tests a client of the HTTP API (the CLI), whose
    //   queries are the API's, tested on both databases by the server's own files.
    tags: [
      { name: 'no-database', description: 'Opens no database: one pass is enough' },
      { name: 'api-client', description: 'A client of the HTTP API: one database is enough' },
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // CI prints the ten slowest files after the run (test/support/slowest-files.ts).
    reporters: process.env.CI ? ['default', './test/support/slowest-files.ts'] : ['default'],
  },
});
