import { sql, type RawBuilder } from 'kysely';
import type { Scope } from '../../db/database.js';
import { inScope, type Executor } from '../../db/scoped-sql.js';
import type { JobProgress, JobType, RunStatus, RunTrigger } from './types.js';

/** job_runs as stored (0001 plus `attempt` from 0005). */
export interface JobRunRow {
  id: string;
  project_id: string;
  account_scope_id: string;
  job_name: JobType;
  status: RunStatus;
  trigger: RunTrigger;
  phase: string | null;
  processed: number;
  total: number | null;
  counts: Record<string, unknown>;
  error: string | null;
  meta: Record<string, unknown>;
  attempt: number;
  worker_id: string | null;
  heartbeat_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface ScheduledJobRow {
  id: string;
  project_id: string;
  account_scope_id: string;
  job_type: JobType;
  cadence_seconds: number;
  next_run_at: Date;
  enabled: boolean;
  last_status: RunStatus | 'skipped' | null;
  last_error: string | null;
  last_run_at: Date | null;
  consecutive_failures: number;
  created_at: Date;
  updated_at: Date;
}

export const ACTIVE_STATUSES: RunStatus[] = ['queued', 'running'];

export async function findActiveRun(
  db: Executor,
  scope: Scope,
  jobType: JobType,
): Promise<JobRunRow | undefined> {
  const { rows } = await sql<JobRunRow>`
    select * from job_runs
    where ${inScope(scope)} and job_name = ${jobType} and status in ('queued', 'running')
  `.execute(db);
  return rows[0];
}

/**
 * Inserts a queued run unless the project already has an active run of this job; the partial
 * unique index decides, so concurrent callers cannot both win. Returns undefined on conflict.
 */
export async function insertQueuedRun(
  db: Executor,
  input: { scope: Scope; jobType: JobType; trigger: RunTrigger; meta?: Record<string, unknown> },
): Promise<JobRunRow | undefined> {
  const { rows } = await sql<JobRunRow>`
    insert into job_runs (project_id, account_scope_id, job_name, status, trigger, meta)
    values (${input.scope.projectId}, ${input.scope.accountScopeId}, ${input.jobType}, 'queued',
            ${input.trigger}, ${JSON.stringify(input.meta ?? {})}::jsonb)
    on conflict (project_id, job_name) where status in ('queued', 'running') do nothing
    returning *
  `.execute(db);
  return rows[0];
}

export async function getRun(
  db: Executor,
  scope: Scope,
  runId: string,
): Promise<JobRunRow | undefined> {
  const { rows } = await sql<JobRunRow>`
    select * from job_runs where ${inScope(scope)} and id = ${runId}::uuid
  `.execute(db);
  return rows[0];
}

/**
 * Starts attempt N+1 of a run on this worker. A run still `queued`, or one whose previous attempt
 * died (`running` with a handed-back queue job, or `failed` by the reaper), may start; a run that
 * finished `ok` never runs again. The previous attempt, if any, is kept in meta.previous_attempts.
 */
export async function claimRun(
  db: Executor,
  input: { scope: Scope; runId: string; workerId: string },
): Promise<JobRunRow | undefined> {
  const { rows } = await sql<JobRunRow>`
    update job_runs set
      status = 'running',
      attempt = attempt + 1,
      worker_id = ${input.workerId},
      heartbeat_at = now(),
      started_at = coalesce(started_at, now()),
      finished_at = null,
      error = null,
      meta = case when attempt = 0 then meta else jsonb_set(meta, '{previous_attempts}',
        coalesce(meta->'previous_attempts', '[]'::jsonb) || jsonb_build_array(jsonb_build_object(
          'attempt', attempt, 'worker_id', worker_id, 'status', status, 'error', error,
          'heartbeat_at', heartbeat_at))) end
    where ${inScope(input.scope)} and id = ${input.runId}::uuid
      and status in ('queued', 'running', 'failed')
    returning *
  `.execute(db);
  return rows[0];
}

/** Progress and heartbeat of the current attempt; false when the attempt was taken over. */
export async function recordProgress(
  db: Executor,
  input: { scope: Scope; runId: string; attempt: number; progress: JobProgress },
): Promise<boolean> {
  const p = input.progress;
  const result = await sql`
    update job_runs set
      heartbeat_at = now(),
      phase = coalesce(${p.phase ?? null}, phase),
      processed = coalesce(${p.processed ?? null}::integer, processed),
      total = case when ${p.total !== undefined} then ${p.total ?? null}::integer else total end,
      counts = coalesce(${p.counts ? JSON.stringify(p.counts) : null}::jsonb, counts)
    where ${inScope(input.scope)} and id = ${input.runId}::uuid
      and status = 'running' and attempt = ${input.attempt}
  `.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Writes the outcome of the current attempt; false when the attempt was taken over meanwhile. */
export async function finishRun(
  db: Executor,
  input: {
    scope: Scope;
    runId: string;
    attempt: number;
    status: 'ok' | 'failed';
    counts?: Record<string, unknown>;
    error?: string | null;
  },
): Promise<JobRunRow | undefined> {
  const { rows } = await sql<JobRunRow>`
    update job_runs set
      status = ${input.status},
      counts = coalesce(${input.counts ? JSON.stringify(input.counts) : null}::jsonb, counts),
      error = ${input.error ?? null},
      phase = case when ${input.status} = 'ok' then 'done' else phase end,
      heartbeat_at = now(),
      finished_at = now()
    where ${inScope(input.scope)} and id = ${input.runId}::uuid
      and status = 'running' and attempt = ${input.attempt}
    returning *
  `.execute(db);
  return rows[0];
}

/**
 * Feeds a finished run back into its schedule: success clears the failure streak; failure grows
 * it. A first failure brings the next run within a minute: most failures pass (a dropped
 * connection, a 5xx that outlasted the client's own retries), and a sync should not wait a whole
 * cadence for one. From the second in a row next_run_at is pushed out exponentially, so a broken
 * job (revoked token, Chatwoot down) stops hammering the source while its last_error stays
 * visible. Every SET expression reads the row as it was: `consecutive_failures` is the streak
 * before this run.
 */
export async function recordScheduleOutcome(
  db: Executor,
  input: { scope: Scope; jobType: JobType; status: 'ok' | 'failed'; error?: string | null },
): Promise<void> {
  const failed = input.status === 'failed';
  await sql`
    update scheduled_jobs set
      last_status = ${input.status},
      last_error = ${failed ? (input.error ?? 'failed') : null},
      last_run_at = now(),
      consecutive_failures = case when ${failed} then consecutive_failures + 1 else 0 end,
      next_run_at = case
        when not ${failed} then next_run_at
        when consecutive_failures = 0 then least(next_run_at,
          now() + make_interval(secs => least(cadence_seconds, ${FIRST_RETRY_SECONDS})))
        else greatest(next_run_at, now() + make_interval(secs => ${backoffSql()})) end
    where ${inScope(input.scope)} and job_type = ${input.jobType}
  `.execute(db);
}

const FIRST_RETRY_SECONDS = 60;
// From the second failure in a row (n, of which the row holds n - 1): the cadence doubled n - 1
// times, capped at six hours or the cadence itself if that is longer: a daily job never runs
// more often than it would have, and an hourly one that keeps failing is still retried four
// times a day.
const MAX_BACKOFF_SECONDS = 6 * 3600;
function backoffSql(): RawBuilder<number> {
  return sql<number>`least(cadence_seconds * power(2, least(consecutive_failures, 16)),
    greatest(cadence_seconds, ${MAX_BACKOFF_SECONDS}))`;
}

export async function markScheduleStatus(
  db: Executor,
  input: { scope: Scope; jobType: JobType; status: 'queued' | 'running' },
): Promise<void> {
  await sql`
    update scheduled_jobs set last_status = ${input.status}
    where ${inScope(input.scope)} and job_type = ${input.jobType}
  `.execute(db);
}
