import { sql, type RawBuilder } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import { inScope } from './sql.js';

// Long enough to read a message at a glance, short enough for a list of results.
const EVIDENCE_SNIPPET_CHARS = 280;

/**
 * Refreshes `evidence_items` from the project's messages: one item per message with content
 * (`source = 'cw_messages'`, `ref` = the message's global id), its `search_text` being the contact's
 * name and the message text. Only new or changed messages are written (compared by `updated_at`),
 * so calling it after every sync or embeddings run costs little. The ingestion engineer may call
 * it with `messageIds` right after upserting; the embeddings run calls it for the whole project.
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

/** Full-text search over the project's evidence items, best first; snippets marked `[[…]]`. */
export async function searchEvidence(options: {
  database: Database;
  scope: Scope;
  query: string;
  limit: number;
}): Promise<EvidenceSearchHit[]> {
  const { database, scope, query, limit } = options;
  return database.withScope(scope, async (trx) => {
    const tsquery = await anyTermQuery(trx, query);
    if (!tsquery) return [];
    const { rows } = await sql<EvidenceSearchHit>`
      select e.source, e.ref, e.meta,
             ts_headline('russian', e.search_text, ${tsquery}::tsquery, ${HEADLINE_OPTIONS}) as snippet,
             ts_rank(e.search_tsv, ${tsquery}::tsquery, 1)::float8 as rank
      from evidence_items e
      where ${inScope(scope, 'e')} and e.search_tsv @@ ${tsquery}::tsquery
      order by rank desc, e.updated_at desc, e.id
      limit ${limit}
    `.execute(trx);
    return rows;
  });
}

/**
 * Marks matches with `[[` and `]]` rather than HTML: the UI renders text only, and markers that
 * are not markup cannot become markup.
 */
export const HEADLINE_OPTIONS =
  'StartSel="[[", StopSel="]]", MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "';

/**
 * The query as "any of its terms" in the `russian` configuration, which stems Cyrillic words
 * with the Russian stemmer and Latin words with the English one, and drops both languages' stop
 * words. Any-term (OR) rather than all-terms so a paraphrase with one extra word still matches;
 * ranking puts documents matching more terms first. Null when nothing searchable is left.
 */
export async function anyTermQuery(
  trx: Parameters<Parameters<Database['withScope']>[1]>[0],
  query: string,
): Promise<string | null> {
  const { rows } = await sql<{ q: string }>`select ${anyTermSql(query)} as q`.execute(trx);
  const q = rows[0]?.q ?? '';
  return q.trim() === '' ? null : q;
}

/** The expression behind `anyTermQuery`, for callers that fold it into a statement of their own. */
export function anyTermSql(query: string): RawBuilder<string> {
  return sql<string>`replace(plainto_tsquery('russian', ${query})::text, ' & ', ' | ')`;
}
