import type { FastifyBaseLogger } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { QUEUE_SCHEMA, type JobQueue } from './queue.js';
import { recordScheduleOutcome } from './sql.js';
import type { JobType } from './types.js';
import { ownerIsGone } from './worker-identity.js';

/**
 * A running run counts as dead after this long without a heartbeat (10 s apart by default): six
 * missed beats, so a long GC pause or a slow database does not hand a live run to another worker.
 */
export const DEFAULT_STALE_AFTER_SECONDS = 60;

export interface DeadRun {
  id: string;
  project_id: string;
  account_scope_id: string;
  job_name: JobType;
  attempt: number;
  worker_id: string | null;
  heartbeat_at: Date | null;
  stale: boolean;
}

export interface ReapedRun extends DeadRun {
  error: string;
  outcome: 'requeued' | 'failed';
}

/**
 * Running runs whose owner is gone: a heartbeat older than `staleAfterSeconds`, or an owner that
 * was a process of this host and is no longer running (a server killed with -9 and started again
 * must not wait a minute for its own previous life's runs). Few rows are running at any time, so
 * the owner check runs here rather than in SQL.
 */
export async function findDeadRuns(
  db: Kysely<DB>,
  options: { staleAfterSeconds: number; runId?: string },
): Promise<DeadRun[]> {
  const { rows } = await sql<DeadRun>`
    select id, project_id, account_scope_id, job_name, attempt, worker_id, heartbeat_at,
      coalesce(heartbeat_at < now() - make_interval(secs => ${options.staleAfterSeconds}), true) as stale
    from job_runs
    where status = 'running' ${options.runId ? sql`and id = ${options.runId}::uuid` : sql``}
  `.execute(db);
  return rows.filter((run) => run.stale || ownerIsGone(run.worker_id));
}

/**
 * Inside `trx`: hands a dead run back. Its queue job is failed, and while the queue has retries
 * left it is delivered again at once (not after the retry backoff: the owner is known dead) and
 * the run goes back to `queued`, so whoever waits on it keeps waiting for the retry's outcome
 * instead of reading a failure that is about to be retried. With no retries left the run fails
 * for good and its schedule hears of it. The update is fenced on the attempt, so a run that
 * finished or was handed back meanwhile is left alone (undefined).
 */
export async function handBackDeadRun(
  trx: Kysely<DB>,
  queue: JobQueue,
  run: DeadRun,
): Promise<ReapedRun | undefined> {
  const why = run.stale
    ? 'stopped sending heartbeats (last at %s): its process died or hung'
    : 'belonged to a process of this host that is no longer running (last heartbeat %s)';
  const { rows } = await sql<{ error: string }>`
    update job_runs set
      status = 'queued',
      phase = 'requeued: its worker is gone',
      error = format('worker %s ' || ${why} || '; the queue delivers the run again while it has retries left',
        coalesce(worker_id, '?'), to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
    where id = ${run.id}::uuid and status = 'running' and attempt = ${run.attempt}
    returning error
  `.execute(trx);
  const error = rows[0]?.error;
  if (!error) return undefined;
  if (await queue.handBackInTransaction(trx, run.job_name, run.id, error)) {
    return { ...run, error, outcome: 'requeued' };
  }
  await sql`
    update job_runs set status = 'failed', finished_at = now(), phase = null
    where id = ${run.id}::uuid and status = 'queued'
  `.execute(trx);
  await recordScheduleOutcome(trx, {
    scope: { projectId: run.project_id, accountScopeId: run.account_scope_id },
    jobType: run.job_name,
    status: 'failed',
    error,
  });
  return { ...run, error, outcome: 'failed' };
}

/**
 * Finds runs whose worker died and hands each back (see handBackDeadRun), one short owner
 * transaction per run, so one failure does not hold back the others. Every worker does this on
 * start, before it takes work, and then periodically. Cross-project by nature, so it runs on the
 * owner connection.
 */
export async function reapDeadRuns(options: {
  database: Database;
  queue: JobQueue;
  staleAfterSeconds: number;
  logger: FastifyBaseLogger;
}): Promise<ReapedRun[]> {
  const { database, queue } = options;
  const reaped: ReapedRun[] = [];
  for (const dead of await findDeadRuns(database.db, options)) {
    const run = await database.db.transaction().execute((trx) => handBackDeadRun(trx, queue, dead));
    if (!run) continue;
    reaped.push(run);
    options.logger.warn(
      { jobId: run.id, job: run.job_name, projectId: run.project_id, outcome: run.outcome },
      run.error,
    );
    queue.announce(
      run.outcome === 'requeued' ? { enqueued: [run.job_name] } : { finished: [run.id] },
    );
  }

  // A queued run whose queue job is gone (deleted by hand, or a queue wiped) would block its job
  // type for the project forever: fail it visibly instead.
  const { rows: orphaned } = await sql<{ id: string }>`
    update job_runs r set
      status = 'failed', finished_at = now(),
      error = 'its queue job no longer exists; request the run again'
    where r.status = 'queued' and r.created_at < now() - interval '5 minutes'
      and not exists (
        select 1 from ${sql.table(`${QUEUE_SCHEMA}.job`)} j
        where j.name = r.job_name and j.id = r.id and j.state < 'completed')
    returning r.id
  `.execute(database.db);
  for (const run of orphaned) {
    options.logger.warn({ jobId: run.id }, 'queued run lost its queue job; marked failed');
  }
  return reaped;
}
