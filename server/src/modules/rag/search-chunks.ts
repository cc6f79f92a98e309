import { sql, type RawBuilder } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { toVectorLiteral, type EmbeddingProvider } from './embeddings/provider.js';
import { anyTermQuery, HEADLINE_OPTIONS } from './index-evidence.js';
import { inScope } from './sql.js';

export interface SearchFilters {
  /** Messages created at or after this instant (ISO 8601). */
  from?: string;
  /** Messages created before this instant (ISO 8601). */
  to?: string;
  conversation_global_id?: string;
  contact_global_id?: string;
  /** Chatwoot's sender type, e.g. `Contact`, `User`, `AgentBot`. */
  sender_type?: string;
}

export type SearchMode = 'hybrid' | 'vector' | 'text';

export interface SearchHit {
  chunk_id: string;
  message_global_id: string;
  conversation_global_id: string;
  contact_global_id: string | null;
  contact_name: string | null;
  sender_type: string | null;
  message_created_at: string | null;
  /** The chunk's text around the matches, matched terms between `[[` and `]]`. */
  snippet: string;
  scores: { vector: number | null; text: number | null; fused: number };
  /** The conversation in Chatwoot; null only when the project has no Chatwoot source bound. */
  deep_link: string | null;
  evidence: {
    source: 'rag_chunks';
    ref: string;
    snippet: string;
    meta: { message_global_id: string; conversation_global_id: string };
  };
}

export interface SearchResult {
  hits: SearchHit[];
  /** What actually ran: `text` while no chunk of the project is embedded yet. */
  mode: SearchMode;
  vector_path: 'exact' | 'hnsw' | null;
  /** Set when the vector half was skipped for a reason the caller may want to show. */
  degraded: null | 'embeddings_pending' | 'embedding_provider_unavailable';
}

export interface SearchChunksOptions {
  database: Database;
  config: Pick<Config, 'SEARCH_EXACT_THRESHOLD'>;
  scope: Scope;
  provider: EmbeddingProvider;
  query: string;
  topK?: number;
  filters?: SearchFilters;
  /** `hybrid` by default; the single methods exist for the quality harness. */
  mode?: SearchMode;
}

export const MAX_QUERY_LENGTH = 2000;
// The k of reciprocal rank fusion (Cormack et al.): 60 damps the head of each list so that
// agreement between the two lists outweighs a single list's top rank.
const RRF_K = 60;
// Each method proposes more candidates than asked, so fusion has overlap to work with.
const CANDIDATE_FACTOR = 4;
const MIN_CANDIDATES = 40;
// The HNSW search list must be at least the LIMIT to return a full page; above pgvector's 40
// default because the project filter is applied after the index scan.
const MIN_EF_SEARCH = 100;
// Most rows the text half ranks per query beyond those matching the whole query. Ranking fetches
// each pooled row's tsvector from the heap, so the pool size is the text half's latency: at 2,000
// it was most of a hybrid search's time on a 20,000-chunk project of common words (bench/search).
const TEXT_POOL_CAP = 1000;

/** Thrown for a query that is empty or too long; the route maps it to 400 naming `query`. */
export class InvalidQueryError extends Error {
  readonly field = 'query';
}

/**
 * Hybrid search over the project's chunks: cosine similarity through pgvector (HNSW with
 * iterative scan for large projects, an exact scan for small ones) and Postgres full-text
 * search, fused by reciprocal rank. Every hit carries its evidence. The query is embedded before
 * any transaction opens: a provider call never holds a database session.
 */
