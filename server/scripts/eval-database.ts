/**
 * The throwaway database an evaluation script runs on: a new database on the server named by
 * DATABASE_URL (dropped afterwards), or an embedded one in a temporary directory; migrated, and
 * closed and removed however the evaluation ends.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../src/config.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrator.js';

export async function withEvalDatabase<T>(
  config: Config,
  fn: (database: Database, config: Config) => Promise<T>,
): Promise<T> {
  let cleanup: () => Promise<void>;
  let url: string;
  if (config.DATABASE_URL) {
    const name = `cairn_eval_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: config.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const parsed = new URL(config.DATABASE_URL);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    cleanup = async () => {
      const client = new pg.Client({ connectionString: config.DATABASE_URL });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    };
  } else {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cairn-eval-'));
    const embedded = await startEmbeddedPostgres({ dataDir: dir });
    url = embedded.connectionString;
    cleanup = async () => {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const evalConfig = { ...config, DATABASE_URL: url };
  const database = await openDatabase(evalConfig);
  try {
    await migrate({
      pool: database.pool,
      embeddingDim: config.EMBEDDING_DIM,
      appRole: config.DB_APP_ROLE,
    });
    return await fn(database, evalConfig);
  } finally {
    await database.close();
    await cleanup();
  }
}
