import type { FastifyBaseLogger } from 'fastify';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { JobSignals } from './signals.js';
import { JOB_TYPES, type JobType, type QueuedRun } from './types.js';

export const QUEUE_SCHEMA = 'pgboss';

/**
 * How long one delivery may stay active before pg-boss itself gives up on it and hands it to
 * another worker. Our own heartbeat reaper notices a dead worker far sooner (about a minute);
 * this is the backstop, so it must exceed the longest honest run: a first Chatwoot backfill of a
 * large account takes hours, an embeddings backfill with a remote provider up to an hour or two.
 */
export const DEFAULT_EXPIRE_SECONDS: Record<JobType, number> = {
  chatwoot_sync: 6 * 3600,
  embeddings_run: 3 * 3600,
  outbound_process: 15 * 60,
  signals_run: 30 * 60,
  // A first read of a large workspace is bounded by Linear's hourly budgets (docs/connectors-linear.md).
  linear_sync: 6 * 3600,
  // Every Attio run lists the whole workspace in scope (docs/connectors-attio.md).
  attio_sync: 6 * 3600,
};

export interface QueueOptions {
  /**
   * How often an idle worker asks for work when no signal woke it; pg-boss's floor is 0.5 s.
   * Signals (signals.ts) start a run within milliseconds, so this is only the fallback for a lost
   * signal. Default 2 s.
   */
  pollingIntervalSeconds?: number;
  /** pg-boss maintenance (expiry of stuck deliveries, archiving); default 60 s. */
  maintenanceIntervalSeconds?: number;
  /**
   * Deliveries after the first when a worker dies or shuts down mid-run. Handler errors are not
   * retried by the queue: the scheduler's backoff owns that decision. Default 3.
   */
  retryLimit?: number;
  /** Seconds before a handed-back run is delivered again, doubled per retry. Default 10. */
  retryDelaySeconds?: number;
  expireSeconds?: Partial<Record<JobType, number>>;
  /** Run pg-boss maintenance in this process (workers do; the API's enqueuer need not). */
  supervise?: boolean;
}

export interface JobQueue {
  boss: PgBoss;
  signals: JobSignals;
  pollingIntervalSeconds: number;
  /**
   * Puts the run on its queue inside the caller's transaction, so run row and job commit together,
   * and with them the notice that wakes other processes' workers. After the commit the caller
   * calls `announce` for this process.
   */
  sendInTransaction(trx: Kysely<DB>, jobType: JobType, run: QueuedRun): Promise<void>;
  /**
   * Inside `trx`: fails the delivery of a run whose worker is gone. True when the queue will deliver
   * it again, which it then may at once (the retry backoff is for handlers that fail, not for
   * workers that died); false when its retries are used up.
   */
  handBackInTransaction(
    trx: Kysely<DB>,
    jobType: JobType,
    runId: string,
    reason: string,
  ): Promise<boolean>;
  /** This process's wake-ups, after the transaction that enqueued or finished has committed. */
  announce(what: { enqueued?: JobType[]; finished?: string[] }): void;
  /** Jobs waiting to be picked up (created or waiting for a retry), per job type. */
  depth(): Promise<Record<JobType, number>>;
  stop(options?: { graceful?: boolean; timeoutMs?: number }): Promise<void>;
}

export class QueueConflictError extends Error {
  constructor(jobType: JobType, projectId: string) {
    super(`the ${jobType} queue already holds a waiting job for project ${projectId}`);
    this.name = 'QueueConflictError';
  }
}

/**
 * Starts pg-boss on the app's database (either home: it only needs a connection string) and
 * makes sure every job type has its queue. pg-boss creates and upgrades its own schema under its
 * advisory lock, so any number of processes may start together.
 */
