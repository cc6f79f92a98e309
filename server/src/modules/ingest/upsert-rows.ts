import { sql, type Kysely, type Transaction } from 'kysely';
import type { Scope } from '../../db/database.js';
import type { DB } from '../../db/schema.js';

/**
 * Batched writes of a connector's raw tables (lin_* of 0025_linear.sql, att_* of 0029_attio.sql):
 * each is keyed by (project_id, id) and carries a `content_hash` and a JSON `data` column, so one
 * upsert serves them all. Every function runs inside `database.withScope`, so row-level security
 * already limits it to the project; the explicit project_id conditions keep the plans on the
 * primary keys.
 */

type Trx = Transaction<DB>;
// Kysely cannot type one query over a union of tables, so the raw tables are reached through an
// untyped view here, and only here; the connectors name the table from their own kind → table map.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (trx: Trx) => trx as unknown as Kysely<any>;

/** A raw row as a connector's normalize step builds it (project columns are added here). */
export interface HashedRow {
  id: string;
  content_hash: string;
  data: unknown;
}

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
export async function upsertHashedRows<R extends HashedRow>(
  trx: Trx,
  scope: Scope,
  table: string,
  rows: R[],
): Promise<UpsertResult<R>> {
  if (rows.length === 0) return { inserted: 0, updated: 0, written: [], insertedIds: new Set() };
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
export async function storedHashesIn(
  trx: Trx,
  scope: Scope,
  table: string,
  ids: string[],
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await untyped(trx)
    .selectFrom(table)
    .select(['id', 'content_hash'])
    .where('project_id', '=', scope.projectId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id as string, r.content_hash as string]));
}

/** Ids stored in the table for the project (archived included). */
export async function storedIdsIn(trx: Trx, scope: Scope, table: string): Promise<string[]> {
  const rows = await untyped(trx)
    .selectFrom(table)
    .select('id')
    .where('project_id', '=', scope.projectId)
    .execute();
  return rows.map((r) => r.id as string);
}

export async function deleteRowsIn(
  trx: Trx,
  scope: Scope,
  table: string,
  ids: string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await untyped(trx)
    .deleteFrom(table)
    .where('project_id', '=', scope.projectId)
    .where('id', 'in', ids)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