export async function searchChunks(options: SearchChunksOptions): Promise<SearchResult> {
  const { database, scope, provider, filters = {} } = options;
  const query = options.query.trim();
  if (query.length === 0) throw new InvalidQueryError('query must not be empty');
  if (query.length > MAX_QUERY_LENGTH) {
    throw new InvalidQueryError(`query must be at most ${MAX_QUERY_LENGTH} characters`);
  }
  const topK = Math.max(1, Math.min(50, options.topK ?? 10));
  const candidates = Math.max(MIN_CANDIDATES, topK * CANDIDATE_FACTOR);
  const mode = options.mode ?? 'hybrid';

  let queryVector: string | null = null;
  let degraded: SearchResult['degraded'] = null;
  if (mode !== 'text') {
    try {
      const { vectors } = await provider.embed([query]);
      queryVector = toVectorLiteral(vectors[0]!);
    } catch {
      // Search keeps working on text alone while the provider is down.
      degraded = 'embedding_provider_unavailable';
    }
  }

  return database.withScope(scope, async (trx) => {
    const filter = filterFragment(filters);
    let vectorPath: SearchResult['vector_path'] = null;
    let vectorHits: { id: string; distance: number }[] = [];
    if (queryVector) {
      const ready = await countReadyChunks(trx, scope, options.config.SEARCH_EXACT_THRESHOLD + 1);
      if (ready === 0) {
        degraded = 'embeddings_pending';
      } else {
        vectorPath = ready > options.config.SEARCH_EXACT_THRESHOLD ? 'hnsw' : 'exact';
        if (vectorPath === 'hnsw') await enableIterativeScan(trx, candidates);
        vectorHits = await nearestChunks(trx, {
          scope,
          vector: queryVector,
          model: provider.model,
          limit: candidates,
          exact: vectorPath === 'exact',
          filter,
        });
      }
    }

    const tsquery = mode === 'vector' ? null : await anyTermQuery(trx, query);
    const textHits = tsquery
      ? await textMatches(trx, { scope, tsquery, query, limit: candidates, filter })
      : [];

    const fused = fuse(vectorHits, textHits).slice(0, topK);
    const hits = await loadEvidence(trx, scope, fused, tsquery);
    return {
      hits,
      mode: vectorPath === null ? 'text' : mode === 'vector' ? 'vector' : 'hybrid',
      vector_path: vectorPath,
      degraded,
    };
  });
}

type Trx = Parameters<Parameters<Database['withScope']>[1]>[0];

/** Counts up to `cap` ready chunks: enough to choose a path without counting a big project. */
async function countReadyChunks(trx: Trx, scope: Scope, cap: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from (
      select 1 from rag_chunks c
      where ${inScope(scope, 'c')} and c.embedding_status = 'ready'
      limit ${cap}
    ) s
  `.execute(trx);
  return rows[0]?.n ?? 0;
}

let iterativeScanSupported: boolean | undefined;

/**
 * The project filter is applied after the HNSW scan, so a plain scan returns ef_search nearest
 * rows of any project and keeps few of them. pgvector 0.8's iterative scan continues until the
 * LIMIT is filled (relaxed order: results are re-sorted afterwards). Both SET LOCAL: the embedded
 * database is one session shared by every connection.
 */
export async function enableIterativeScan(trx: Trx, limit: number): Promise<void> {
  if (iterativeScanSupported === undefined) {
    const { rows } = await sql<{ supported: boolean }>`
      select exists (
        select 1 from pg_extension where extname = 'vector'
          and string_to_array(extversion, '.')::int[] >= array[0, 8, 0]
      ) as supported
    `.execute(trx);
    iterativeScanSupported = rows[0]?.supported ?? false;
  }
  await sql`select set_config('hnsw.ef_search', ${String(Math.max(MIN_EF_SEARCH, limit))}, true)`.execute(
    trx,
  );
  if (iterativeScanSupported) {
    await sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true)`.execute(trx);
  }
}

interface NearestOptions {
  scope: Scope;
  vector: string;
  model: string;
  limit: number;
  /** Exact: an order-by expression the index cannot serve, so every project row is compared. */
  exact: boolean;
  filter: RawBuilder<boolean>;
}

export function nearestChunksQuery(o: NearestOptions) {
  const distance = sql`c.embedding <=> ${o.vector}::vector`;
  // `+ 0` hides the operator from the planner: small projects read their own rows (partial index
  // on ready chunks) and sort them, which is exact and, under the threshold, as fast.
  const order = o.exact ? sql`(${distance}) + 0` : distance;
  // Materialized so the relaxed order of an iterative scan is re-sorted by true distance.
  return sql<{ id: string; distance: number }>`
    with candidates as materialized (
      select c.id, (${distance})::float8 as distance
      from rag_chunks c
      where ${inScope(o.scope, 'c')} and c.embedding_status = 'ready'
        and c.embedding_model = ${o.model} and ${o.filter}
      order by ${order}
      limit ${o.limit}
    )
    select id, distance from candidates order by distance, id
  `;
}

