import { sql, type RawBuilder } from 'kysely';
import type { Scope } from '../../db/database.js';
import { inScope } from '../../db/scoped-sql.js';

/**
 * Full-text matching shared by the chunk search (`POST /search`) and the evidence search
 * (`GET /evidence/search`): both tables carry a `search_tsv` and a `(project_id, search_tsv)` GIN
 * index (migrations 0010, 0012), and both read their candidates as the owner with the explicit
 * scope filter, because under row-level security `@@` is never an index condition. The queries
 * here return ids and scores only; callers read what they show under RLS.
 */

// Most rows ranked per query: those matching the whole query, then (only when those are too few)
// those matching some of its terms. Ranking reads each pooled row's tsvector, so the pool size is
// the latency: a pool of 1,000 ranks about ten times faster than all the items of a large project
// holding one common word (docs/benchmarks.md, "Figures behind choices in the code").
const TEXT_POOL_CAP = 1000;
const PARTIAL_POOL_CAP = 200;

export interface TextHit {
  id: string;
  /** Share of the query's terms found in the row, 0..1. */
  coverage: number;
  /** coverage + 1 for a whole-query match + ts_rank: the order of the list. */
  rank: number;
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
 * ranking puts documents matching more terms first. Empty when nothing searchable is left.
 */
export function anyTermSql(query: string): RawBuilder<string> {
  return sql<string>`replace(plainto_tsquery('russian', ${query})::text, ' & ', ' | ')`;
}

/** The whole query as written, in websearch syntax: all terms, "quoted phrases", -exclusions. */
export function wholeQuerySql(query: string): RawBuilder<string> {
  return sql<string>`websearch_to_tsquery('russian', ${query})::text`;
}

export interface TextMatchOptions {
  table: 'rag_chunks' | 'evidence_items';
  scope: Scope;
  /** From anyTermSql; rows must match it. */
  anyTerm: string;
  /** From wholeQuerySql; null when the query has no whole form. */
  whole: string | null;
  limit: number;
  /** More conditions on the row, aliased `c`. */
  filter: RawBuilder<boolean>;
}

/**
 * The project's rows matching the query, best first: ordered by how many of the query's terms a
 * row holds (coverage), then whether it matches the whole query as written, then ts_rank.
 * Coverage also weighs a chunk's vote in fusion: one shared word of five is weak evidence, and a
 * typo-ridden query should lean on the vector half.
 *
 * Ranking reads every candidate's tsvector, so the pool is bounded. Rows matching the whole query
 * come first (selective: the GIN index intersects the terms), at most TEXT_POOL_CAP. Rows matching
 * only some terms are pooled only when the whole-query rows cannot fill the list: a whole-query row
 * holds every term (coverage 1, plus 1 for the whole match) and a partial row fewer, with ts_rank
 * below 1, so partial rows rank below `limit` whole-query rows (an -excluded word aside, which
 * whole-query rows lack by definition). Partial rows are at most PARTIAL_POOL_CAP of the project's,
 * and the tsqueries go in as constants so the planner sees how common the terms are: for common
 * words it reads the project's rows until the cap is filled instead of building a bitmap of every
 * matching row (docs/benchmarks.md, "Figures behind choices in the code").
 */
export function textMatchesQuery(o: TextMatchOptions) {
  const terms = o.anyTerm.split(' | ');
  const table = sql.table(o.table);
  const anyTerm = sql`${o.anyTerm}::tsquery`;
  const whole = o.whole ? sql`c.search_tsv @@ ${o.whole}::tsquery` : sql`false`;
  return sql<TextHit>`
    with whole as materialized (
      select c.id, c.search_tsv from ${table} c
      where ${inScope(o.scope, 'c')} and ${whole} and ${o.filter}
      limit ${TEXT_POOL_CAP}
    ),
    partial as materialized (
      select c.id, c.search_tsv from ${table} c
      where ${inScope(o.scope, 'c')} and c.search_tsv @@ ${anyTerm} and not (${whole})
        and ${o.filter} and (select count(*) from whole) < ${o.limit}
      limit ${PARTIAL_POOL_CAP}
    ),
    pool as (
      select id, search_tsv, 1 as whole from whole
      union all
      select id, search_tsv, 0 from partial
    )
    select id, coverage, (coverage + whole + rank)::float8 as rank
    from (
      select p.id, p.whole,
        (select count(*) from unnest(${terms}::text[]) t where p.search_tsv @@ t::tsquery)::float8
          / ${terms.length} as coverage,
        ts_rank(p.search_tsv, ${anyTerm}, 1) as rank
      from pool p
    ) scored
    order by 3 desc, id
    limit ${o.limit}
  `;
}
