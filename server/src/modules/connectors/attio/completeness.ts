import type { AttioCompleteness, AttioCompletenessKind } from '@cairn/contract';
import { sql } from 'kysely';
import type { Database, Scope } from '../../../db/database.js';
import { inScope } from '../../../db/scoped-sql.js';
import { notFound } from '../../../http/errors.js';
import { ATT_TABLES, type AttioEntityKind } from './normalize.js';
import { reportedWatermark } from './store.js';
import { SYNC_ORDER } from './sync-attio.js';

/**
 * Completeness of an Attio source per entity kind, as connectors/linear/completeness.ts does it
 * for Linear: what the last complete sync's listings held (sync-attio.ts keeps them in the
 * `attio:<workspace id>:reported` watermark) against what is stored now, counted live so a
 * webhook's change shows at once. Attio has no archive: a stored row is a live entity.
 */
export async function readAttioCompleteness(
  database: Database,
  scope: Scope,
  sourceId: string,
): Promise<Omit<AttioCompleteness, 'ok' | 'request_id'>> {
  return database.withScope(scope, async (trx) => {
    const { rows: sources } = await sql<{ external_id: string }>`
      select external_id from project_sources
      where ${inScope(scope)} and id = ${sourceId}::uuid and source_kind = 'attio_workspace'`.execute(
      trx,
    );
    const source = sources[0];
    if (!source) throw notFound('source');
    const { rows: marks } = await sql<{ meta: Record<string, unknown>; updated_at: Date }>`
      select meta, updated_at from sync_watermarks
      where ${inScope(scope)} and source = ${reportedWatermark(source.external_id)}`.execute(trx);
    const reported = (marks[0]?.meta['reported'] ?? null) as Partial<
      Record<AttioEntityKind, number>
    > | null;

    const kinds: AttioCompletenessKind[] = [];
    let reportedTotal = 0;
    let storedTotal = 0;
    for (const kind of SYNC_ORDER) {
      const { rows } = await sql<{ stored: number }>`
        select count(*)::integer as stored from ${sql.table(ATT_TABLES[kind])}
        where ${inScope(scope)} and workspace_id = ${source.external_id}`.execute(trx);
      const stored = rows[0]!.stored;
      const said = reported?.[kind] ?? null;
      if (said !== null) {
        reportedTotal += said;
        storedTotal += Math.min(stored, said);
      }
      kinds.push({ kind, reported: said, stored, percentage: percent(stored, said) });
    }
    return {
      source_id: sourceId,
      source_kind: 'attio_workspace' as const,
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
