import { sql, type RawBuilder } from 'kysely';
import type { Scope } from '../../db/database.js';

/**
 * The one scope filter of this module: both project and account scope, on the given table alias.
 * Row-level security already limits a scoped transaction to the project; this is the first wall,
 * and it lets the planner use the (project_id, ...) indexes.
 */
export function inScope(scope: Scope, alias?: string): RawBuilder<boolean> {
  const column = (name: string) => sql.ref(alias ? `${alias}.${name}` : name);
  return sql<boolean>`(${column('project_id')} = ${scope.projectId}::uuid and ${column('account_scope_id')} = ${scope.accountScopeId}::uuid)`;
}

/** How many ready (embedded) chunks the project has, counting no further than `upTo`. */
export function readyChunksUpTo(scope: Scope, upTo: number): RawBuilder<number> {
  return sql<number>`(select count(*)::int from (
    select 1 from rag_chunks c
    where ${inScope(scope, 'c')} and c.embedding_status = 'ready'
    limit ${upTo}
  ) s)`;
}
