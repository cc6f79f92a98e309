import type { SearchHit } from './search-chunks.js';

export interface SearchGroup {
  key: string;
  members: SearchHit[];
  size: number;
  conversation_count: number;
  similar_conversation_count: number;
}

// Two texts whose word sets (numbers folded) overlap this much are one result to a reader: the
// same template with a different name or a word added ("Invoice №12 paid, receipt attached" and
// "Invoice №13 paid — receipt attached, thanks": 5 of 6 words). Short texts one word apart stay
// apart ("Invoice is paid" / "Invoice is not paid": 3 of 4).
const NEAR_IDENTICAL_JACCARD = 0.8;

/**
 * The form two texts are compared in: Unicode-normalised, lower case, every run of digits one
 * `0` (an invoice number or an amount does not make a message different to scan), punctuation
 * and spacing folded.
 */
export function normaliseForGrouping(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\p{Nd}+/gu, '0')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Collapses identical and near-identical hits into groups, in rank order: a hit joins the first
 * earlier group whose first member it matches (same normalised text, or word overlap at or above
 * the threshold), else starts a group. Every hit stays a member with its own evidence and deep
 * link. `textOf` gives the whole chunk text (the snippet is a window that differs by match).
 * Quadratic in the hits, which are at most 150 (3 × topK).
 */
export function groupHits(
  hits: SearchHit[],
  textOf: (hit: SearchHit) => string,
  maxGroups: number,
): SearchGroup[] {
  const groups: { norm: string; words: Set<string>; members: SearchHit[] }[] = [];
  for (const hit of hits) {
    const norm = normaliseForGrouping(textOf(hit));
    const words = new Set(norm.split(' ').filter(Boolean));
    const same = groups.find(
      (g) => g.norm === norm || jaccard(g.words, words) >= NEAR_IDENTICAL_JACCARD,
    );
    if (same) same.members.push(hit);
    else if (groups.length < maxGroups) groups.push({ norm, words, members: [hit] });
  }
  return groups.map(({ members }) => ({
    key: members[0]!.chunk_id,
    members,
    size: members.length,
    conversation_count: new Set(members.map((m) => m.conversation_global_id)).size,
    similar_conversation_count: new Set(members.slice(1).map((m) => m.conversation_global_id)).size,
  }));
}
