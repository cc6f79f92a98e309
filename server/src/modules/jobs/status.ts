import { sql } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { inScope } from '../../db/scoped-sql.js';
import { type JobRunRow, type ScheduledJobRow } from './sql.js';

const LARGEST_TABLES = 8;
const RECENT_WATERMARKS = 10;

/**
 * The operator's view of one project: newest run per job, schedule, chunk embedding states,
 * entity counts, recent sync watermarks, and the database's size against STORAGE_BUDGET_GB.
 * Storage is database-wide (one budget for the whole installation), read on the owner connection.
 */
export async function jobStatus(database: Database, config: Config, scope: Scope) {
  const scoped = await database.withScope(scope, async (trx) => {
    const { rows: latest } = await sql<JobRunRow>`
      select distinct on (job_name) * from job_runs where ${inScope(scope)}
      order by job_name, created_at desc, id desc
    `.execute(trx);
    const { rows: scheduler } = await sql<ScheduledJobRow>`
      select * from scheduled_jobs where ${inScope(scope)} order by job_type
    `.execute(trx);
    const { rows: rag } = await sql<{ embedding_status: string; n: number }>`
      select embedding_status, count(*)::int as n from rag_chunks where ${inScope(scope)}
      group by embedding_status
    `.execute(trx);
    const {
      rows: [entities],
    } = await sql<{ contacts: number; conversations: number; messages: number; chunks: number }>`
      select
        (select count(*) from cw_contacts where ${inScope(scope)})::int as contacts,
        (select count(*) from cw_conversations where ${inScope(scope)})::int as conversations,
        (select count(*) from cw_messages where ${inScope(scope)})::int as messages,
        (select count(*) from rag_chunks where ${inScope(scope)})::int as chunks
    `.execute(trx);
    const { rows: watermarks } = await sql<{
      source: string;
      cursor_ts: Date | null;
      cursor_id: string | null;
      updated_at: Date;
    }>`
      select source, cursor_ts, cursor_id, updated_at from sync_watermarks where ${inScope(scope)}
      order by updated_at desc limit ${RECENT_WATERMARKS}
    `.execute(trx);
    return { latest, scheduler, rag, entities: entities!, watermarks };
  });

  const ragCounts = { pending: 0, processing: 0, ready: 0, failed: 0 };
  for (const row of scoped.rag) {
    if (row.embedding_status in ragCounts) {
      ragCounts[row.embedding_status as keyof typeof ragCounts] = row.n;
    }
  }
  return {
    latest: scoped.latest,
    scheduler: scoped.scheduler,
    rag_counts: ragCounts,
    entities: scoped.entities,
    watermarks: scoped.watermarks,
    storage: await storageUsage(database, config),
  };
}

export async function storageUsage(database: Database, config: Config) {
  const {
    rows: [size],
  } = await sql<{ bytes: number }>`
    select pg_database_size(current_database())::bigint as bytes
  `.execute(database.db);
  const { rows: tables } = await sql<{ table: string; bytes: number }>`
    select c.relname as table, pg_total_relation_size(c.oid)::bigint as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname = 'public'
    order by bytes desc limit ${LARGEST_TABLES}
  `.execute(database.db);
  const databaseBytes = size?.bytes ?? 0;
  const budgetBytes = Math.round(config.STORAGE_BUDGET_GB * 1024 ** 3);
  const usagePct = Math.round((databaseBytes / budgetBytes) * 10_000) / 100;
  return {
    database_bytes: databaseBytes,
    budget_bytes: budgetBytes,
    usage_pct: usagePct,
    alert_threshold_pct: config.STORAGE_ALERT_THRESHOLD_PCT,
    alert: usagePct >= config.STORAGE_ALERT_THRESHOLD_PCT,
    largest_tables: tables,
  };
}
