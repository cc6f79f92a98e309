import type { AskBody, AskEvidence } from '@cairn/contract';
import { sql } from 'kysely';
import type { Config } from '../../../config.js';
import type { Database, Scope } from '../../../db/database.js';
import type { EmbeddingProvider } from '../embeddings/provider.js';
import { searchChunks, type SearchHit, type SearchMode } from '../search-chunks.js';
import { inScope } from '../../../db/scoped-sql.js';
import { analyseText } from './analyse-text.js';

/** A retrieved chunk with its whole text, in search order (best first), not yet numbered. */
export type RankedEvidence = Omit<AskEvidence, 'n'>;

// Candidates asked of the search beyond the evidence slots, for the word-for-word duplicates that
// are dropped before the slots are filled (the model path may trim further to its token budget).
// Few on purpose: the search's cost has a step past about 16 hits (64 candidates in each half;
// docs/benchmarks.md, "Figures behind choices in the code").
const CANDIDATE_SLACK = 4;
const SEARCH_LIMIT = 50;

/**
 * The project's evidence for a question: the hybrid search (search-chunks.ts) with more
 * candidates than a search page, the chunks' whole text read under row-level security, and
 * word-for-word duplicates dropped (the better-ranked copy is kept). Only the caller's project is
 * ever read: the search and the text both run in `scope`.
 */
export async function retrieveEvidence(options: {
  database: Database;
  config: Pick<Config, 'SEARCH_EXACT_THRESHOLD'>;
  scope: Scope;
  provider: EmbeddingProvider;
  body: Pick<AskBody, 'question' | 'source' | 'since' | 'until'>;
  maxEvidence: number;
}): Promise<RankedEvidence[]> {
  const { database, scope, body } = options;
  // Chatwoot is the only source with chunks today; another source has no evidence yet.
  if (body.source && body.source !== 'chatwoot') return [];
  const search = (query: string, topK: number, mode: SearchMode = 'hybrid') =>
    searchChunks({
      database,
      config: options.config,
      scope,
      provider: options.provider,
      query,
      topK,
      mode,
      filters: { from: body.since, to: body.until },
    }).then((r) => r.hits);
  // An identifier in the question (an invoice number, an amount) names the message that holds
  // the answer better than any wording: the chunks holding every one of them, as phrases, come
  // first. The question's own search would rank them among every message sharing its common
  // words ("счёт", "invoice"). Full text only: an identifier has no meaning to embed.
  const identifiers = identifiersOf(body.question);
  const [exact, similar] = await Promise.all([
    identifiers.size > 0
      ? search(
          [...identifiers.values()].map((id) => `"${id}"`).join(' '),
          options.maxEvidence,
          'text',
        )
      : Promise.resolve([]),
    search(body.question, askCandidates(options.maxEvidence)),
  ]);
  const hits = [...exact, ...similar];
  if (hits.length === 0) return [];
  const texts = await database.withScope(scope, async (trx) => {
    const { rows } = await sql<{ id: string; text: string }>`
      select c.id, c.text from rag_chunks c
      where ${inScope(scope, 'c')} and c.id = any(${hits.map((h) => h.chunk_id)}::uuid[])
    `.execute(trx);
    return new Map(rows.map((r) => [r.id, r.text]));
  });
  // The full-text search also returns rows holding part of an identifier ("480" of "480-52"):
  // only those holding all of them go first; the rest keep their place among the question's.
  const ordered = [
    ...exact.filter((h) => holdsAll(texts.get(h.chunk_id) ?? '', identifiers)),
    ...similar,
  ];
  const seen = new Set<string>();
  const ranked: RankedEvidence[] = [];
  for (const hit of ordered) {
    const quote = texts.get(hit.chunk_id);
    if (quote === undefined) continue;
    const key = quote.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
    if (seen.has(key)) continue;
    seen.add(key);
    ranked.push(toEvidence(hit, quote));
    if (ranked.length === options.maxEvidence) break;
  }
  return ranked;
}

/**
 * Numbers of three digits or more in the question ("480-52", "95 000", "2,700"), by their
 * normalised key (analyse-text.ts), each with how it was written.
 */
function identifiersOf(question: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, written] of analyseText(question).facts) {
    if (key.startsWith('num:') && written.replace(/\D/gu, '').length >= 3) found.set(key, written);
  }
  return found;
}

function holdsAll(text: string, identifiers: Map<string, string>): boolean {
  const facts = analyseText(text).facts;
  return [...identifiers.keys()].every((key) => facts.has(key));
}

/** How many hits Ask asks of the search for `maxEvidence` slots (capped by the search's 50). */
export function askCandidates(maxEvidence: number): number {
  return Math.min(SEARCH_LIMIT, maxEvidence + CANDIDATE_SLACK);
}

function toEvidence(hit: SearchHit, quote: string): RankedEvidence {
  return {
    chunk_id: hit.chunk_id,
    message_global_id: hit.message_global_id,
    conversation_global_id: hit.conversation_global_id,
    contact_name: hit.contact_name,
    sender_type: hit.sender_type,
    message_created_at: hit.message_created_at,
    quote,
    deep_link: hit.deep_link,
    evidence: { ...hit.evidence, snippet: hit.snippet },
  };
}

/**
 * Numbers the evidence as the answer presents it: grouped by conversation (the conversation of
 * the best-ranked item first), in time order within one, so `[1] [2] [3]` read as a thread.
 */
export function numberEvidence(ranked: RankedEvidence[]): AskEvidence[] {
  const groups = new Map<string, RankedEvidence[]>();
  for (const item of ranked) {
    const group = groups.get(item.conversation_global_id);
    if (group) group.push(item);
    else groups.set(item.conversation_global_id, [item]);
  }
  const ordered = [...groups.values()].flatMap((group) =>
    [...group].sort(
      (a, b) =>
        (a.message_created_at ?? '').localeCompare(b.message_created_at ?? '') ||
        a.message_global_id.localeCompare(b.message_global_id, 'en', { numeric: true }),
    ),
  );
  return ordered.map((item, i) => ({ n: i + 1, ...item }));
}
