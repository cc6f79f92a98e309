import fp from 'fastify-plugin';
import { createEmbeddingsWake, type EmbeddingsWake } from './embeddings-wake.js';
import { createEventStreams, type EventStreams } from './events.js';
import { registerQueueDepthGauge } from './metrics.js';
import { openQueue, type JobQueue } from './queue.js';
import { DEFAULT_STALE_AFTER_SECONDS } from './reaper.js';
import { createDefaultSchedules } from './scheduler.js';
import { createJobSignals, type JobSignals } from './signals.js';

/** What the jobs module keeps per app: its routes are mounted twice (/ and /v1) and share it. */
export interface JobsApp {
  /** This process's signal hub; a worker runtime in the same process is given the same one. */
  signals: JobSignals;
  /** Opened on first use: most API processes serve many requests before anyone enqueues. */
  queue(): Promise<JobQueue>;
  streams: EventStreams;
  /** Fresh chunks (a webhook's message) ask for an embeddings run through this. */
  embeddings: EmbeddingsWake;
  /** A manual request hands back, rather than waits on, a run silent for this long. */
  staleAfterSeconds: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobsApp;
  }
}

/**
 * The jobs module's state on the app, and its part in creating a project (the default
 * schedules), registered here once rather than as a side effect of mounting routes.
 */
export const jobsPlugin = fp(
  async (app) => {
    const signals = createJobSignals(app.database, app.log);
    let opening: Promise<JobQueue> | undefined;
    // The API only enqueues; pg-boss maintenance is the workers' business.
    const queue = () =>
      (opening ??= openQueue(app.database, app.log, signals, { supervise: false }));
    const streams = createEventStreams(app.database);
    const embeddings = createEmbeddingsWake({ database: app.database, queue, logger: app.log });
    app.decorate('jobs', {
      signals,
      queue,
      streams,
      embeddings,
      staleAfterSeconds: DEFAULT_STALE_AFTER_SECONDS,
    });
    registerQueueDepthGauge(app.metrics, app.database.db);
    app.projectCreatedHooks.push((trx, project) =>
      createDefaultSchedules(
        trx,
        { projectId: project.id, accountScopeId: project.account_scope_id },
        app.config,
      ),
    );
    app.addHook('preClose', async () => streams.closeAll());
    app.addHook('onClose', async () => {
      embeddings.close();
      if (opening) await (await opening.catch(() => undefined))?.stop({ graceful: false });
      await signals.close();
    });
  },
  { name: 'cairn-jobs', decorators: { fastify: ['database', 'config', 'metrics'] } },
);
