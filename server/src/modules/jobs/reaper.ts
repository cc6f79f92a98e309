import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { QUEUE_SCHEMA, type JobQueue } from './queue.js';
import { recordScheduleOutcome } from './sql.js';
import type { JobType } from './types.js';

interface ReapedRun {
  id: string;
  project_id: string;
  account_scope_id: string;
  job_name: JobType;
  error: string;
}

/**
 * Finds runs whose worker died: `running` with a heartbeat older than `staleAfterSeconds`. Each
 * is marked failed with the reason, and its queue job is failed too, which hands it to another
 * worker at once (pg-boss retries it) instead of waiting for the queue's own expiry. If the
 * queue has no retries left, the failure is final and goes to the schedule like any other.
 * Cross-project by nature, so it runs on the owner connection.
 */
export async function reapStaleRuns(options: {
  database: Database;
  queue: JobQueue;
  staleAfterSeconds: number;
  logger: FastifyBaseLogger;
}): Promise<ReapedRun[]> {
  const { database, queue } = options;
  const { rows: reaped } = await sql<ReapedRun>`
    update job_runs set
      status = 'failed',
      finished_at = now(),
      error = format(
        'worker %s stopped sending heartbeats (last at %s): its process died or hung; '
        'the queue delivers the run again while it has retries left',
        coalesce(worker_id, '?'), to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
    where status = 'running'
      and heartbeat_at < now() - make_interval(secs => ${options.staleAfterSeconds})
    returning id, project_id, account_scope_id, job_name, error
  `.execute(database.db);

  for (const run of reaped) {
    options.logger.warn({ jobId: run.id, job: run.job_name, projectId: run.project_id }, run.error);
    await queue.boss.fail(run.job_name, run.id, { message: run.error });
    const job = await queue.boss.getJobById(run.job_name, run.id);
    if (!job || job.state === 'failed') {
      await recordScheduleOutcome(database.db, {
        scope: { projectId: run.project_id, accountScopeId: run.account_scope_id },
        jobType: run.job_name,
        status: 'failed',
        error: run.error,
      });
    }
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