async function nearestChunks(trx: Trx, o: NearestOptions) {
  const { rows } = await nearestChunksQuery(o).execute(trx);
  return rows;
}

async function textMatches(
  trx: Trx,
  o: { scope: Scope; tsquery: string; query: string; limit: number; filter: RawBuilder<boolean> },
): Promise<TextHit[]> {
  // Ordered by how many of the query's terms a row holds (coverage), then whether it matches the
  // whole query as written (all terms, quoted phrases, -exclusions: websearch syntax), then
  // ts_rank. Coverage also weighs the row's vote in fusion: one shared word of five is weak
  // evidence, and a typo-ridden query should lean on the vector half.
  //
  // Ranking reads every candidate's tsvector, so the pool is bounded: all rows matching the whole
  // query (selective: the GIN index intersects the terms) plus at most TEXT_POOL_CAP rows matching
  // any term. A query made of words found in most of a big project would otherwise rank the
  // whole project on every search; what the cap can cost is only partial matches of such words.
  const terms = o.tsquery.split(' | ');
  const { rows } = await sql<TextHit>`
    with q as (
      select ${o.tsquery}::tsquery as any_term, websearch_to_tsquery('russian', ${o.query}) as whole
    ),
    pool as (
      (select c.id from rag_chunks c, q
        where ${inScope(o.scope, 'c')} and c.search_tsv @@ q.whole and ${o.filter}
        limit ${TEXT_POOL_CAP})
      union
      (select c.id from rag_chunks c, q
        where ${inScope(o.scope, 'c')} and c.search_tsv @@ q.any_term and ${o.filter}
        limit ${TEXT_POOL_CAP})
    )
    select id, coverage, (coverage + whole + rank)::float8 as rank
    from (
      select c.id,
        (select count(*) from unnest(${terms}::text[]) t where c.search_tsv @@ t::tsquery)::float8
          / ${terms.length} as coverage,
        case when c.search_tsv @@ q.whole then 1 else 0 end as whole,
        ts_rank(c.search_tsv, q.any_term, 1) as rank
      from pool join rag_chunks c on c.id = pool.id, q
      where ${inScope(o.scope, 'c')}
    ) scored
    order by 3 desc, id
    limit ${o.limit}
  `.execute(trx);
  return rows;
}

interface TextHit {
  id: string;
  /** Share of the query's terms found in the row, 0..1. */
  coverage: number;
  rank: number;
}

function filterFragment(filters: SearchFilters): RawBuilder<boolean> {
  const onChunk: RawBuilder<unknown>[] = [];
  const onMessage: RawBuilder<unknown>[] = [];
  if (filters.conversation_global_id) {
    onChunk.push(sql`c.conversation_global_id = ${filters.conversation_global_id}`);
  }
  if (filters.from) onMessage.push(sql`m.source_created_at >= ${filters.from}::timestamptz`);
  if (filters.to) onMessage.push(sql`m.source_created_at < ${filters.to}::timestamptz`);
  if (filters.sender_type) onMessage.push(sql`m.sender_type = ${filters.sender_type}`);
  if (filters.contact_global_id) {
    onMessage.push(sql`m.contact_global_id = ${filters.contact_global_id}`);
  }
  if (onMessage.length > 0) {
    onChunk.push(sql`exists (
      select 1 from cw_messages m
      where m.project_id = c.project_id and m.id = c.message_global_id
        and ${sql.join(onMessage, sql` and `)})`);
  }
  return onChunk.length > 0 ? sql<boolean>`(${sql.join(onChunk, sql` and `)})` : sql<boolean>`true`;
}

/**
 * Competition ranks ("1224") of scores sorted best first. Equal scores say nothing about order:
 * ts_rank often ties (one short matched word each), and an arbitrary order among ties would hand
 * one of them a fused lead that neither method gave it.
 */
function sharedRanks(sortedScores: number[]): number[] {
  const ranks: number[] = [];
  sortedScores.forEach((score, i) => {
    ranks.push(i > 0 && score === sortedScores[i - 1] ? ranks[i - 1]! : i + 1);
  });
  return ranks;
}

interface Fused {
  id: string;
  vector: number | null;
  text: number | null;
  fused: number;
}

