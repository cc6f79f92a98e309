import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../../server/src/config.js';
import { openDatabase, type Database, type Scope } from '../../server/src/db/database.js';
import { startEmbeddedPostgres } from '../../server/src/db/embedded.js';
import { migrate } from '../../server/src/db/migrator.js';
import { systemScope } from '../../server/src/modules/access/system-actor.js';

export interface BenchDatabase {
  url: string;
  cleanup(): Promise<void>;
}

/**
 * A scratch database for one bench run: a fresh database on the server at `serverUrl` (dropped
 * afterwards unless BENCH_KEEP_DB=1), or an embedded one in a temporary directory.
 */
export async function createBenchDatabase(
  label: string,
  serverUrl: string | undefined,
): Promise<BenchDatabase> {
  if (serverUrl) {
    const name = `cairn_bench_${label}_${randomBytes(3).toString('hex')}`;
    await withClient(serverUrl, (client) => client.query(`create database ${name}`));
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      async cleanup() {
        if (process.env.BENCH_KEEP_DB) return console.log(`kept database ${name}`);
        await withClient(serverUrl, (client) =>
          client.query(`drop database if exists ${name} with (force)`),
        );
      },
    };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), `cairn-bench-${label}-`));
  const embedded = await startEmbeddedPostgres({ dataDir: dir });
  return {
    url: embedded.connectionString,
    async cleanup() {
      await embedded.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A scratch database (as above) opened with a pool of four and migrated. */
export async function openBenchDatabase(
  label: string,
  config: Config,
): Promise<{ database: Database; benchConfig: Config; cleanup(): Promise<void> }> {
  const { url, cleanup } = await createBenchDatabase(label, config.DATABASE_URL);
  const benchConfig = { ...config, DATABASE_URL: url, DB_POOL_MAX: 4 };
  const database = await openDatabase(benchConfig);
  await migrate({
    pool: database.pool,
    embeddingDim: config.EMBEDDING_DIM,
    appRole: config.DB_APP_ROLE,
  });
  return {
    database,
    benchConfig,
    async cleanup() {
      await database.close();
      await cleanup();
    },
  };
}

/** The configuration of a bench against simulators on loopback: opened for them, guard on. */
export function loopbackBenchConfig(): Config {
  return loadConfig({
    SOURCE_HOST_ALLOWLIST: '127.0.0.1',
    ...process.env,
    LOG_LEVEL: 'silent',
    WORKER_ENABLED: 'false',
  });
}

/** A fresh account scope and project named `name`, and the scope a worker would run in there. */
export async function createBenchProject(database: Database, name: string): Promise<Scope> {
  const scope = await database.db
    .insertInto('account_scopes')
    .values({ scope_key: `bench-${name}-${randomBytes(3).toString('hex')}`, name })
    .returning('id')
    .executeTakeFirstOrThrow();
  const project = await database.db
    .insertInto('projects')
    .values({ account_scope_id: scope.id, name: `bench ${name}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  // The bench stands in for the worker path.
  return systemScope({ projectId: project.id, accountScopeId: scope.id }, 'bench');
}
