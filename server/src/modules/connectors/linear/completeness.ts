import type { LinearCompleteness, LinearCompletenessKind } from '@cairn/contract';
import { sql } from 'kysely';
import type { Database, Scope } from '../../../db/database.js';
import { inScope } from '../../../db/scoped-sql.js';
import { notFound } from '../../../http/errors.js';
import type { LinearEntityKind } from './documents.js';
import { LIN_TABLES } from './normalize.js';
import { SYNC_ORDER } from './sync-linear.js';

/**
 * Completeness of a Linear source per entity kind: what Linear reported at the last sync (the ids
 * its last listing saw, or what a full read saw; sync-linear.ts keeps them in the
 * `linear:<organization id>:ids` watermark) against what is stored now, counted live so a
 * webhook's change shows at once. Archived entities are stored (and counted) with `archived_at`.
 */
export async function readLinearCompleteness(
  database: Database,
  scope: Scope,
  sourceId: string,
): Promise<Omit<LinearCompleteness, 'ok' | 'request_id'>> {
  return database.withScope(scope, async (trx) => {
    const { rows: sources } = await sql<{ external_id: string }>`
      select external_id from project_sources
      where ${inScope(scope)} and id = ${sourceId}::uuid and source_kind = 'linear_workspace'`.execute(
      trx,
    );
    const source = sources[0];
    if (!source) throw notFound('source');
    const { rows: marks } = await sql<{ meta: Record<string, unknown>; updated_at: Date }>`
      select meta, updated_at from sync_watermarks
      where ${inScope(scope)} and source = ${`linear:${source.external_id}:ids`}`.execute(trx);
    const reported = (marks[0]?.meta['reported'] ?? null) as Partial<
      Record<LinearEntityKind, number>
    > | null;

    const kinds: LinearCompletenessKind[] = [];
    let reportedTotal = 0;
    let storedTotal = 0;
    for (const kind of SYNC_ORDER) {
      const { rows } = await sql<{ stored: number; archived: number }>`
        select count(*)::integer as stored, count(archived_at)::integer as archived
        from ${sql.table(LIN_TABLES[kind])}
        where ${inScope(scope)} and organization_id = ${source.external_id}`.execute(trx);
      const { stored, archived } = rows[0]!;
      const said = reported?.[kind] ?? null;
      if (said !== null) {
        reportedTotal += said;
        storedTotal += Math.min(stored, said);
      }
      kinds.push({ kind, reported: said, stored, archived, percentage: percent(stored, said) });
    }
    return {
      source_id: sourceId,
      source_kind: 'linear_workspace' as const,
      kinds,
      percentage: percent(storedTotal, reportedTotal) ?? 100,
      last_sync_at: marks[0]?.updated_at.toISOString() ?? null,
    };
  });
}

function percent(stored: number, reported: number | null): number | null {
  if (reported === null) return null;
  if (reported === 0) return 100;
  return Math.floor(Math.min(1, stored / reported) * 10_000) / 100;
}