/** Reciprocal rank fusion: each list adds 1 / (k + rank), a text row weighted by its coverage. */
export function fuse(vectorHits: { id: string; distance: number }[], textHits: TextHit[]): Fused[] {
  const byId = new Map<string, Fused>();
  const entry = (id: string) => {
    let e = byId.get(id);
    if (!e) byId.set(id, (e = { id, vector: null, text: null, fused: 0 }));
    return e;
  };
  const vectorRanks = sharedRanks(vectorHits.map((h) => -h.distance));
  vectorHits.forEach((hit, i) => {
    const e = entry(hit.id);
    e.vector = 1 - hit.distance;
    e.fused += 1 / (RRF_K + vectorRanks[i]!);
  });
  const textRanks = sharedRanks(textHits.map((h) => h.rank));
  textHits.forEach((hit, i) => {
    const e = entry(hit.id);
    e.text = hit.rank;
    e.fused += hit.coverage / (RRF_K + textRanks[i]!);
  });
  // Equal fused scores are common (rank 1 + rank 2 against rank 2 + rank 1, equal up to float
  // rounding): the closer vector decides, then the stronger text match, then the id.
  return [...byId.values()].sort(
    (a, b) =>
      (Math.abs(b.fused - a.fused) > 1e-12 ? b.fused - a.fused : 0) ||
      (b.vector ?? -2) - (a.vector ?? -2) ||
      (b.text ?? -1) - (a.text ?? -1) ||
      (a.id < b.id ? -1 : 1),
  );
}

async function loadEvidence(
  trx: Trx,
  scope: Scope,
  fused: Fused[],
  tsquery: string | null,
): Promise<SearchHit[]> {
  if (fused.length === 0) return [];
  const snippet = tsquery
    ? sql<string>`ts_headline('russian', c.text, ${tsquery}::tsquery, ${HEADLINE_OPTIONS})`
    : sql<string>`left(c.text, 240)`;
  const { rows } = await sql<{
    chunk_id: string;
    message_global_id: string;
    conversation_global_id: string;
    contact_global_id: string | null;
    contact_name: string | null;
    sender_type: string | null;
    message_created_at: Date | null;
    snippet: string;
    account_id: number;
    conversation_id: number;
    base_url: string | null;
  }>`
    select c.id as chunk_id, c.message_global_id, c.conversation_global_id,
      coalesce(m.contact_global_id, cv.contact_global_id) as contact_global_id,
      ct.name as contact_name, m.sender_type, m.source_created_at as message_created_at,
      ${snippet} as snippet, m.account_id, cv.conversation_id, ps.base_url
    from rag_chunks c
    join cw_messages m on m.project_id = c.project_id and m.id = c.message_global_id
    join cw_conversations cv on cv.project_id = c.project_id and cv.id = c.conversation_global_id
    left join cw_contacts ct
      on ct.project_id = c.project_id and ct.id = coalesce(m.contact_global_id, cv.contact_global_id)
    left join project_sources ps
      on ps.project_id = c.project_id and ps.source_kind = 'chatwoot_account'
    where ${inScope(scope, 'c')} and c.id = any(${fused.map((f) => f.id)}::uuid[])
  `.execute(trx);
  const byId = new Map(rows.map((r) => [r.chunk_id, r]));
  return fused.flatMap((f) => {
    const r = byId.get(f.id);
    if (!r) return [];
    const deepLink = r.base_url
      ? `${r.base_url.replace(/\/+$/, '')}/app/accounts/${r.account_id}/conversations/${r.conversation_id}`
      : null;
    return [
      {
        chunk_id: r.chunk_id,
        message_global_id: r.message_global_id,
        conversation_global_id: r.conversation_global_id,
        contact_global_id: r.contact_global_id,
        contact_name: r.contact_name,
        sender_type: r.sender_type,
        message_created_at: r.message_created_at
          ? new Date(r.message_created_at).toISOString()
          : null,
        snippet: r.snippet,
        scores: { vector: f.vector, text: f.text, fused: f.fused },
        deep_link: deepLink,
        evidence: {
          source: 'rag_chunks' as const,
          ref: r.chunk_id,
          snippet: r.snippet,
          meta: {
            message_global_id: r.message_global_id,
            conversation_global_id: r.conversation_global_id,
          },
        },
      },
    ];
  });
}
