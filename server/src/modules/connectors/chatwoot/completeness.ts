import type { Completeness, CompletenessGap } from '@cairn/contract';
import { sql } from 'kysely';
import type { Database, Scope } from '../../../db/database.js';
import { inScope } from '../../../db/scoped-sql.js';
import { notFound } from '../../../http/errors.js';
import { watermarkSource } from './ids.js';

const MAX_GAPS_LISTED = 500;

/**
 * What the source reported at the last sync (ledger) against what is stored now (counted live, so
 * a webhook's message counts at once). A conversation is complete when its last fetch reached its
 * first message, nothing it listed is missing, and its newest listed message is stored.
 */
export async function readCompleteness(
  database: Database,
  scope: Scope,
  sourceId: string,
): Promise<Omit<Completeness, 'ok' | 'request_id'>> {
  return database.withScope(scope, async (trx) => {
    const { rows: sources } = await sql<{ account_id: number }>`
      select account_id from project_sources where ${inScope(scope)} and id = ${sourceId}::uuid`.execute(
      trx,
    );
    const source = sources[0];
    if (!source) throw notFound('source');
    const { rows } = await sql<{
      conversation_global_id: string;
      conversation_id: number;
      source_message_count: number | null;
      source_newest_message_id: number | null;
      fetched_complete: boolean;
      last_error: string | null;
      last_fetched_at: Date | null;
      stored_message_count: number;
      stored_newest_message_id: number | null;
    }>`
      select l.conversation_global_id, l.conversation_id, l.source_message_count, l.source_newest_message_id,
        l.fetched_complete, l.last_error, l.last_fetched_at,
        coalesce(s.n, 0) as stored_message_count, s.newest as stored_newest_message_id
      from cw_conversation_ledger l
      left join lateral (
        select count(*)::integer as n, max(m.message_id) as newest from cw_messages m
        where ${inScope(scope, 'm')} and m.conversation_global_id = l.conversation_global_id
      ) s on true
      where ${inScope(scope, 'l')} and l.account_id = ${source.account_id}`.execute(trx);
    const { rows: marks } = await sql<{ updated_at: Date }>`
      select updated_at from sync_watermarks where ${inScope(scope)} and source = ${watermarkSource(source.account_id)}`.execute(
      trx,
    );

    const gaps: CompletenessGap[] = [];
    let reported = 0;
    let stored = 0;
    for (const row of rows) {
      reported += row.source_message_count ?? 0;
      stored += row.stored_message_count;
      const missing =
        row.source_message_count === null
          ? null
          : Math.max(0, row.source_message_count - row.stored_message_count);
      const newestMissing =
        row.source_newest_message_id !== null &&
        (row.stored_newest_message_id === null ||
          row.stored_newest_message_id < row.source_newest_message_id);
      const reason = !row.fetched_complete
        ? row.last_error
          ? 'fetch_failed'
          : 'not_fetched_yet'
        : missing
          ? 'missing_messages'
          : newestMissing
            ? 'newest_message_missing'
            : null;
      if (reason) {
        gaps.push({
          conversation_global_id: row.conversation_global_id,
          conversation_id: row.conversation_id,
          source_message_count: row.source_message_count,
          stored_message_count: row.stored_message_count,
          source_newest_message_id: row.source_newest_message_id,
          stored_newest_message_id: row.stored_newest_message_id,
          missing_messages: missing,
          reason,
          last_error: row.last_error,
          last_fetched_at: row.last_fetched_at?.toISOString() ?? null,
        });
      }
    }
    gaps.sort(
      (a, b) =>
        (b.missing_messages ?? Infinity) - (a.missing_messages ?? Infinity) ||
        a.conversation_id - b.conversation_id,
    );
    const total = rows.length;
    const complete = total - gaps.length;
    return {
      source_id: sourceId,
      conversations_total: total,
      conversations_complete: complete,
      percentage: total === 0 ? 100 : Math.floor((complete / total) * 10_000) / 100,
      messages_reported: reported,
      messages_stored: stored,
      gaps: gaps.slice(0, MAX_GAPS_LISTED),
      gaps_total: gaps.length,
      last_sync_at: marks[0]?.updated_at.toISOString() ?? null,
    };
  });
}
