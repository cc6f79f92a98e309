import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { EMBEDDED_EXTENSIONS, serveOnLoopback } from '../../src/db/embedded-server.js';
import { createServerDatabase, dropServerDatabase, withDatabase } from './server-database.js';

export { withDatabase };

export interface TestDatabase {
  url: string;
  /**
   * Stops or drops the database; a server database is kept when KEEP_TEST_DB=1 so a failure's
   * evidence stays.
   */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file, copied from what the global setup migrated once
 * (test/support/global-setup.ts). With TEST_DATABASE_URL it is a new database on that server,
 * created from the run's template database; otherwise an embedded database in memory, loaded from
 * the dump of the embedded template and served on its own loopback port (PGlite is one session,
 * so files never share one). In memory, because a file's database lives as long as the file, and
 * loading a dump took half the time of copying the data directory and opening the copy
 * (docs/operations.md, "Continuous integration"). It runs in the test's own thread, as the tests
 * did before the server moved its database to a thread of its own (src/db/embedded.ts): no test
 * measures how the API answers while the database works.
 */
export async function startTestDatabase(
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) return startServerDatabase(serverUrl, migrated);

  const dump = await readFile(inject(migrated ? 'embeddedTemplateDump' : 'embeddedEmptyDump'));
  const db = await PGlite.create({
    loadDataDir: new Blob([dump]),
    extensions: EMBEDDED_EXTENSIONS,
  });
  const served = await serveOnLoopback(db);
  return { url: served.connectionString, drop: () => served.stop() };
}

async function startServerDatabase(serverUrl: string, migrated: boolean): Promise<TestDatabase> {
  const name = `cairn_test_${randomBytes(6).toString('hex')}`;
  await createServerDatabase(
    serverUrl,
    name,
    migrated ? inject('serverTemplateDatabase') : undefined,
  );
  return {
    url: withDatabase(serverUrl, name),
    async drop() {
      if (!process.env.KEEP_TEST_DB) await dropServerDatabase(serverUrl, name);
    },
  };
}
