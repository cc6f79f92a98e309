import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { inScope } from '../../db/scoped-sql.js';
import { isUniqueViolation } from '../../http/database-errors.js';
import type { JobMetrics } from './metrics.js';
import type { JobSignals } from './signals.js';
import {
  claimRun,
  finishRun,
  recordProgress,
  recordScheduleOutcome,
  type JobRunRow,
} from './sql.js';
import type { JobHandlers, JobProgress, JobType, QueuedRun } from './types.js';
import { systemScope } from '../access/system-actor.js';

// Progress is written at most this often: a handler may report after every row without turning
// the run row into a hot spot (and every write is a serialized transaction on the embedded DB).
const PROGRESS_WRITE_INTERVAL_MS = 1_000;
const MAX_ERROR_LENGTH = 2_000;

export interface RunExecutorOptions {
  database: Database;
  config: Config;
  handlers: JobHandlers;
  workerId: string;
  logger: FastifyBaseLogger;
  metrics: JobMetrics;
  heartbeatSeconds: number;
  expireSeconds: (jobType: JobType) => number;
  /** Tells waiters (`?wait=true`, the demo) that a run finished, in this process and others. */
  signals: JobSignals;
  /** Called after a run finished ok with what its handler returned. */
  onFinished?: (jobType: JobType, scope: Scope, counts: Record<string, unknown>) => void;
}

/** Why a handler's signal was aborted; decides what the run row says afterwards. */
type AbortReason = 'shutdown' | 'taken_over' | 'time_limit';

export class HandedBackError extends Error {
  constructor(runId: string) {
    super(`run ${runId} handed back to the queue on shutdown`);
    this.name = 'HandedBackError';
  }
}

/**
 * Runs queue deliveries: claims the run (a new attempt), keeps its heartbeat and progress,
 * writes the outcome, feeds the schedule. A handler error fails the run and returns normally, so
 * the queue does not retry it (the scheduler's backoff decides when to try again); a shutdown
 * hands the run back (the queue retries it on another worker); a crash is found by the reaper.
 */