export async function openQueue(
  database: Database,
  logger: FastifyBaseLogger,
  signals: JobSignals,
  options: QueueOptions = {},
): Promise<JobQueue> {
  const pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;
  const boss = new PgBoss({
    connectionString: database.connectionString,
    schema: QUEUE_SCHEMA,
    application_name: 'cairn-jobs',
    // Workers poll one at a time per slot and the embedded database serializes anyway: a few
    // connections are plenty, and the server's connection budget is shared with the API pool.
    max: 3,
    migrate: true,
    supervise: options.supervise ?? true,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
    // Cron scheduling is ours (scheduled_jobs), so pg-boss's clock and cron loops stay off.
    schedule: false,
  });
  // An EventEmitter 'error' with no listener would crash the process on a database blip.
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();

  for (const jobType of JOB_TYPES) {
    const queueOptions: PgBoss.Queue = {
      name: jobType,
      // `short`: at most one waiting job per singleton key (the project). It backs up the
      // job_runs index, which is what keeps one active run per project and job type.
      policy: 'short',
      retryLimit: options.retryLimit ?? 3,
      retryDelay: options.retryDelaySeconds ?? 10,
      retryBackoff: true,
      expireInSeconds: options.expireSeconds?.[jobType] ?? DEFAULT_EXPIRE_SECONDS[jobType],
    };
    await boss.createQueue(jobType, queueOptions);
    // createQueue keeps an existing queue's settings; a changed default must still apply.
    await boss.updateQueue(jobType, queueOptions);
  }

  // pg-boss runs its statements on whatever `db` it is given: ours, to share our transaction.
  const inTransaction = (trx: Kysely<DB>) => ({
    executeSql: async (text: string, values: unknown[]) => {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows as unknown[] };
    },
  });

  return {
    boss,
    signals,
    pollingIntervalSeconds,
    async sendInTransaction(trx, jobType, run) {
      const id = await boss.send(jobType, run as unknown as object, {
        id: run.runId,
        singletonKey: run.projectId,
        db: inTransaction(trx),
      });
      if (!id) throw new QueueConflictError(jobType, run.projectId);
      await signals.notifyInTransaction(trx, { kind: 'enqueued', jobType });
    },
    async handBackInTransaction(trx, jobType, runId, reason) {
      await boss.fail(jobType, runId, { message: reason }, { db: inTransaction(trx) });
      const { rows } = await sql`
        update ${sql.table(`${QUEUE_SCHEMA}.job`)} set start_after = now()
        where name = ${jobType} and id = ${runId}::uuid and state = 'retry'
        returning id
      `.execute(trx);
      if (rows.length === 0) return false;
      await signals.notifyInTransaction(trx, { kind: 'enqueued', jobType });
      return true;
    },
    announce({ enqueued = [], finished = [] }) {
      for (const jobType of new Set(enqueued)) signals.emit({ kind: 'enqueued', jobType });
      for (const runId of finished) signals.emit({ kind: 'finished', runId });
    },
    async depth() {
      return queueDepth(database.db);
    },
    async stop(stopOptions = {}) {
      await boss.stop({
        graceful: stopOptions.graceful ?? true,
        timeout: stopOptions.timeoutMs ?? 30_000,
        wait: true,
      });
    },
  };
}

/** Straight from pg-boss's table (not its API) so one query answers for every job type. */
export async function queueDepth(db: Kysely<DB>): Promise<Record<JobType, number>> {
  const depth = Object.fromEntries(JOB_TYPES.map((t) => [t, 0])) as Record<JobType, number>;
  const { rows: exists } = await sql<{ present: boolean }>`
    select to_regclass(${`${QUEUE_SCHEMA}.job`}) is not null as present
  `.execute(db);
  if (!exists[0]?.present) return depth;
  const { rows } = await sql<{ name: string; waiting: number }>`
    select name, count(*)::int as waiting from ${sql.table(`${QUEUE_SCHEMA}.job`)}
    where state in ('created', 'retry') group by name
  `.execute(db);
  for (const row of rows) {
    if (row.name in depth) depth[row.name as JobType] = row.waiting;
  }
  return depth;
}
