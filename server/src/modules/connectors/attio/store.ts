import type { Transaction } from 'kysely';
import type { Scope } from '../../../db/database.js';
import type { DB } from '../../../db/schema.js';
import {
  deleteRowsIn,
  storedHashesIn,
  storedIdsIn,
  upsertHashedRows,
  type UpsertResult,
} from '../../ingest/upsert-rows.js';
import { writeWatermark } from '../../ingest/watermarks.js';
import { ATT_TABLES, type AttioEntityKind, type AttRows } from './normalize.js';

/**
 * Writes of the Attio raw tables (db/migrations/0029_attio.sql), as connectors/linear/store.ts
 * writes Linear's. Every function runs inside `database.withScope`, so row-level security already
 * limits it to the project; the explicit project_id conditions keep the plans on the primary keys.
 */

type Trx = Transaction<DB>;

export type { UpsertResult };

/** The kind's batched upsert (ingest/upsert-rows.ts): a row whose content hash is unchanged is skipped. */
export function upsertRows<K extends AttioEntityKind>(
  trx: Trx,
  scope: Scope,
  kind: K,
  rows: AttRows[K][],
): Promise<UpsertResult<AttRows[K]>> {
  return upsertHashedRows(trx, scope, ATT_TABLES[kind], rows);
}

/** The stored content hash of each of `ids` that is stored. */
export function storedHashes(
  trx: Trx,
  scope: Scope,
  kind: AttioEntityKind,
  ids: string[],
): Promise<Map<string, string>> {
  return storedHashesIn(trx, scope, ATT_TABLES[kind], ids);
}

/** Ids stored for a kind. */
export function storedIds(trx: Trx, scope: Scope, kind: AttioEntityKind): Promise<string[]> {
  return storedIdsIn(trx, scope, ATT_TABLES[kind]);
}

export function deleteRows(
  trx: Trx,
  scope: Scope,
  kind: AttioEntityKind,
  ids: string[],
): Promise<number> {
  return deleteRowsIn(trx, scope, ATT_TABLES[kind], ids);
}

/** The sync_watermarks key of a workspace's last complete listing (completeness.ts reads it). */
export const reportedWatermark = (workspaceId: string) => `attio:${workspaceId}:reported`;

/** Records per kind what a complete run's listings held; Attio has no cursor to keep. */
export function writeReported(
  trx: Trx,
  scope: Scope,
  workspaceId: string,
  reported: Partial<Record<AttioEntityKind, number>>,
): Promise<void> {
  return writeWatermark(trx, scope, reportedWatermark(workspaceId), {
    cursor_ts: null,
    cursor_id: null,
    meta: { reported },
  });
}
