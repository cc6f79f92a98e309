import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrator.js';
import { TEST_EMBEDDING_DIM } from './constants.js';

export interface TestDatabase {
  url: string;
  /** Stops or drops the database; kept when KEEP_TEST_DB=1 so a failure's evidence stays. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file. With TEST_DATABASE_URL it is a new database on
 * that server; otherwise a copy of the embedded template that the global setup migrated once,
 * served on its own loopback port (PGlite is one session, so files never share one).
 */
export async function startTestDatabase(
  options: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const migrated = options.migrated ?? true;
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) return createServerDatabase(serverUrl, migrated);

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

async function createServerDatabase(serverUrl: string, migrated: boolean): Promise<TestDatabase> {
  const name = `cairn_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(serverUrl, name);
  if (migrated) {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    await migrate({ pool, embeddingDim: TEST_EMBEDDING_DIM, appRole: 'cairn_app' });
    await pool.end();
  }
  return {
    url,
    async drop() {
      if (process.env.KEEP_TEST_DB) return;
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
