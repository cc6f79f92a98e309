import { sql } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import { readyChunksUpTo } from './sql.js';

/**
 * One HNSW graph per large project: a partial index `where project_id = '<id>' and
 * embedding_status = 'ready'`. Only ready rows, because every status change is an update that
 * writes a new row version, and a graph holding rows of any status took each claim and each
 * requeue as another insert into the graph (markedly slower re-embedding; docs/benchmarks.md, "Figures behind choices in the code").
 *
 * Every search is scoped to one project, so a single graph over all projects only makes each
 * search wade through other projects' neighbours: the project filter applies after the index
 * scan, and a project holding 20% of the chunks discarded four rows for each one it kept
 * (docs/benchmarks.md, "Figures behind choices in the code"). A project's own graph holds only its rows, so the scan stops after the rows it asked
 * for. Small projects have no graph: an exact scan of their rows is as fast and always exact.
 *
 * The index is built after a backfill rather than during it (pgvector writes far slower into a
 * graph), by the embeddings job once the project has more than `SEARCH_EXACT_THRESHOLD`
 * ready chunks; until then search takes the exact path, which is correct, only slower.
 */
export function vectorIndexName(projectId: string): string {
  // Interpolated into DDL below: only a canonical UUID gets that far.
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(projectId)) {
    throw new Error(`not a project id: ${projectId}`);
  }
  return `rag_chunks_hnsw_${projectId.replace(/-/g, '').toLowerCase()}`;
}

/**
 * The SQL for the state of the project's graph: `valid`, `invalid` (what a failed concurrent
 * build leaves behind: unusable, to be dropped) or null when there is none. Readable by the app
 * role: the catalogs are public.
 */
export function vectorIndexState(projectId: string) {
  return sql<'valid' | 'invalid' | null>`(
    select case when i.indisvalid then 'valid' else 'invalid' end
    from pg_class c join pg_index i on i.indexrelid = c.oid
    where c.relname = ${vectorIndexName(projectId)}
  )`;
}

export type VectorIndexOutcome = 'exists' | 'built' | 'too_small' | 'busy';

export interface EnsureVectorIndexOptions {
  database: Database;
  scope: Scope;
  /** Build only above this many ready chunks: SEARCH_EXACT_THRESHOLD. */
  minReady: number;
  /**
   * maintenance_work_mem for the build (default 1 GB): a graph that spills to disk builds several
   * times slower, and pgvector allocates only what the graph needs up to this bound.
   */
  maintenanceWorkMem?: string;
}

// pgvector's defaults: recall@10 >= 0.95 with iterative scan in bench/search, and a larger graph
// slows every later write.
const GRAPH_OPTIONS = 'with (m = 16, ef_construction = 64)';

/**
 * Builds the project's graph if it is large enough and has none. On server Postgres the build is
 * CONCURRENTLY (writes and searches go on meanwhile) on a connection of its own, and an advisory
 * lock keeps two workers from building the same graph: the second returns `busy` at once. The
 * embedded database is one session, so it builds in place and the lock is moot.
 */
export async function ensureProjectVectorIndex(
  options: EnsureVectorIndexOptions,
): Promise<VectorIndexOutcome> {
  const { database, scope, minReady, maintenanceWorkMem = '1GB' } = options;
  const name = vectorIndexName(scope.projectId);
  const client = await database.pool.connect();
  const query = (text: string, values: unknown[] = []) => client.query(text, values);
  let locked = false;
  try {
    const { rows: lock } = await query(
      'select pg_try_advisory_lock(hashtextextended($1, 0)) as locked',
      [name],
    );
    locked = lock[0].locked === true;
    if (!locked) return 'busy';

    const { rows: graph } = await sql<{ state: 'valid' | 'invalid' | null }>`
      select ${vectorIndexState(scope.projectId)} as state
    `.execute(database.db);
    if (graph[0]?.state === 'valid') return 'exists';
    const concurrently = database.embedded ? '' : 'concurrently';
    if (graph[0]?.state === 'invalid') await query(`drop index ${concurrently} if exists ${name}`);

    const { rows: count } = await sql<{ ready: number }>`
      select ${readyChunksUpTo(scope, minReady + 1)} as ready
    `.execute(database.db);
    if ((count[0]?.ready ?? 0) <= minReady) return 'too_small';

    if (!database.embedded) {
      await query(`select set_config('maintenance_work_mem', $1, false)`, [maintenanceWorkMem]);
    }
    await query(
      `create index ${concurrently} if not exists ${name} on rag_chunks
       using hnsw (embedding vector_cosine_ops) ${GRAPH_OPTIONS}
       where project_id = '${scope.projectId}'::uuid and embedding_status = 'ready'`,
    );
    return 'built';
  } finally {
    if (locked) {
      await query('select pg_advisory_unlock(hashtextextended($1, 0))', [name]).catch(() => {});
    }
    if (!database.embedded) await query('reset maintenance_work_mem').catch(() => {});
    client.release();
  }
}
