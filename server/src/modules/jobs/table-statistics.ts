import type { FastifyBaseLogger } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';

/**
 * Planner statistics kept fresh after the work that changes tables most (runs). The embedded
 * database (PGlite) has no autovacuum at all, so its tables were never analyzed: with the
 * planner's empty-table guesses, the embeddings run's evidence refresh (rag/index-evidence.ts)
 * picked a nested loop over every message times every item and took tens of seconds for a project
 * with nothing to do, where the hash join after ANALYZE takes milliseconds (docs/benchmarks.md, "Figures behind choices in the code").
 * Server Postgres analyzes on its own, but only after autovacuum's naptime (a minute): a run
 * right after a large sync would meet the same guesses there.
 *
 * Autovacuum's own rule decides what is stale: more rows changed since the last analyze than
 * 50 + 10% of the table (autovacuum_analyze_threshold and _scale_factor defaults).
 */
export async function analyzeStaleTables(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select format('%I.%I', s.schemaname, s.relname) as name
    from pg_stat_user_tables s join pg_class c on c.oid = s.relid
    where s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
  `.execute(db);
  for (const { name } of rows) await sql`analyze ${sql.raw(name)}`.execute(db);
  return rows.map((r) => r.name);
}

/** Runs `analyzeStaleTables` after runs, one pass at a time; a request during a pass adds one more. */
export function createStatisticsKeeper(db: Kysely<DB>, logger: FastifyBaseLogger) {
  let running: Promise<void> | undefined;
  let again = false;
  const pass = async (): Promise<void> => {
    do {
      again = false;
      try {
        const analyzed = await analyzeStaleTables(db);
        if (analyzed.length > 0) logger.debug({ analyzed }, 'refreshed planner statistics');
      } catch (error) {
        logger.warn({ err: error }, 'could not refresh planner statistics');
      }
    } while (again);
  };
  return {
    request(): Promise<void> {
      if (running) {
        again = true;
        return running;
      }
      running = pass().finally(() => (running = undefined));
      return running;
    },
    /** Resolves when no pass is running (shutdown). */
    async idle(): Promise<void> {
      await running;
    },
  };
}
