import type { Transaction } from 'kysely';
import type { Scope } from '../../../db/database.js';
import type { DB } from '../../../db/schema.js';
import {
  deleteRowsIn,
  storedIdsIn,
  upsertHashedRows,
  type UpsertResult,
} from '../../../db/upsert-rows.js';
import type { LinearEntityKind } from './documents.js';
import { LIN_TABLES, type LinRows } from './normalize.js';

/**
 * Writes of the Linear raw tables (db/migrations/0025_linear.sql). Every function runs inside
 * `database.withScope`, so row-level security already limits it to the project; the explicit
 * project_id conditions keep the plans on the primary keys.
 */

type Trx = Transaction<DB>;

export type { UpsertResult };

/** The kind's batched upsert (db/upsert-rows.ts): a row whose content hash is unchanged is skipped. */
export function upsertRows<K extends LinearEntityKind>(
  trx: Trx,
  scope: Scope,
  kind: K,
  rows: LinRows[K][],
): Promise<UpsertResult<LinRows[K]>> {
  return upsertHashedRows(trx, scope, LIN_TABLES[kind], rows);
}

/** Ids stored for a kind (archived included). */
export function storedIds(trx: Trx, scope: Scope, kind: LinearEntityKind): Promise<string[]> {
  return storedIdsIn(trx, scope, LIN_TABLES[kind]);
}

export function deleteRows(
  trx: Trx,
  scope: Scope,
  kind: LinearEntityKind,
  ids: string[],
): Promise<number> {
  return deleteRowsIn(trx, scope, LIN_TABLES[kind], ids);
}

export interface LinearWatermark {
  cursor: string | null;
  meta: Record<string, unknown>;
}

export async function readWatermark(
  trx: Trx,
  scope: Scope,
  source: string,
): Promise<LinearWatermark | null> {
  const row = await trx
    .selectFrom('sync_watermarks')
    .select(['cursor_id', 'meta'])
    .where('project_id', '=', scope.projectId)
    .where('source', '=', source)
    .executeTakeFirst();
  return row ? { cursor: row.cursor_id, meta: row.meta } : null;
}

/** The cursor is Linear's own ISO `updatedAt` string, kept as text so no precision is lost. */
export async function writeWatermark(
  trx: Trx,
  scope: Scope,
  source: string,
  watermark: LinearWatermark,
): Promise<void> {
  await trx
    .insertInto('sync_watermarks')
    .values({
      project_id: scope.projectId,
      account_scope_id: scope.accountScopeId,
      source,
      cursor_ts: watermark.cursor,
      cursor_id: watermark.cursor,
      meta: JSON.stringify(watermark.meta),
    })
    .onConflict((oc) =>
      oc.columns(['project_id', 'source']).doUpdateSet({
        cursor_ts: watermark.cursor,
        cursor_id: watermark.cursor,
        meta: JSON.stringify(watermark.meta),
      }),
    )
    .execute();
}
