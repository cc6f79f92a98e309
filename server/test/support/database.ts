import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.js';
import { createServerDatabase, dropServerDatabase, withDatabase } from './server-database.js';

export { withDatabase };

export interface TestDatabase {
  url: string;
  /** Stops or drops the database; kept when KEEP_TEST_DB=1 so a failure's evidence stays. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file, copied from what the global setup migrated once
 * (test/support/global-setup.ts). With TEST_DATABASE_URL it is a new database on that server,
 * created from the run's template database; otherwise a copy of the embedded template's data
 * directory, served on its own loopback port (PGlite is one session, so files never share one).
 */
export async function startTestDatabase(
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) return startServerDatabase(serverUrl, migrated);

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-test-db-'));
  const template = inject(migrated ? 'embeddedTemplateDir' : 'embeddedEmptyTemplateDir');
  await cp(template, dataDir, { recursive: true });
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir });
  return {
    url: embedded.connectionString,
    async drop() {
      await embedded.stop();
      if (!process.env.KEEP_TEST_DB) await rm(dataDir, { recursive: true, force: true });
    },
  };
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
