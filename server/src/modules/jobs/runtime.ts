import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { enqueueManualRun, type EnqueueResult } from './enqueue-run.js';
import { createRunExecutor } from './execute-run.js';
import { jobMetrics } from './metrics.js';
import { DEFAULT_EXPIRE_SECONDS, openQueue, type JobQueue, type QueueOptions } from './queue.js';
import { reapStaleRuns } from './reaper.js';
import { tick, type WorkerRunRow } from './scheduler.js';
import { JOB_TYPES, type JobHandlers, type JobType, type QueuedRun } from './types.js';

export interface StartJobsOptions {
  config: Config;
  database: Database;
  logger: FastifyBaseLogger;
  handlers: JobHandlers;
  /** Where run counters and durations go; pass `app.metrics` in the API process. */
  metrics?: Registry;
  queue?: QueueOptions;
  /** Defaults to host, pid and a random suffix: unique per process, readable in job_runs. */
  workerId?: string;
  /** Heartbeat of a running run. Default 10 s. */
  heartbeatSeconds?: number;
  /** A running run with no heartbeat for this long counts as dead. Default 60 s. */
  staleAfterSeconds?: number;
  /** How often this process looks for dead runs. Default 30 s. */
  reaperIntervalSeconds?: number;
  /** How long shutdown waits for running jobs before handing them back. Default 20 s. */
  shutdownGraceSeconds?: number;
  /** Run the scheduler timer in this process (default true); WORKER_INTERVAL_SECONDS apart. */
  scheduler?: boolean;
}

export interface JobsRuntime {
  workerId: string;
  queue: JobQueue;
  enqueue(scope: Scope, jobType: JobType, actor?: string): Promise<EnqueueResult>;
  /** One scheduler tick over all projects, as the timer does it. */
  tickAll(): Promise<WorkerRunRow[]>;
  reap(): Promise<number>;
  stop(): Promise<void>;
}

export const defaultWorkerId = () =>
  `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

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
  const queue = await openQueue(database, logger, { supervise: true, ...options.queue });
  const metrics = jobMetrics(options.metrics);
  const expireSeconds = (jobType: JobType) =>
    options.queue?.expireSeconds?.[jobType] ?? DEFAULT_EXPIRE_SECONDS[jobType];
  const executor = createRunExecutor({
    database,
    config,
    handlers: options.handlers,
    workerId,
    logger,
    metrics,
    heartbeatSeconds: options.heartbeatSeconds ?? 10,
    expireSeconds,
  });

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
    }
  }

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
  const reap = async () =>
    (
      await reapStaleRuns({
        database,
        queue,
        staleAfterSeconds: options.staleAfterSeconds ?? 60,
        logger,
      })
    ).length;

  if (options.scheduler ?? true) every(config.WORKER_INTERVAL_SECONDS, 'scheduler tick', tickAll);
  every(options.reaperIntervalSeconds ?? 30, 'reaper', reap);
  logger.info({ concurrency: config.WORKER_CONCURRENCY }, 'job worker started');

  let stopping: Promise<void> | undefined;
  return {
    workerId,
    queue,
    enqueue: (scope, jobType, actor = 'system') =>
      enqueueManualRun({ database, queue, scope, jobType, actor }),
    tickAll,
    reap,
    stop() {
      stopping ??= (async () => {
        for (const timer of timers) clearInterval(timer);
        const graceMs = (options.shutdownGraceSeconds ?? 20) * 1000;
        // Shortly before pg-boss stops waiting, ask handlers to stop so that their runs are handed
        // back cleanly rather than failed by pg-boss under them.
        const abortTimer = setTimeout(() => executor.abortAll(), Math.max(0, graceMs - 1_000));
        try {
          await queue.stop({ graceful: true, timeoutMs: graceMs });
        } finally {
          clearTimeout(abortTimer);
        }
        logger.info('job worker stopped');
      })();
      return stopping;
    },
  };
}
