import pino from 'pino';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { REDACTED_PATHS } from './http/logger.js';
import { defaultJobHandlers, defaultPeriodicTasks } from './modules/jobs/handlers.js';
import { startJobs, type JobsRuntime } from './modules/jobs/runtime.js';

/**
 * The worker-only process (`npm run worker`): job workers, scheduler timer and reaper, no HTTP.
 * Runs until SIGTERM or SIGINT, then lets running jobs finish (or hands them back to the queue)
 * and exits. Scale out by starting more of these against the same DATABASE_URL.
 */
export async function runWorker(config: Config, database?: Database): Promise<void> {
  if (!config.DATABASE_URL) {
    // The embedded database lives inside the API process; another process cannot share it.
    throw new Error(
      'DATABASE_URL: required for `npm run worker` (the embedded database runs only inside the ' +
        'API process, which has its own worker unless WORKER_ENABLED=false)',
    );
  }
  const logger = pino({
    level: config.LOG_LEVEL,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
  const db = database ?? (await openDatabase(config));
  let jobs: JobsRuntime;
  try {
    jobs = await startJobs({
      config,
      database: db,
      logger,
      handlers: defaultJobHandlers(config),
      periodic: defaultPeriodicTasks(config),
    });
  } catch (error) {
    if (!database) await db.close();
    throw error;
  }

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'worker shutting down: letting running jobs finish');
      resolve();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  await jobs.stop();
  if (!database) await db.close();
}