export function createRunExecutor(options: RunExecutorOptions) {
  const inFlight = new Map<string, (reason: AbortReason) => void>();

  async function execute(jobType: JobType, message: QueuedRun): Promise<Record<string, unknown>> {
    const { database, workerId } = options;
    const scope: Scope = systemScope(message, `job ${jobType}`);
    const log = options.logger.child({
      jobId: message.runId,
      job: jobType,
      projectId: scope.projectId,
    });

    let run: JobRunRow | undefined;
    try {
      run = await database.withScope(scope, (trx) =>
        claimRun(trx, { scope, runId: message.runId, workerId }),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Its attempt was reaped and a newer run of the same job started meanwhile: that one wins.
      log.info('delivery superseded by a newer run of the same job');
      return { skipped: 'superseded' };
    }
    if (!run) {
      log.info('delivery of a run that already finished; nothing to do');
      return { skipped: 'finished' };
    }
    if (run.attempt > 1)
      log.warn({ attempt: run.attempt }, 'run delivered again after a lost attempt');

    const attempt = run.attempt;
    const started = process.hrtime.bigint();
    const controller = new AbortController();
    let abortReason: AbortReason | undefined;
    const abort = (reason: AbortReason) => {
      if (!controller.signal.aborted) {
        abortReason = reason;
        controller.abort(new Error(`run aborted: ${reason}`));
      }
    };
    inFlight.set(run.id, abort);

    // Progress: the latest report wins; written by a timer, so the handler never waits on it.
    let pending: JobProgress = {};
    let dirty = false;
    let writing: Promise<void> = Promise.resolve();
    const flush = () => {
      const progress = pending;
      dirty = false;
      writing = writing
        .then(async () => {
          const current = await database.withScope(scope, (trx) =>
            recordProgress(trx, { scope, runId: message.runId, attempt, progress }),
          );
          if (!current) abort('taken_over');
        })
        .catch((error: unknown) => log.warn({ err: error }, 'progress write failed'));
    };
    const progressTimer = setInterval(() => {
      if (dirty) flush();
    }, PROGRESS_WRITE_INTERVAL_MS);
    // The heartbeat proves this process is alive even when a handler reports nothing for long.
    const heartbeatTimer = setInterval(flush, options.heartbeatSeconds * 1000);
    // pg-boss fails a delivery that outlives its expiry and hands it to another worker; stop the
    // handler just before that, so two workers never run the same attempt.
    const limitTimer = setTimeout(
      () => abort('time_limit'),
      Math.max(1, options.expireSeconds(jobType) - 5) * 1000,
    );

    let status: 'ok' | 'failed' = 'ok';
    let counts: Record<string, unknown> | undefined;
    let error: string | null = null;
    try {
      const handler = options.handlers[jobType];
      if (!handler) throw new Error(`no handler is registered for ${jobType} in this worker`);
      const result = await handler({
        database,
        config: options.config,
        scope,
        runId: run.id,
        trigger: run.trigger,
        signal: controller.signal,
        logger: log,
        onProgress: (progress) => {
          pending = { ...pending, ...progress };
          dirty = true;
        },
      });
      if (controller.signal.aborted) throw controller.signal.reason;
      counts = result ?? undefined;
    } catch (caught) {
      status = 'failed';
      error = describeError(caught, abortReason, options.expireSeconds(jobType));
    } finally {
      clearInterval(progressTimer);
      clearInterval(heartbeatTimer);
      clearTimeout(limitTimer);
      inFlight.delete(run.id);
      if (dirty) flush();
      await writing;
    }

    if (abortReason === 'taken_over') {
      log.warn('attempt was taken over (reaped or redelivered); its outcome is dropped');
      return { skipped: 'taken_over' };
    }
    if (abortReason === 'shutdown') {
      await handBack(scope, run.id, attempt);
      log.info('run handed back to the queue on shutdown');
      throw new HandedBackError(run.id);
    }

    const finished = await database.withScope(scope, async (trx) => {
      const row = await finishRun(trx, { scope, runId: run.id, attempt, status, counts, error });
      if (row) {
        await recordScheduleOutcome(trx, { scope, jobType, status, error });
        await options.signals.notifyInTransaction(trx, { kind: 'finished', runId: run.id });
      }
      return row;
    });
    if (finished) options.signals.emit({ kind: 'finished', runId: run.id });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    options.metrics.observeRun(jobType, finished ? status : 'taken_over', seconds);
    if (!finished) {
      log.warn('attempt was taken over before it finished; its outcome is dropped');
      return { skipped: 'taken_over' };
    }
    if (status === 'failed') log.warn({ error }, 'run failed');
    else {
      log.info({ seconds }, 'run finished');
      options.onFinished?.(jobType, scope, counts ?? {});
    }
    return { status, counts: counts ?? {} };
  }

  async function handBack(scope: Scope, runId: string, attempt: number) {
    await options.database.withScope(scope, (trx) =>
      sql`
        update job_runs set status = 'queued', phase = 'handed back on shutdown'
        where ${inScope(scope)} and id = ${runId}::uuid and status = 'running'
          and attempt = ${attempt}
      `.execute(trx),
    );
  }

  return {
    execute,
    /** Asks every running handler to stop; their runs go back to the queue. */
    abortAll() {
      for (const abort of inFlight.values()) abort('shutdown');
    },
    get inFlight() {
      return inFlight.size;
    },
  };
}

function describeError(error: unknown, reason: AbortReason | undefined, expireSeconds: number) {
  if (reason === 'time_limit') {
    return `run exceeded its time limit of ${expireSeconds} s and was stopped`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return (message || 'failed without a message').slice(0, MAX_ERROR_LENGTH);
}
