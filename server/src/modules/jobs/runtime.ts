import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { createEmbeddingsWake } from './embeddings-wake.js';
import { enqueueManualRun, type EnqueueResult } from './enqueue-run.js';
import { createRunExecutor } from './execute-run.js';
import { jobMetrics } from './metrics.js';
import { DEFAULT_EXPIRE_SECONDS, openQueue, type JobQueue, type QueueOptions } from './queue.js';
import { DEFAULT_STALE_AFTER_SECONDS, reapDeadRuns } from './reaper.js';
import { tick, type WorkerRunRow } from './scheduler.js';
import { createJobSignals, type JobSignals } from './signals.js';
import { createStatisticsKeeper } from './table-statistics.js';
import { JOB_TYPES, type JobHandlers, type JobType, type QueuedRun } from './types.js';
import { defaultWorkerId } from './worker-identity.js';

export interface StartJobsOptions {
  config: Config;
  database: Database;
  logger: FastifyBaseLogger;
  handlers: JobHandlers;
  /** Where run counters and durations go; pass `app.metrics` in the API process. */
  metrics?: Registry;
  queue?: QueueOptions;
  /** Defaults to host, pid and nonces (worker-identity.ts): unique per runtime, readable in job_runs. */
  workerId?: string;
  /**
   * This process's signal hub; pass the app's (`app.jobs.signals`) in the API process, so a run
   * enqueued by a request wakes these workers without a trip through the database.
   */
  signals?: JobSignals;
  /** Heartbeat of a running run. Default 10 s. */
  heartbeatSeconds?: number;
  /** A running run with no heartbeat for this long counts as dead. Default 60 s (reaper.ts). */
  staleAfterSeconds?: number;
  /** How often this process looks for dead runs. Default 30 s. */
  reaperIntervalSeconds?: number;
  /** How long shutdown waits for running jobs before handing them back. Default 20 s. */
  shutdownGraceSeconds?: number;
  /** Run the scheduler timer in this process (default true); WORKER_INTERVAL_SECONDS apart. */
  scheduler?: boolean;
  /**
   * Work not tied to one project that every worker does on a timer (the signals digest); each
   * task must be safe with several workers running it at once (handlers.ts).
   */
  periodic?: PeriodicTask[];
}

export interface PeriodicTask {
  name: string;
  seconds: number;
  run(context: {
    database: Database;
    workerId: string;
    logger: FastifyBaseLogger;
  }): Promise<unknown>;
}

