import { createHash } from 'node:crypto';

/**
 * The ingest stage's text chunking, the same for every connector: which rows are searchable is
 * the connector's rule (connectors/chatwoot/chunking.ts), how their text splits is this file's.
 */

export interface Chunk {
  index: number;
  text: string;
  textHash: string;
}

// About one sentence of context carried into the next chunk, so a fact split at a boundary is
// still whole in one of the two; more would mostly embed the same words twice.
const OVERLAP_FRACTION = 0.12;

export const hashText = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Splits text into chunks of at most about `size` characters, preferring paragraph, then
 * sentence, then word boundaries, each chunk after the first starting with a short overlap of
 * the previous one. Deterministic: the same text always gives the same chunks and hashes, which
 * is what lets an unchanged message keep its embeddings.
 */
export function chunkText(text: string, size: number): Chunk[] {
  const normalized = text.replace(/\r\n?/g, '\n').trim();
  if (normalized.length === 0) return [];
  const overlap = Math.floor(size * OVERLAP_FRACTION);
  const pieces = splitIntoPieces(normalized, size - overlap - 1);
  const chunks: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const joiner = current === '' ? '' : piece.paragraphStart ? '\n\n' : ' ';
    if (current !== '' && current.length + joiner.length + piece.text.length > size) {
      chunks.push(current);
      const carried = tail(current, overlap);
      current = carried ? `${carried} ${piece.text}` : piece.text;
    } else {
      current += joiner + piece.text;
    }
  }
  if (current !== '') chunks.push(current);
  return chunks.map((chunk, index) => ({ index, text: chunk, textHash: hashText(chunk) }));
}

interface Piece {
  text: string;
  paragraphStart: boolean;
}

/** Paragraphs, split into sentences when too long, split into word runs when still too long. */
function splitIntoPieces(text: string, max: number): Piece[] {
  const pieces: Piece[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const trimmed = paragraph.trim();
    if (!trimmed) continue;
    const parts =
      trimmed.length <= max
        ? [trimmed]
        : splitSentences(trimmed).flatMap((s) => (s.length <= max ? [s] : splitWords(s, max)));
    parts.forEach((part, i) => pieces.push({ text: part, paragraphStart: i === 0 }));
  }
  return pieces;
}

function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+|\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function splitWords(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const space = rest.lastIndexOf(' ', max);
    // A single "word" longer than the limit (a URL, a base64 blob) is cut where it must be.
    const cut = space > max / 2 ? space : max;
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) out.push(rest);
  return out;
}

/** The last sentence of a chunk if it is short enough, else its last words up to `max` chars. */
function tail(text: string, max: number): string {
  if (max <= 0) return '';
  const sentences = splitSentences(text);
  const last = sentences[sentences.length - 1] ?? '';
  if (last.length <= max && last.length < text.length) return last;
  const slice = text.slice(-max);
  const space = slice.indexOf(' ');
  return (space >= 0 ? slice.slice(space + 1) : slice).trim();
}
