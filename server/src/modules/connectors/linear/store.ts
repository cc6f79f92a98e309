import type { Transaction } from 'kysely';
import type { Scope } from '../../../db/database.js';
import type { DB } from '../../../db/schema.js';
import {
  deleteRowsIn,
  storedIdsIn,
  upsertHashedRows,
  type UpsertResult,
} from '../../ingest/upsert-rows.js';
import type { LinearEntityKind } from './documents.js';
import { LIN_TABLES, type LinRows } from './normalize.js';

/**
 * Writes of the Linear raw tables (db/migrations/0025_linear.sql). Every function runs inside
 * `database.withScope`, so row-level security already limits it to the project; the explicit
 * project_id conditions keep the plans on the primary keys.
 */

type Trx = Transaction<DB>;

export type { UpsertResult };

/** The kind's batched upsert (ingest/upsert-rows.ts): a row whose content hash is unchanged is skipped. */
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
