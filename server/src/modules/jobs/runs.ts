import { sql } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import { inScope } from '../../db/scoped-sql.js';
import { decodeCursor, encodeCursor, type CursorValue } from '../../http/cursor.js';
import { notFound } from '../../http/errors.js';
import type { WorkerRunRow } from './scheduler.js';
import type { JobSignals } from './signals.js';
import { getRun, type JobRunRow, type ScheduledJobRow } from './sql.js';
import type { JobType, RunStatus } from './types.js';

export const iso = <T extends Date | null>(value: T): T extends Date ? string : string | null =>
  (value === null ? null : value.toISOString()) as T extends Date ? string : string | null;

/** The API shape of a run: the row without its scope columns. */
export function toRunDto(row: JobRunRow) {
  return {
    id: row.id,
    job_name: row.job_name,
    status: row.status,
    trigger: row.trigger,
    phase: row.phase,
    processed: row.processed,
    total: row.total,
    counts: row.counts ?? {},
    error: row.error,
    meta: row.meta ?? {},
    attempt: row.attempt,
    worker_id: row.worker_id,
    heartbeat_at: iso(row.heartbeat_at),
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
export type RunDto = ReturnType<typeof toRunDto>;

export function toScheduleDto(row: ScheduledJobRow) {
  return {
    id: row.id,
    job_type: row.job_type,
    cadence_seconds: row.cadence_seconds,
    next_run_at: iso(row.next_run_at),
    enabled: row.enabled,
    last_status: row.last_status,
    last_error: row.last_error,
    last_run_at: iso(row.last_run_at),
    consecutive_failures: row.consecutive_failures,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export function toWorkerRunDto(row: WorkerRunRow) {
  return {
    id: row.id,
    worker_id: row.worker_id,
    trigger: row.trigger,
    due: row.due,
    enqueued: row.enqueued,
    skipped: row.skipped,
    started_at: iso(row.started_at),
    finished_at: iso(row.finished_at),
  };
}

export async function findRun(database: Database, scope: Scope, runId: string): Promise<JobRunRow> {
  const row = await database.withScope(scope, (trx) => getRun(trx, scope, runId));
  if (!row) throw notFound('job run');
  return row;
}

// The cursor carries created_at in whole microseconds (Postgres's precision; a JS Date would
// round to milliseconds and skip or repeat rows that share one).
interface RunCursor extends CursorValue {
  micros: string;
  id: string;
}
const validRunCursor = (c: RunCursor) =>
  /^\d{1,17}$/.test(c.micros) && /^[0-9a-f-]{36}$/.test(c.id);

export async function listRuns(
  database: Database,
  scope: Scope,
  query: { job?: JobType; status?: RunStatus; limit?: number; cursor?: string },
): Promise<{ runs: JobRunRow[]; nextCursor: string | null }> {
  const limit = query.limit ?? 50;
  const cursor = decodeCursor<RunCursor>(
    query.cursor,
    { micros: 'string', id: 'string' },
    validRunCursor,
  );
  const rows = await database.withScope(scope, async (trx) => {
    const { rows } = await sql<JobRunRow & { cursor_micros: number }>`
      select *, (extract(epoch from created_at) * 1000000)::bigint as cursor_micros
      from job_runs
      where ${inScope(scope)}
        ${query.job ? sql`and job_name = ${query.job}` : sql``}
        ${query.status ? sql`and status = ${query.status}` : sql``}
        ${
          cursor
            ? sql`and (created_at, id) < (timestamptz 'epoch' + ${cursor.micros}::bigint * interval '1 microsecond', ${cursor.id}::uuid)`
            : sql``
        }
      order by created_at desc, id desc
      limit ${limit + 1}
    `.execute(trx);
    return rows;
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor({ micros: String(last.cursor_micros), id: last.id })
      : null;
  return { runs: page, nextCursor };
}

const TERMINAL: RunStatus[] = ['ok', 'failed'];
// Only the fallback: a run's end is signalled (signals.ts), this catches a lost signal.
const WAIT_POLL_MS = 1_000;

/**
 * Waits until the run finishes or the time is up; returns the run as last seen. Woken by the run's
 * `finished` signal; the subscription is made before the first read, so a run that finishes
 * between the read and the wait is not missed.
 */
export async function waitForRun(
  database: Database,
  scope: Scope,
  runId: string,
  options: { timeoutMs: number; signal?: AbortSignal; signals?: JobSignals },
): Promise<JobRunRow> {
  const deadline = Date.now() + options.timeoutMs;
  let wake: (() => void) | undefined;
  let finished = false;
  const unsubscribe = options.signals?.on((signal) => {
    if (signal.kind === 'finished' && signal.runId === runId) {
      finished = true;
      wake?.();
    }
  });
  const onAbort = () => wake?.();
  options.signal?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      finished = false;
      const run = await findRun(database, scope, runId);
      if (TERMINAL.includes(run.status) || Date.now() >= deadline || options.signal?.aborted) {
        return run;
      }
      if (finished) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(
          resolve,
          Math.min(WAIT_POLL_MS, Math.max(0, deadline - Date.now())),
        );
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    unsubscribe?.();
    options.signal?.removeEventListener('abort', onAbort);
  }
}
