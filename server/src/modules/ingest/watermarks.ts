import { sql } from 'kysely';
import type { Scope } from '../../db/database.js';
import { inScope, type Trx } from '../../db/scoped-sql.js';

/**
 * A connector's incremental cursor (`sync_watermarks`, one row per project and `source` key):
 * read before a run lists the source, written only once the whole run succeeded.
 */

export interface Watermark {
  cursor_ts: Date | null;
  cursor_id: string | null;
  meta: { max_updated_at?: number; [key: string]: unknown };
}

export async function readWatermark(
  trx: Trx,
  scope: Scope,
  source: string,
): Promise<Watermark | null> {
  const { rows } = await sql<Watermark>`
    select cursor_ts, cursor_id, meta from sync_watermarks where ${inScope(scope)} and source = ${source}`.execute(
    trx,
  );
  return rows[0] ?? null;
}

export async function writeWatermark(
  trx: Trx,
  scope: Scope,
  source: string,
  watermark: Watermark,
): Promise<void> {
  await sql`
    insert into sync_watermarks (project_id, account_scope_id, source, cursor_ts, cursor_id, meta)
    values (${scope.projectId}::uuid, ${scope.accountScopeId}::uuid, ${source}, ${watermark.cursor_ts},
      ${watermark.cursor_id}, ${JSON.stringify(watermark.meta)}::jsonb)
    on conflict (project_id, source) do update set
      cursor_ts = excluded.cursor_ts, cursor_id = excluded.cursor_id, meta = excluded.meta`.execute(
    trx,
  );
}
