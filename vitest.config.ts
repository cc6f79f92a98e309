import { readdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { moduleTags } from './server/test/support/module-tags.js';
import server from './server/vitest.config.js';

/**
 * `npm test`: every workspace's suite in one vitest run, the server's on the embedded database;
 * with TEST_DATABASE_URL, the server's suite a second time on that server Postgres, in the same
 * run. One run shares one pool of workers: a file of one suite starts as soon as a file of any
 * suite ends, where one suite after another left a core idle while each ended (its last, slow
 * files) and started (vitest's own start, six times). On two cores: 228–232 s for what took
 * 272 s one suite after another (docs/benchmarks.md, "One test run"). Each workspace's own config
 * stays what `npm test -w <workspace>` runs; this file only names them and their order.
 */
const root = import.meta.dirname;
const serverPostgres = process.env.TEST_DATABASE_URL || undefined;

// One number for every project: vitest runs projects that share a pool with the same maxWorkers
// (it refuses two). On server Postgres the queries run in Postgres's own processes and a third of
// the time the workers wait (leases, child processes, timeouts), so a third file runs beside two;
// with the embedded database alone, its queries run inside the workers: two (server/vitest.config.ts).
const maxWorkers = serverPostgres ? 3 : 2;

/**
 * The server's test files one database is enough for: their first line is
 * `// @module-tag no-database` or `// @module-tag api-client` (server/vitest.config.ts says why).
 */
function filesForOneDatabase(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => moduleTags(file).some((tag) => tag === 'no-database' || tag === 'api-client'))
    .map((file) => path.relative(path.join(root, 'server'), file));
}

const workspace = (dir: string, test: TestProjectInlineConfiguration['test'] = {}) =>
  ({
    extends: path.join(root, dir, 'vitest.config.ts'),
    test: { name: dir.split('/').at(-1), root: path.join(root, dir), maxWorkers, ...test },
  }) satisfies TestProjectInlineConfiguration;

// In the order they start: the server's suites first, as their files are the longest; the small
// suites' short files last, where they fill the cores while the long files end.
const projects = [
  // The embedded database even when TEST_DATABASE_URL is set: the test support reads the
  // variable (server/test/support/database.ts), and an empty one means embedded.
  workspace('server', { name: 'server', env: { TEST_DATABASE_URL: '' } }),
  ...(serverPostgres
    ? [
        workspace('server', {
          name: 'server (postgres)',
          env: { TEST_DATABASE_URL: serverPostgres },
          // They ran in the embedded suite, and one is enough (server/vitest.config.ts).
          exclude: filesForOneDatabase(path.join(root, 'server/test')),
        }),
      ]
    : []),
  workspace('tools/chatwoot-sim'),
  workspace('tools/linear-sim'),
  workspace('tools/attio-sim'),
  workspace('tools/studio'),
  workspace('web'),
];
const order = projects.map((project) => project.test.name);

/**
 * Vitest orders projects by name; this keeps the order above, and within a project vitest's own
 * (the larger or the slower file first).
 */
class ProjectsInOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]) {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => order.indexOf(file.project.name);
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    projects,
    maxWorkers,
    sequence: { sequencer: ProjectsInOrder },
    // The server's file tags: vitest reads them from the root config.
    tags: server.test?.tags,
    // CI prints the slowest files after the run (server/test/support/slowest-files.ts).
    reporters: process.env.CI
      ? ['default', path.join(root, 'server/test/support/slowest-files.ts')]
      : ['default'],
  },
});
