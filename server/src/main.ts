import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildApp } from './app.js';
import { runUserCommand } from './cli/user.js';
import { ConfigError, demoEnabled, loadConfig, type Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrator.js';
import { createSecrets, resolveSecretsKey } from './lib/secrets.js';
import { startDemo, withDemoAllowlist, type Demo } from './demo.js';
import { ensureInitialAdmin } from './modules/auth/service.js';
import { defaultJobHandlers, startJobs, type JobsRuntime } from './modules/jobs/index.js';
import { runWorker } from './worker.js';

/** Entry: `serve` (API + worker), `worker`, `migrate`, `user add|passwd NAME`. */
async function main() {
  const [command = 'serve', ...args] = process.argv.slice(2);
  loadDotEnv();
  const config = withDemoAllowlist(loadConfig());
  // A user command writes into a running server's embedded database through its socket; anything
  // else refuses a data directory another process holds (db/embedded.ts).
  const database = await openDatabase(config, { attachToRunning: command === 'user' });
  try {
    if (command === 'migrate' || config.MIGRATE_ON_START || command === 'serve') {
      await migrate({
        pool: database.pool,
        embeddingDim: config.EMBEDDING_DIM,
        appRole: config.DB_APP_ROLE,
        log: (m) => console.log(m),
      });
    }
    if (command === 'migrate') return database.close();
    if (command === 'user') {
      await runUserCommand(database, args);
      return database.close();
    }
    if (command === 'serve') return serve(config, database);
    if (command === 'worker') {
      await runWorker(config, database);
      return database.close();
    }
    throw new Error(`unknown command ${command}; use serve, worker, migrate or user`);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

async function serve(config: Config, database: Database) {
  const admin = await ensureInitialAdmin(database, config);
  if (admin?.generatedPassword) {
    // Printed once, to the console only: it is not stored anywhere but as a hash.
    console.log(
      `\n  First run: sign in as "${admin.username}" with password: ${admin.generatedPassword}\n  Change it with: npm run user -- passwd ${admin.username}\n`,
    );
  }
  const secrets = createSecrets(await resolveSecretsKey(config));
  const app = await buildApp({ config, database, secrets, demo: demoEnabled(config) });
  await app.listen({ host: config.HOST, port: config.PORT });
  console.log(
    `Cairn API listening on http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`,
  );

  const jobs: JobsRuntime | null = config.WORKER_ENABLED
    ? await startJobs({
        config,
        database,
        logger: app.log,
        handlers: defaultJobHandlers(config),
        metrics: app.metrics,
      })
    : null;
  const demo: Demo | null = app.demo
    ? await startDemo({ config, database, secrets, jobs, logger: app.log })
    : null;
  if (demo)
    console.log(
      `Demo mode: a simulated Chatwoot at ${demo.chatwootUrl} feeds the "Demo studio" project`,
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