export interface JobsRuntime {
  workerId: string;
  queue: JobQueue;
  signals: JobSignals;
  enqueue(scope: Scope, jobType: JobType, actor?: string): Promise<EnqueueResult>;
  /** One scheduler tick over all projects, as the timer does it. */
  tickAll(): Promise<WorkerRunRow[]>;
  reap(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts a worker in this process: pg-boss workers for every job type (WORKER_CONCURRENCY
 * deliveries at a time per type), the scheduler timer and the reaper. Used by the API process
 * when WORKER_ENABLED and by `npm run worker`. Any number of these share one Postgres: pg-boss
 * hands each delivery to exactly one of them, and the tick's SKIP LOCKED keeps their timers from
 * enqueuing the same due job twice.
 */
export async function startJobs(options: StartJobsOptions): Promise<JobsRuntime> {
  const { config, database } = options;
  const workerId = options.workerId ?? defaultWorkerId();
  const logger = options.logger.child({ workerId });
  const ownSignals = !options.signals;
  const signals = options.signals ?? createJobSignals(database, logger);
  const queue = await openQueue(database, logger, signals, { supervise: true, ...options.queue });
  const metrics = jobMetrics(options.metrics);
  const staleAfterSeconds = options.staleAfterSeconds ?? DEFAULT_STALE_AFTER_SECONDS;
  const expireSeconds = (jobType: JobType) =>
    options.queue?.expireSeconds?.[jobType] ?? DEFAULT_EXPIRE_SECONDS[jobType];
  // A sync that wrote chunks asks for them to be embedded now rather than at the next schedule.
  const embeddings = createEmbeddingsWake({ database, queue: async () => queue, logger });
  const statistics = createStatisticsKeeper(database.db, logger);
  const executor = createRunExecutor({
    database,
    config,
    handlers: options.handlers,
    workerId,
    logger,
    metrics,
    heartbeatSeconds: options.heartbeatSeconds ?? 10,
    expireSeconds,
    signals,
    onFinished: (jobType, scope, counts) => {
      // Statistics first, after a run that wrote much: the embeddings run asked for next reads
      // what the sync wrote. Runs that wrote little leave it to the periodic pass.
      const analyzed =
        rowsWritten(counts) >= ANALYZE_AFTER_ROWS ? statistics.request() : Promise.resolve();
      if (
        (jobType === 'chatwoot_sync' || jobType === 'linear_sync' || jobType === 'attio_sync') &&
        wroteChunks(counts)
      ) {
        void analyzed.then(() => embeddings.chunksWritten(scope));
      }
    },
  });

  // Before taking any work: runs left `running` by a dead owner (this host's previous process,
  // killed with -9, or any worker silent for longer than the lease) go back to the queue now,
  // so the workers started below pick them up at once instead of a minute later.
  const reap = async () =>
    (await reapDeadRuns({ database, queue, staleAfterSeconds, logger })).length;
  await reap();
  // A restart may find tables changed since their last analyze (the embedded home never
  // analyzes by itself); in the background, so taking work does not wait for it.
  void statistics.request();

  const slots = new Map<JobType, string[]>(JOB_TYPES.map((jobType) => [jobType, []]));
  for (const jobType of JOB_TYPES) {
    // Several single-job workers rather than one batch: pg-boss completes or fails a batch as a
    // whole, and one slow sync must not hold back the next project's run.
    for (let slot = 0; slot < config.WORKER_CONCURRENCY; slot++) {
      let slotId = '';
      slotId = await queue.boss.work<QueuedRun>(
        jobType,
        { batchSize: 1, pollingIntervalSeconds: queue.pollingIntervalSeconds },
        async ([job]) => {
          if (!job) return undefined;
          try {
            return await executor.execute(jobType, job.data);
          } finally {
            // pg-boss waits out the polling interval after every delivery; while there is work,
            // ask for the next one at once, so a backlog drains at handler speed.
            queue.boss.notifyWorker(slotId);
          }
        },
      );
      slots.get(jobType)!.push(slotId);
    }
  }

  // A job was enqueued (here, or in another process: signals.ts): every slot of its type fetches
  // now. pg-boss's notify cuts an idle slot's polling wait short; a slot that is fetching or busy
  // fetches again as soon as it is done, with no wait (pg-boss worker.js `beenNotified`), so a
  // signal arriving mid-fetch, before the job's commit was visible, is not lost. Slots that find
  // nothing go back to waiting (SKIP LOCKED hands the job to exactly one). A lost signal costs at
  // most one polling interval; a lost LISTEN connection is re-established and followed by a
  // wake-up of every type (signals.ts).
  const unsubscribe = signals.on((signal) => {
    if (signal.kind !== 'enqueued') return;
    for (const slotId of slots.get(signal.jobType) ?? []) queue.boss.notifyWorker(slotId);
  });
  await signals.listen();

  const timers: NodeJS.Timeout[] = [];
  const every = (seconds: number, what: string, fn: () => Promise<unknown>) => {
    let running = false;
    const timer = setInterval(() => {
      // A slow pass (database under load) must not pile up overlapping passes.
      if (running) return;
      running = true;
      fn()
        .catch((error: unknown) => logger.error({ err: error }, `${what} failed`))
        .finally(() => (running = false));
    }, seconds * 1000);
    timers.push(timer);
  };

  const tickAll = () =>
    tick({ database, queue, workerId, limit: config.WORKER_TICK_LIMIT, trigger: 'timer' });

  if (options.scheduler ?? true) every(config.WORKER_INTERVAL_SECONDS, 'scheduler tick', tickAll);
  every(options.reaperIntervalSeconds ?? 30, 'reaper', reap);
  for (const task of options.periodic ?? [])
    every(task.seconds, task.name, () => task.run({ database, workerId, logger }));
  every(STATISTICS_INTERVAL_SECONDS, 'planner statistics', () => statistics.request());
  logger.info({ concurrency: config.WORKER_CONCURRENCY }, 'job worker started');

  let stopping: Promise<void> | undefined;
  return {
    workerId,
    queue,
    signals,
    enqueue: (scope, jobType, actor = 'system') =>
      enqueueManualRun({ database, queue, scope, jobType, actor, staleAfterSeconds }),
    tickAll,
    reap,
    stop() {
      stopping ??= (async () => {
        for (const timer of timers) clearInterval(timer);
        unsubscribe();
        embeddings.close();
        await statistics.idle();
        const graceMs = (options.shutdownGraceSeconds ?? 20) * 1000;
        // Shortly before pg-boss stops waiting, ask handlers to stop so that their runs are handed
        // back cleanly rather than failed by pg-boss under them.
        const abortTimer = setTimeout(() => executor.abortAll(), Math.max(0, graceMs - 1_000));
        try {
          await queue.stop({ graceful: true, timeoutMs: graceMs });
        } finally {
          clearTimeout(abortTimer);
        }
        if (ownSignals) await signals.close();
        logger.info('job worker stopped');
      })();
      return stopping;
    },
  };
}

// A run that wrote this many rows refreshes statistics right away (a first sync, a backfill);
// below it the check waits for the periodic pass, so a stream of small runs (a no-change re-sync,
// a webhook's single chunk) does not put a catalog query after each on the embedded database's
// one session.
const ANALYZE_AFTER_ROWS = 100;
const STATISTICS_INTERVAL_SECONDS = 60;

/** Rows a sync or embeddings run wrote, from its counts (sync-chatwoot.ts, run-embeddings.ts). */
function rowsWritten(counts: Record<string, unknown>): number {
  const keys = [
    'contacts_written',
    'conversations_written',
    'messages_inserted',
    'messages_updated',
    'messages_deleted',
    'chunks_created',
    'chunks_reset',
    'chunks_removed',
    'embedded',
    'evidence_indexed',
    // connectors/linear: every row a Linear sync inserted, updated or deleted (jobs/handlers.ts).
    'rows_written',
  ];
  return keys.reduce((sum, key) => sum + (Number(counts[key]) || 0), 0);
}

/** The sync's counts say whether it created or changed chunks (connectors/chatwoot/sync-chatwoot.ts). */
function wroteChunks(counts: Record<string, unknown>): boolean {
  return Number(counts.chunks_created ?? 0) + Number(counts.chunks_reset ?? 0) > 0;
}
