import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Scope } from './database.js';
import type { DB } from './schema.js';

/** A transaction of the app's database, as `Database.withScope` hands it to its callback. */
export type Trx = Transaction<DB>;
/** Anything a query can run on: the pool or a transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;

/**
 * The one scope filter, on both project and account scope and an optional table alias. Row-level
 * security already limits a scoped transaction to the project; this is the first wall, and it
 * lets the planner use the (project_id, ...) indexes.
 */
export function inScope(scope: Scope, alias?: string): RawBuilder<boolean> {
  const column = (name: string) => sql.ref(alias ? `${alias}.${name}` : name);
  return sql<boolean>`(${column('project_id')} = ${scope.projectId}::uuid and ${column('account_scope_id')} = ${scope.accountScopeId}::uuid)`;
}
