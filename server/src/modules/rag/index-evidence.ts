import { sql } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import { inScope } from '../../db/scoped-sql.js';
import { anyTermSql, HEADLINE_OPTIONS, textMatchesQuery, wholeQuerySql } from './text-matches.js';

// Long enough to read a message at a glance, short enough for a list of results.
const EVIDENCE_SNIPPET_CHARS = 280;

/**
 * Refreshes `evidence_items` from the project's messages: one item per message with content
 * (`source = 'cw_messages'`, `ref` = the message's global id), its `search_text` being the contact's
 * name and the message text. Only new or changed messages are written (compared by `updated_at`),
 * so calling it after every sync or embeddings run costs little. Ingestion may call it with
 * `messageIds` right after upserting; the embeddings run calls it for the whole project.
 * One item per message rather than per chunk: a message is the unit a person cites.
 */
export async function indexEvidence(options: {
  database: Database;
  scope: Scope;
  messageIds?: string[];
}): Promise<{ indexed: number }> {
  const { database, scope, messageIds } = options;
  if (messageIds && messageIds.length === 0) return { indexed: 0 };
  const result = await database.withScope(scope, (trx) =>
    sql`
      insert into evidence_items (project_id, account_scope_id, source, ref, snippet, search_text, meta)
      select m.project_id, m.account_scope_id, 'cw_messages', m.id,
             left(m.content, ${EVIDENCE_SNIPPET_CHARS}),
             concat_ws(' ', ct.name, m.content),
             jsonb_build_object(
               'conversation_global_id', m.conversation_global_id,
               'contact_global_id', m.contact_global_id,
               'contact_name', ct.name,
               'sender_type', m.sender_type,
               'private', m.private,
               'message_created_at', m.source_created_at)
      from cw_messages m
      left join cw_contacts ct on ct.project_id = m.project_id and ct.id = m.contact_global_id
      left join evidence_items e
        on e.project_id = m.project_id and e.source = 'cw_messages' and e.ref = m.id
      where ${inScope(scope, 'm')}
        and m.content is not null and btrim(m.content) <> ''
        and (e.id is null or e.updated_at < m.updated_at)
        ${messageIds ? sql`and m.id = any(${messageIds}::text[])` : sql``}
      on conflict (project_id, source, ref) do update
        set snippet = excluded.snippet, search_text = excluded.search_text, meta = excluded.meta
    `.execute(trx),
  );
  return { indexed: Number(result.numAffectedRows ?? 0) };
}

export interface EvidenceSearchHit {
  source: 'cw_messages' | 'cw_conversations' | 'rag_chunks' | 'audit_events' | 'external';
  ref: string;
  snippet: string;
  meta: Record<string, unknown>;
  rank: number;
}

/**
 * Full-text search over the project's evidence items, best first; snippets marked `[[…]]`.
 *
 * Two steps, as in the chunk search (text-matches.ts): the ranked ids come from a bounded pool
 * read by the owner with the explicit scope filter, and the items themselves are read under RLS,
 * so nothing reaches the caller without passing it. Ranking every match instead was several times
 * slower for common words in a large project (docs/benchmarks.md, "Figures behind choices in the code").
 */
export async function searchEvidence(options: {
  database: Database;
  scope: Scope;
  query: string;
  limit: number;
}): Promise<EvidenceSearchHit[]> {
  const { database, scope, query, limit } = options;
  const ranked = await database.db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ any_term: string; whole: string }>`
      select ${anyTermSql(query)} as any_term, ${wholeQuerySql(query)} as whole,
        set_config('jit', 'off', true)
    `.execute(trx);
    const anyTerm = rows[0]?.any_term.trim() || null;
    if (!anyTerm) return null;
    const whole = rows[0]?.whole.trim() || null;
    const matches = await textMatchesQuery({
      table: 'evidence_items',
      scope,
      anyTerm,
      whole,
      limit,
      filter: sql`true`,
    }).execute(trx);
    return { anyTerm, hits: matches.rows };
  });
  if (!ranked || ranked.hits.length === 0) return [];
  const { rows } = await database.withScope(scope, (trx) =>
    sql<Omit<EvidenceSearchHit, 'rank'> & { id: string }>`
      select e.id, e.source, e.ref, e.meta,
        ts_headline('russian', e.search_text, ${ranked.anyTerm}::tsquery, ${HEADLINE_OPTIONS}) as snippet
      from evidence_items e
      where ${inScope(scope, 'e')} and e.id = any(${ranked.hits.map((h) => h.id)}::uuid[])
    `.execute(trx),
  );
  const byId = new Map(rows.map(({ id, ...item }) => [id, item]));
  return ranked.hits.flatMap(({ id, rank }) => {
    const item = byId.get(id);
    return item ? [{ ...item, rank }] : [];
  });
}
