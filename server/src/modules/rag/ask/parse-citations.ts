/**
 * Citation markers in a sentence: `[3]`, `[2, 5]`, `[1][4]`, and ids in brackets (`[<chunk
 * uuid>]`, `[cwmsg:…]`) which some models copy from the evidence header instead of its number.
 * A bracket counts as a marker only when every part of it looks like a reference (digits, or an
 * id holding a digit), so "[sic]" or "[см. выше]" stay text.
 */
export interface CitationRef {
  /** The bracket as written, e.g. "[2, 5]"; one per part, so a bracket may yield several refs. */
  marker: string;
  /** What one part names: an evidence number or an id. */
  kind: 'number' | 'id';
  value: string;
}

const BRACKET = /\[([^\][\n]{1,200})\]/gu;
const PART_SEPARATOR = /\s*[,;]\s*|\s+/u;
const NUMBER_PART = /^#?(\d{1,4})$/u;
// An id as the evidence header prints them: a uuid, or `prefix:…` global ids.
const ID_PART = /^(?=[^\s]*\d)[\p{L}\p{N}][\p{L}\p{N}:._-]{2,160}$/u;

export function parseCitations(sentence: string): { refs: CitationRef[]; text: string } {
  const refs: CitationRef[] = [];
  const text = sentence.replace(BRACKET, (whole, inner: string) => {
    const parts = inner.trim().split(PART_SEPARATOR).filter(Boolean);
    if (parts.length === 0) return whole;
    const parsed: CitationRef[] = [];
    for (const part of parts) {
      const number = NUMBER_PART.exec(part);
      if (number) parsed.push({ marker: whole, kind: 'number', value: String(Number(number[1])) });
      else if (ID_PART.test(part)) parsed.push({ marker: whole, kind: 'id', value: part });
      else return whole;
    }
    refs.push(...parsed);
    return '';
  });
  return { refs, text: tidy(text) };
}

/** The sentence without markers: no doubled spaces, no space left before punctuation. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]{2,}/gu, ' ')
    .replace(/\s+([.,;:!?…])/gu, '$1')
    .trim();
}
