import { sql, type RawBuilder } from 'kysely';
import type { Config } from '../../config.js';
import type { Database, Scope } from '../../db/database.js';
import { inScope } from '../../db/scoped-sql.js';
import type { SearchSource } from '@cairn/contract';
import { toVectorLiteral, type EmbeddingProvider } from './embeddings/provider.js';
import { readyChunksUpTo } from './sql.js';
import {
  anyTermSql,
  HEADLINE_OPTIONS,
  textMatchesQuery,
  wholeQuerySql,
  type TextHit,
} from './text-matches.js';
import { vectorIndexState } from './vector-index.js';
import { attioRecordWebUrl } from '../connectors/attio/links.js';
import { groupHits, type SearchGroup } from './group-hits.js';

export interface SearchFilters {
  /** Messages created at or after this instant (ISO 8601). */
  from?: string;
  /** Messages created before this instant (ISO 8601). */
  to?: string;
  conversation_global_id?: string;
  contact_global_id?: string;
  /** The same as `from` / `to`, the names `/ask` uses. */
  since?: string;
  until?: string;
  /** Chatwoot's sender type, e.g. `Contact`, `User`, `AgentBot`. */
  sender_type?: string;
  /** `client`: Chatwoot `Contact`; `studio`: `User` and `AgentBot`. */
  sender?: 'client' | 'studio';
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
  /**
   * The conversation in Chatwoot (null only when the project has no Chatwoot source bound), or
   * the Linear issue's or comment's `url`, or for an Attio note the `web_url` of its parent
   * record and for an Attio task that of its first linked record.
   */
  deep_link: string | null;
  source: 'chatwoot' | 'linear' | 'attio';
  evidence: {
    source: 'rag_chunks';
    ref: string;
    snippet: string;
    meta: { message_global_id: string; conversation_global_id: string };
  };
}

export interface SearchResult {
  hits: SearchHit[];
  /** Only with `group: true`: the best topK distinct results, near-identical hits collapsed. */
  groups?: SearchGroup[];
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
  /** Only hits of this source (rag_chunks.source_kind, migration 0025); every source when absent. */
  source?: SearchSource;
  /** `hybrid` by default; the single methods exist for the quality harness. */
  mode?: SearchMode;
  /** Also collapse near-identical hits into groups (group-hits.ts), for people scanning. */
  group?: boolean;
}

export const MAX_QUERY_LENGTH = 2000;
// The k of reciprocal rank fusion (Cormack et al.): 60 damps the head of each list so that
// agreement between the two lists outweighs a single list's top rank.
const RRF_K = 60;
// Each method proposes more candidates than asked, so fusion has overlap to work with.
const CANDIDATE_FACTOR = 4;
const MIN_CANDIDATES = 40;
// The HNSW search list must be at least the LIMIT to return a full page, and well above it for
// recall: with 100, two builds of the same 10,000-chunk graph gave recall@10 of 0.999 and 0.934
// (bench/search, 1,000,000 chunks). The vector half runs beside the slower text half, so the
// longer list costs the whole call little.
const MIN_EF_SEARCH = 200;
// Grouping looks this far past topK so that ten copies of one template still leave room for
// topK distinct results.
const GROUP_WINDOW_FACTOR = 3;

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

  const filter = filterFragment(filters, options.source);
  const threshold = options.config.SEARCH_EXACT_THRESHOLD;
  const runVector = async (trx: Trx): Promise<VectorHalf> => {
    if (!queryVector) return { path: null, pending: false, hits: [] };
    const { ready, indexed } = await prepareSearch(trx, { scope, countReadyUpTo: threshold + 1 });
    if (ready === 0) return { path: null, pending: true, hits: [] };
    // A large project whose graph is still being built is searched exactly meanwhile: slower,
    // never wrong.
    const path = ready > threshold && indexed ? 'hnsw' : 'exact';
    if (path === 'hnsw') await enableIterativeScan(trx, candidates);
    const hits = await nearestChunks(trx, {
      scope,
      vector: queryVector,
      model: provider.model,
      limit: candidates,
      exact: path === 'exact',
      filter,
    });
    return { path, pending: false, hits };
  };
  const runText = async (trx: Trx): Promise<TextHalf> => {
    if (mode === 'vector') return { tsquery: null, hits: [] };
    const { anyTerm, whole } = await prepareSearch(trx, { scope, query, countReadyUpTo: 0 });
    if (!anyTerm) return { tsquery: null, hits: [] };
    const { rows: hits } = await textMatchesQuery({
      table: 'rag_chunks',
      scope,
      anyTerm,
      whole,
      limit: candidates,
      filter,
    }).execute(trx);
    return { tsquery: anyTerm, hits };
  };

  // The halves are independent transactions: on a server they run at once on two connections,
  // which on an idle machine makes a search as slow as its slower half rather than both. Neither
  // waits for the other while holding its connection, so a pool of one (or the embedded database,
  // which runs one transaction at a time) simply runs them one after the other.
  //
  // The text half reads candidate ids as the owner, scoped by its explicit filter alone: under
  // row-level security Postgres will not use `@@` (not leakproof) as an index condition, and every
  // text search read all of the project's rows (migration 0010). Nothing it returns reaches the
  // caller without passing RLS: the evidence for every hit is read in a scoped transaction below.
  const [vector, text] = await Promise.all([
    database.withScope(scope, runVector),
    database.db.transaction().execute(runText),
  ]);
  if (vector.pending) degraded = 'embeddings_pending';
  const window = options.group ? topK * GROUP_WINDOW_FACTOR : topK;
  const fused = fuse(vector.hits, text.hits).slice(0, window);
  const loaded =
    fused.length === 0
      ? []
      : await database.withScope(scope, (trx) => loadEvidence(trx, scope, fused, text.tsquery));
  const hits = loaded.slice(0, topK).map(({ hit }) => hit);
  const textOf = new Map(loaded.map(({ hit, text }) => [hit, text]));
  return {
    hits,
    ...(options.group
      ? {
          groups: groupHits(
            loaded.map(({ hit }) => hit),
            (hit) => textOf.get(hit) ?? hit.snippet,
            topK,
          ),
        }
      : {}),
    mode: vector.path === null ? 'text' : mode === 'vector' ? 'vector' : 'hybrid',
    vector_path: vector.path,
    degraded,
  };
}

