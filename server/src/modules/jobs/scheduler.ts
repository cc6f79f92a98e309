import { sql, type Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { inScope } from '../../db/scoped-sql.js';
import { notFound } from '../../http/errors.js';
import { recordAudit } from '../audit/service.js';
import { enqueueInTransaction } from './enqueue-run.js';
import { QueueConflictError, type JobQueue } from './queue.js';
import { type ScheduledJobRow } from './sql.js';
import type { JobType } from './types.js';

/**
 * Job types every project is scheduled for. `linear_sync` is scheduled per bound Linear source
 * instead, when it is bound (sources/linear-source.ts), and `attio_sync` likewise
 * (sources/attio-source.ts).
 */
export type ProjectJobType = Exclude<JobType, 'linear_sync' | 'attio_sync'>;

export function defaultCadences(
  config: Pick<
    Config,
    | 'JOB_CADENCE_CHATWOOT_SYNC_SECONDS'
    | 'JOB_CADENCE_EMBEDDINGS_RUN_SECONDS'
    | 'JOB_CADENCE_OUTBOUND_PROCESS_SECONDS'
    | 'JOB_CADENCE_SIGNALS_RUN_SECONDS'
  >,
): Record<ProjectJobType, number> {
  return {
    chatwoot_sync: config.JOB_CADENCE_CHATWOOT_SYNC_SECONDS,
    embeddings_run: config.JOB_CADENCE_EMBEDDINGS_RUN_SECONDS,
    outbound_process: config.JOB_CADENCE_OUTBOUND_PROCESS_SECONDS,
    signals_run: config.JOB_CADENCE_SIGNALS_RUN_SECONDS,
  };
}

/**
 * A new project's schedule: every job type, enabled, due at once (so a freshly bound source
 * syncs on the next tick). Call it inside the project's creation transaction. Idempotent.
 */
export async function createDefaultSchedules(
  trx: Kysely<DB>,
  scope: Scope,
  config: Parameters<typeof defaultCadences>[0],
): Promise<void> {
  const cadences = defaultCadences(config);
  const types = Object.keys(cadences) as ProjectJobType[];
  await sql`
    insert into scheduled_jobs (project_id, account_scope_id, job_type, cadence_seconds)
    select ${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, t.job_type, t.cadence
    from unnest(${types}::text[], ${types.map((t) => cadences[t])}::int[]) as t(job_type, cadence)
    on conflict (project_id, job_type) do nothing
  `.execute(trx);
}

export async function listSchedules(database: Database, scope: Scope): Promise<ScheduledJobRow[]> {
  return database.withScope(scope, async (trx) => {
    const { rows } = await sql<ScheduledJobRow>`
      select * from scheduled_jobs where ${inScope(scope)} order by job_type
    `.execute(trx);
    return rows;
  });
}

export async function updateSchedule(options: {
  database: Database;
  scope: Scope;
  id: string;
  patch: { cadence_seconds?: number; enabled?: boolean };
  actor: string;
  requestId?: string;
}): Promise<ScheduledJobRow> {
  const { database, scope, id, patch } = options;
  return database.withScope(scope, async (trx) => {
    const { rows: before } = await sql<ScheduledJobRow>`
      select * from scheduled_jobs where ${inScope(scope)} and id = ${id}::uuid for update
    `.execute(trx);
    if (!before[0]) throw notFound('scheduled job');
    // A shorter cadence takes effect now rather than after the old, longer wait.
    const { rows } = await sql<ScheduledJobRow>`
      update scheduled_jobs set
        cadence_seconds = coalesce(${patch.cadence_seconds ?? null}::integer, cadence_seconds),
        enabled = coalesce(${patch.enabled ?? null}::boolean, enabled),
        next_run_at = case when ${patch.cadence_seconds ?? null}::integer is null then next_run_at
          else least(next_run_at, now() + make_interval(secs => ${patch.cadence_seconds ?? 0})) end
      where ${inScope(scope)} and id = ${id}::uuid
      returning *
    `.execute(trx);
    const after = rows[0]!;
    await recordAudit(trx, {
      projectId: scope.projectId,
      accountScopeId: scope.accountScopeId,
      actor: options.actor,
      action: 'job.schedule.update',
      entityType: 'scheduled_job',
      entityId: id,
      payload: {
        job_type: after.job_type,
        before: { cadence_seconds: before[0].cadence_seconds, enabled: before[0].enabled },
        after: { cadence_seconds: after.cadence_seconds, enabled: after.enabled },
      },
      requestId: options.requestId ?? null,
    });
    return after;
  });
}

export interface WorkerRunRow {
  id: string;
  project_id: string;
  worker_id: string;
  trigger: 'timer' | 'manual';
  due: { scheduled_job_id: string; job_type: JobType }[];
  enqueued: { job_type: JobType; run_id: string }[];
  skipped: { job_type: JobType; run_id: string | null; reason: string }[];
  started_at: Date;
  finished_at: Date | null;
}

/**
 * One scheduler tick, in one owner transaction: claims due rows (`FOR UPDATE SKIP LOCKED`, so
 * concurrent ticks in other processes take disjoint rows instead of waiting or doubling up),
 * enqueues a run for each unless one is already active, advances next_run_at by the cadence,
 * and records what it did as a worker_runs row per project. With `projectId` it is the manual
 * tick of one project and always records a row; the timer's tick records rows only for projects
 * that had something due, so an idle system does not grow worker_runs every interval.
 */
export async function tick(options: {
  database: Database;
  queue: JobQueue;
  workerId: string;
  limit: number;
  trigger: 'timer' | 'manual';
  scope?: Scope;
}): Promise<WorkerRunRow[]> {
  const { database, queue, scope } = options;
  const recorded = await database.db.transaction().execute(async (trx) => {
    const startedAt = new Date();
    const { rows: due } = await sql<ScheduledJobRow>`
      select * from scheduled_jobs
      where enabled and next_run_at <= now() ${scope ? sql`and ${inScope(scope)}` : sql``}
      order by next_run_at, id
      limit ${options.limit}
      for update skip locked
    `.execute(trx);

    const byProject = new Map<string, { scope: Scope; record: WorkerRunRow }>();
    const recordFor = (row: { project_id: string; account_scope_id: string }) => {
      let entry = byProject.get(row.project_id);
      if (!entry) {
        entry = {
          scope: { projectId: row.project_id, accountScopeId: row.account_scope_id },
          record: emptyRecord(row.project_id, options.workerId, options.trigger, startedAt),
        };
        byProject.set(row.project_id, entry);
      }
      return entry.record;
    };
    if (scope) recordFor({ project_id: scope.projectId, account_scope_id: scope.accountScopeId });

    for (const row of due) {
      const record = recordFor(row);
      const rowScope = { projectId: row.project_id, accountScopeId: row.account_scope_id };
      record.due.push({ scheduled_job_id: row.id, job_type: row.job_type });
      // A savepoint per row: one project's trouble must not roll back the whole tick, or the
      // scheduler would stall for every project.
      await sql`savepoint enqueue_due`.execute(trx);
      try {
        const { run, created } = await enqueueInTransaction(trx, queue, {
          scope: rowScope,
          jobType: row.job_type,
          trigger: 'schedule',
          meta: { scheduled_job_id: row.id },
        });
        await sql`release savepoint enqueue_due`.execute(trx);
        if (created) record.enqueued.push({ job_type: row.job_type, run_id: run.id });
        else
          record.skipped.push({
            job_type: row.job_type,
            run_id: run.id,
            reason: `already ${run.status}`,
          });
      } catch (error) {
        if (!(error instanceof QueueConflictError)) throw error;
        await sql`rollback to savepoint enqueue_due`.execute(trx);
        record.skipped.push({ job_type: row.job_type, run_id: null, reason: error.message });
      }
      // From now, not from the old next_run_at: a tick after downtime runs a job once, not
      // once per missed interval.
      await sql`
        update scheduled_jobs set next_run_at = now() + make_interval(secs => cadence_seconds)
        where id = ${row.id}::uuid
      `.execute(trx);
    }

    const recorded: WorkerRunRow[] = [];
    for (const { scope: projectScope, record } of byProject.values()) {
      const { rows } = await sql<WorkerRunRow>`
        insert into worker_runs
          (project_id, account_scope_id, worker_id, trigger, due, enqueued, skipped, started_at,
           finished_at)
        values (${projectScope.projectId}, ${projectScope.accountScopeId}, ${record.worker_id},
          ${record.trigger}, ${JSON.stringify(record.due)}::jsonb,
          ${JSON.stringify(record.enqueued)}::jsonb, ${JSON.stringify(record.skipped)}::jsonb,
          ${startedAt}, clock_timestamp())
        returning id, project_id, worker_id, trigger, due, enqueued, skipped, started_at,
          finished_at
      `.execute(trx);
      recorded.push(rows[0]!);
    }
    return recorded;
  });
  // Committed: wake this process's workers (other processes' got the NOTIFY at commit).
  queue.announce({ enqueued: recorded.flatMap((r) => r.enqueued.map((e) => e.job_type)) });
  return recorded;
}

function emptyRecord(
  projectId: string,
  workerId: string,
  trigger: 'timer' | 'manual',
  startedAt: Date,
): WorkerRunRow {
  return {
    id: '',
    project_id: projectId,
    worker_id: workerId,
    trigger,
    due: [],
    enqueued: [],
    skipped: [],
    started_at: startedAt,
    finished_at: null,
  };
}
