import { existsSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { runUserCommand } from './cli/user.js';
import { ConfigError, demoEnabled, loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { requestIdFrom } from './http/envelope.js';
import { migrate } from './db/migrator.js';
import { createSecrets, resolveSecretsKey } from './lib/secrets.js';
import { startDemo, withDemoAllowlist, type Demo } from './demo.js';
import { ensureInitialAdmin } from './modules/auth/service.js';
import {
  defaultJobHandlers,
  defaultPeriodicTasks,
  startJobs,
  type JobsRuntime,
} from './modules/jobs/index.js';
import { createStartState } from './modules/system/start-phase.js';
import { runWorker } from './worker.js';

/** Entry: `serve` (API + worker), `worker`, `migrate`, `user add|passwd NAME`. */
async function main() {
  const [command = 'serve', ...args] = process.argv.slice(2);
  if (!['serve', 'worker', 'migrate', 'user'].includes(command)) {
    throw new Error(`unknown command ${command}; use serve, worker, migrate or user`);
  }
  loadDotEnv();
  // Every check of the configuration comes before the database is touched: a missing key must
  // not leave a half-started deployment with its schema already migrated.
  const config = withDemoAllowlist(loadConfig());
  const secretsKey =
    command === 'serve' || command === 'worker' ? await requireSecretsKey(config) : undefined;
  if (command === 'serve') return serve(config, secretsKey!);

  // A user command writes into a running server's embedded database through its socket; anything
  // else refuses a data directory another process holds (db/embedded.ts).
  const database = await openDatabase(config, { attachToRunning: command === 'user' });
  try {
    if (command === 'migrate' || config.MIGRATE_ON_START) await migrateDatabase(config, database);
    if (command === 'migrate') return database.close();
    if (command === 'user') {
      await runUserCommand(database, args);
      return database.close();
    }
    await runWorker(config, database);
    return database.close();
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

const migrateDatabase = (config: Config, database: Database) =>
  migrate({
    pool: database.pool,
    embeddingDim: config.EMBEDDING_DIM,
    appRole: config.DB_APP_ROLE,
    log: (m) => console.log(m),
  });

async function requireSecretsKey(config: Config): Promise<string> {
  try {
    return await resolveSecretsKey(config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError([
      { variable: 'SECRETS_KEY', message: message.replace(/^SECRETS_KEY: /, '') },
    ]);
  }
}

/**
 * The API with its worker. The HTTP server listens as soon as the database is open, before
 * migrating, so `/health` can say "starting: migrating" (everything else answers 503 starting)
 * instead of the port refusing connections; the phases after that are the demo's.
 */
async function serve(config: Config, secretsKey: string) {
  const start = createStartState('migrating');
  // Opening the embedded database takes seconds (its first start creates the cluster); the port
  // answers "starting" meanwhile, so a UI already up shows that rather than an unreachable API.
  // The database opens beside the placeholder; when both fail (a second `serve` on the same port
  // and data directory), the database's reason — the directory is in use, by which pid — is the
  // one worth reading.
  const opening = openDatabase(config);
  opening.catch(() => undefined);
  let placeholder: { close(): Promise<void> };
  try {
    placeholder = await listenWhileStarting(config);
  } catch (error) {
    await (await opening).close();
    throw error;
  }
  let database: Database;
  try {
    database = await opening;
  } finally {
    await placeholder.close();
  }
  let app: FastifyInstance;
  try {
    app = await buildApp({
      config,
      database,
      secrets: createSecrets(secretsKey),
      demo: demoEnabled(config),
      start,
    });
    await app.listen({ host: config.HOST, port: config.PORT });
    console.log(
      `Cairn API listening on http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`,
    );
    await migrateDatabase(config, database);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }

  const admin = await ensureInitialAdmin(database, config);
  if (admin?.generatedPassword) {
    // Printed once, to the console only: it is not stored anywhere but as a hash.
    console.log(
      `\n  First run: sign in as "${admin.username}" with password: ${admin.generatedPassword}\n  Change it with: npm run user -- passwd ${admin.username}\n`,
    );
  }
  start.set(app.demo ? 'syncing the demo' : 'ready');

  const jobs: JobsRuntime | null = config.WORKER_ENABLED
    ? await startJobs({
        config,
        database,
        logger: app.log,
        handlers: defaultJobHandlers(config),
        periodic: defaultPeriodicTasks(config),
        metrics: app.metrics,
        // One signal hub per process: a request's enqueue wakes these workers directly.
        signals: app.jobs.signals,
      })
    : null;
  const demo: Demo | null = app.demo
    ? await startDemo({
        config,
        database,
        secrets: app.secrets,
        jobs,
        logger: app.log,
        projectHooks: app.projectCreatedHooks,
        onPhase: (phase) => start.set(phase),
      })
    : null;
  if (demo)
    console.log(
      `Demo mode: simulated Chatwoot (${demo.chatwootUrl}), Linear (${demo.linearUrl}) and Attio (${demo.attioUrl}) feed the "Demo studio" project`,
    );

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests and running jobs');
    // A stuck shutdown must not keep a container alive forever.
    setTimeout(() => process.exit(1), 30_000).unref();
    await app.close();
    await jobs?.stop();
    await demo?.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * Before the app exists: every request answers `503 starting` (phase `starting`) in the API's
 * envelope. Closed, with its connections, right before the app listens on the same port.
 */
async function listenWhileStarting(config: Config): Promise<{ close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const body = {
      ok: false,
      error: 'starting',
      message: 'Cairn is starting: opening its database',
      details: { phase: 'starting' },
      request_id: requestIdFrom(request),
    };
    response.writeHead(503, {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': '1',
      'x-request-id': body.request_id,
    });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The repository's .env, if any; variables already in the environment win. */
function loadDotEnv() {
  const file = fileURLToPath(new URL('../../.env', import.meta.url));
  if (existsSync(file)) process.loadEnvFile(file);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(error instanceof Error ? error.message : error);
    if (process.env.LOG_LEVEL === 'debug') console.error(error);
  }
  process.exit(1);
});