interface VectorHalf {
  path: SearchResult['vector_path'];
  /** No chunk of the project is embedded yet. */
  pending: boolean;
  hits: { id: string; distance: number }[];
}

interface TextHalf {
  /** The any-term tsquery, also used to mark the snippets; null when nothing was searchable. */
  tsquery: string | null;
  hits: TextHit[];
}

type Trx = Parameters<Parameters<Database['withScope']>[1]>[0];

/**
 * One round trip before each half's search: how many ready chunks the project has (up to
 * `countReadyUpTo`), whether its HNSW graph is built, the query as tsqueries (any term; the whole
 * query in websearch syntax), and two planner settings for the transaction. JIT off: it compiles
 * for a plan's estimated cost, which the HNSW scan's estimate (and enable_sort = off) inflate far
 * past the threshold; it cost far more than the search itself and saves nothing on queries this
 * short (docs/benchmarks.md, "Figures behind choices in the code").
 * Sequential scans off: every part of a search reads through an index (the project's, GIN or
 * HNSW), but for common words on a big project the planner bets that a LIMITed scan of the whole
 * table meets enough of the project's rows early; where those rows sit (and synchronized scans
 * starting mid-table) decide that bet, which made the same query's cost vary tenfold.
 */
async function prepareSearch(
  trx: Trx,
  o: { scope: Scope; query?: string; countReadyUpTo: number },
): Promise<{ ready: number; indexed: boolean; anyTerm: string | null; whole: string | null }> {
  const { rows } = await sql<{
    ready: number;
    graph: 'valid' | 'invalid' | null;
    any_term: string | null;
    whole: string | null;
  }>`
    select
      ${readyChunksUpTo(o.scope, o.countReadyUpTo)} as ready,
      ${o.countReadyUpTo > 0 ? vectorIndexState(o.scope.projectId) : sql`null`} as graph,
      ${o.query === undefined ? sql`null` : anyTermSql(o.query)} as any_term,
      ${o.query === undefined ? sql`null` : wholeQuerySql(o.query)} as whole,
      set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true)
  `.execute(trx);
  const row = rows[0]!;
  const nonEmpty = (q: string | null) => (q && q.trim() !== '' ? q : null);
  return {
    ready: row.ready,
    indexed: row.graph === 'valid',
    anyTerm: nonEmpty(row.any_term),
    whole: nonEmpty(row.whole),
  };
}

let iterativeScanSupported: boolean | undefined;

