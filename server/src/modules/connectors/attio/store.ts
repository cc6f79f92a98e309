import { sql, type Kysely, type Transaction } from 'kysely';
import type { Scope } from '../../../db/database.js';
import type { DB } from '../../../db/schema.js';
import { ATT_TABLES, type AttioEntityKind, type AttRows } from './normalize.js';

/**
 * Writes of the Attio raw tables (db/migrations/0029_attio.sql), as connectors/linear/store.ts
 * writes Linear's. Every function runs inside `database.withScope`, so row-level security already
 * limits it to the project; the explicit project_id conditions keep the plans on the primary keys.
 */

type Trx = Transaction<DB>;
// The six att_* tables share the upsert below; Kysely cannot type one query over a union of
// tables, so this module (and only it) talks to them through an untyped view.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (trx: Trx) => trx as unknown as Kysely<any>;

export interface UpsertResult<R> {
  inserted: number;
  updated: number;
  /** The rows actually written (new or changed), and which of them are new. */
  written: R[];
  insertedIds: Set<string>;
}

/**
 * Inserts new rows and updates changed ones; a row whose `content_hash` is unchanged is not
 * written at all (the `where` of the conflict branch), so a no-change re-sync writes nothing.
 */
export async function upsertRows<K extends AttioEntityKind>(
  trx: Trx,
  scope: Scope,
  kind: K,
  rows: AttRows[K][],
): Promise<UpsertResult<AttRows[K]>> {
  if (rows.length === 0) return { inserted: 0, updated: 0, written: [], insertedIds: new Set() };
  const table: string = ATT_TABLES[kind];
  const values = rows.map((row) => ({
    ...row,
    data: JSON.stringify(row.data),
    project_id: scope.projectId,
    account_scope_id: scope.accountScopeId,
  }));
  const columns = Object.keys(rows[0]!).filter((c) => c !== 'id');
  const written = await untyped(trx)
    .insertInto(table)
    .values(values)
    .onConflict((oc) =>
      oc
        .columns(['project_id', 'id'])
        .doUpdateSet(Object.fromEntries(columns.map((c) => [c, sql.ref(`excluded.${c}`)])))
        .where(
          sql.ref(`${table}.content_hash`),
          'is distinct from',
          sql.ref('excluded.content_hash'),
        ),
    )
    // xmax is 0 on a freshly inserted tuple: tells inserts from updates in one statement.
    .returning(['id', sql<boolean>`(xmax = 0)`.as('inserted')])
    .execute();
  const insertedIds = new Set(
    written.filter((r) => r.inserted === true).map((r) => r.id as string),
  );
  const writtenIds = new Set(written.map((r) => r.id as string));
  return {
    inserted: insertedIds.size,
    updated: written.length - insertedIds.size,
    written: rows.filter((r) => writtenIds.has(r.id)),
    insertedIds,
  };
}

/** The stored content hash of each of `ids` that is stored. */
export async function storedHashes(
  trx: Trx,
  scope: Scope,
  kind: AttioEntityKind,
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await untyped(trx)
    .selectFrom(ATT_TABLES[kind])
    .select(['id', 'content_hash'])
    .where('project_id', '=', scope.projectId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id as string, r.content_hash as string]));
}

/** Ids stored for a kind. */
export async function storedIds(trx: Trx, scope: Scope, kind: AttioEntityKind): Promise<string[]> {
  const rows = await untyped(trx)
    .selectFrom(ATT_TABLES[kind])
    .select('id')
    .where('project_id', '=', scope.projectId)
    .execute();
  return rows.map((r) => r.id as string);
}

export async function deleteRows(
  trx: Trx,
  scope: Scope,
  kind: AttioEntityKind,
  ids: string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await untyped(trx)
    .deleteFrom(ATT_TABLES[kind])
    .where('project_id', '=', scope.projectId)
    .where('id', 'in', ids)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The sync_watermarks key of a workspace's last complete listing (completeness.ts reads it). */
export const reportedWatermark = (workspaceId: string) => `attio:${workspaceId}:reported`;

/** Records per kind what a complete run's listings held; Attio has no cursor to keep. */
export async function writeReported(
  trx: Trx,
  scope: Scope,
  workspaceId: string,
  reported: Partial<Record<AttioEntityKind, number>>,
): Promise<void> {
  const meta = JSON.stringify({ reported });
  await trx
    .insertInto('sync_watermarks')
    .values({
      project_id: scope.projectId,
      account_scope_id: scope.accountScopeId,
      source: reportedWatermark(workspaceId),
      cursor_ts: null,
      cursor_id: null,
      meta,
    })
    .onConflict((oc) =>
      oc.columns(['project_id', 'source']).doUpdateSet({ meta, updated_at: sql`now()` }),
    )
    .execute();
}
