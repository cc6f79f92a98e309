import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type AppDeps } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createSchemaController } from '../../src/http/validation.js';
import { LOOPBACK, TEST_EMBEDDING_DIM } from './constants.js';
import { startTestDatabase, type TestDatabase } from './database.js';

export interface TestContext {
  app: FastifyInstance;
  config: Config;
  database: Database;
  testDb: TestDatabase;
  /** Lines the app logged, for tests that prove a secret never reaches a log. */
  logs: string[];
}

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return loadConfig({
    EMBEDDING_DIM: String(TEST_EMBEDDING_DIM),
    LOG_LEVEL: 'info',
    WORKER_ENABLED: 'false',
    SECRETS_KEY: '11'.repeat(32),
    SOURCE_HOST_ALLOWLIST: LOOPBACK,
    ...env,
  });
}

/**
 * Shared by every app this test worker builds, so Ajv compiles the route table's schemas once per
 * worker instead of once per file (src/http/validation.ts). The one piece of state the tests keep
 * across files: a worker runs its files in one module graph (vitest.config.ts).
 */
const schemaController = createSchemaController();

/** Builds the app over a fresh database for the current test file, closed after it. */
export function useTestApp(
  env: Record<string, string> = {},
  deps: Pick<AppDeps, 'resolveHost'> = {},
): TestContext {
  const ctx = { logs: [] as string[] } as TestContext;
  beforeAll(async () => {
    ctx.testDb = await startTestDatabase();
    ctx.config = testConfig({ DATABASE_URL: ctx.testDb.url, ...env });
    ctx.database = await openDatabase(ctx.config);
    ctx.app = await buildApp({
      config: ctx.config,
      database: ctx.database,
      logger: { level: 'info', stream: { write: (line: string) => ctx.logs.push(line) } },
      schemaController,
      ...deps,
    });
    await ctx.app.ready();
  });
  afterAll(async () => {
    await ctx.app?.close();
    await ctx.database?.close();
    await ctx.testDb?.drop();
  });
  return ctx;
}
