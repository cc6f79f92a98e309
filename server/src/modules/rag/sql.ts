import { sql, type RawBuilder } from 'kysely';
import type { Scope } from '../../db/database.js';
import { inScope } from '../../db/scoped-sql.js';

/** How many ready (embedded) chunks the project has, counting no further than `upTo`. */
export function readyChunksUpTo(scope: Scope, upTo: number): RawBuilder<number> {
  return sql<number>`(select count(*)::int from (
    select 1 from rag_chunks c
    where ${inScope(scope, 'c')} and c.embedding_status = 'ready'
    limit ${upTo}
  ) s)`;
}