/**
 * The project's own graph (vector-index.ts) holds only its rows, but the search filters (a
 * conversation, a sender, a time range) still apply after the index scan, so a plain scan returns
 * ef_search nearest rows and may keep few of them. pgvector 0.8's iterative scan continues until
 * the LIMIT is filled (relaxed order: results are re-sorted afterwards).
 *
 * enable_sort = off: the service has already chosen this path by counting the project's ready
 * rows, and the planner must not undo it. Its estimate of a project's rows is often far off, and
 * pgvector's cost for the index grows with ef_search, so at LIMIT 40 it preferred reading and
 * sorting all the project's rows, many times slower than the index (docs/benchmarks.md, "Figures behind choices in the code"). With sorting priced out, the index is the one plan left that yields rows in order.
 * All SET LOCAL, in one statement: the embedded database is one session shared by every connection.
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
  await sql`
    select set_config('hnsw.ef_search', ${String(Math.max(MIN_EF_SEARCH, limit))}, true),
      set_config('enable_sort', 'off', true)
      ${iterativeScanSupported ? sql`, set_config('hnsw.iterative_scan', 'relaxed_order', true)` : sql``}
  `.execute(trx);
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

function filterFragment(filters: SearchFilters, source?: SearchSource): RawBuilder<boolean> {
  const onChunk: RawBuilder<unknown>[] = [];
  const onMessage: RawBuilder<unknown>[] = [];
  if (source) onChunk.push(sql`c.source_kind = ${source}`);
  if (filters.conversation_global_id) {
    onChunk.push(sql`c.conversation_global_id = ${filters.conversation_global_id}`);
  }
  const from = filters.from ?? filters.since;
  const to = filters.to ?? filters.until;
  if (from) onMessage.push(sql`m.source_created_at >= ${from}::timestamptz`);
  if (to) onMessage.push(sql`m.source_created_at < ${to}::timestamptz`);
  if (filters.sender_type) onMessage.push(sql`m.sender_type = ${filters.sender_type}`);
  if (filters.sender === 'client') onMessage.push(sql`m.sender_type = 'Contact'`);
  if (filters.sender === 'studio') onMessage.push(sql`m.sender_type in ('User', 'AgentBot')`);
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
): Promise<{ hit: SearchHit; text: string }[]> {
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
    text: string;
    account_id: number;
    conversation_id: number;
    base_url: string | null;
    source_kind: 'chatwoot' | 'linear' | 'attio';
    linear_url: string | null;
    attio_url: string | null;
  }>`
    select c.id as chunk_id, c.message_global_id, c.conversation_global_id, c.source_kind,
      coalesce(m.contact_global_id, cv.contact_global_id) as contact_global_id,
      ct.name as contact_name, m.sender_type,
      coalesce(m.source_created_at, lc.source_created_at, li.source_created_at,
        an.source_created_at, att.source_created_at) as message_created_at,
      ${snippet} as snippet, c.text, m.account_id, cv.conversation_id, ps.base_url,
      coalesce(lc.url, li.url) as linear_url,
      ${attioRecordWebUrl(
        sql.ref('c.project_id'),
        sql`coalesce(an.parent_record_id, att.linked_record_ids[1])`,
      )} as attio_url
    from rag_chunks c
    left join cw_messages m on m.project_id = c.project_id and m.id = c.cw_message_ref
    left join cw_conversations cv
      on c.source_kind = 'chatwoot'
      and cv.project_id = c.project_id and cv.id = c.conversation_global_id
    left join cw_contacts ct
      on ct.project_id = c.project_id and ct.id = coalesce(m.contact_global_id, cv.contact_global_id)
    left join project_sources ps
      on ps.project_id = c.project_id and ps.source_kind = 'chatwoot_account'
    -- Linear chunk ids are lin:<project>:<issue id> / lincmt:<project>:<comment id> (0025_linear.sql).
    left join lin_issues li on c.message_global_id like 'lin:%'
      and li.project_id = c.project_id and li.id = split_part(c.message_global_id, ':', 3)
    left join lin_comments lc on c.message_global_id like 'lincmt:%'
      and lc.project_id = c.project_id and lc.id = split_part(c.message_global_id, ':', 3)
    -- Attio chunk ids are atn:<project>:<note id> / att:<project>:<task id> (0029_attio.sql).
    left join att_notes an on c.message_global_id like 'atn:%'
      and an.project_id = c.project_id and an.id = split_part(c.message_global_id, ':', 3)
    left join att_tasks att on c.message_global_id like 'att:%'
      and att.project_id = c.project_id and att.id = split_part(c.message_global_id, ':', 3)
    where ${inScope(scope, 'c')} and c.id = any(${fused.map((f) => f.id)}::uuid[])
  `.execute(trx);
  const byId = new Map(rows.map((r) => [r.chunk_id, r]));
  return fused.flatMap((f) => {
    const r = byId.get(f.id);
    if (!r) return [];
    const deepLink =
      r.source_kind === 'linear'
        ? r.linear_url
        : r.source_kind === 'attio'
          ? r.attio_url
          : r.base_url
            ? `${r.base_url.replace(/\/+$/, '')}/app/accounts/${r.account_id}/conversations/${r.conversation_id}`
            : null;
    const hit: SearchHit = {
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
      source: r.source_kind,
      evidence: {
        source: 'rag_chunks' as const,
        ref: r.chunk_id,
        snippet: r.snippet,
        meta: {
          message_global_id: r.message_global_id,
          conversation_global_id: r.conversation_global_id,
        },
      },
    };
    return [{ hit, text: r.text }];
  });
}
