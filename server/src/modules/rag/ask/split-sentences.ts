/**
 * Sentences of an answer or a message, Russian and English, with their offsets.
 *
 * The boundaries come from the platform's Unicode segmentation (Intl.Segmenter, ICU's UAX #29
 * rules), which already keeps decimals ("2.5"), "№ 12" and an abbreviation followed by a
 * lower-case word ("т.е. надо", "e.g. this") inside one sentence. Two corrections are the
 * product's own and are done here: an abbreviation that never ends a sentence ("т.е.", "e.g.",
 * "Dr.", "г.", an initial) before a capitalised word does not end it either, and citation
 * markers written after the full stop ("… paid. [1] Next …") belong to the sentence before them.
 */
export interface SentenceSpan {
  /** Offsets into the text, UTF-16 code units; `text.slice(start, end)` is the sentence. */
  start: number;
  end: number;
  text: string;
}

// Abbreviations that close with a full stop but practically never close a sentence. Those that
// often do ("т.д.", "т.п.", "etc.", "руб.", "тыс.") are left out: after them a capital letter
// starts a new sentence, and ICU already joins them to a following lower-case word.
const NON_TERMINAL = new RegExp(
  '(?:^|[\\s(«"\'])(?:' +
    [
      'т\\.\\s?е',
      'т\\.\\s?к',
      'т\\.\\s?н',
      'т\\.\\s?ч',
      'e\\.g',
      'i\\.e',
      'vs',
      'cf',
      'ул',
      'им',
      'проф',
      'см',
      'стр',
      'No',
      'Nr',
      'Mr',
      'Mrs',
      'Ms',
      'Dr',
      'St',
      'approx',
      '\\p{Lu}', // an initial: "А. С. Пушкин", "J. Smith"
    ].join('|') +
    ')\\.$|(?:^|[^\\d\\s]\\s*)\\sг\\.$',
  'u',
);

// "[1]", "[2, 3]", "[1][4]" and the spaces between them at the start of a segment.
const LEADING_MARKERS = /^(?:\s*\[[^\][\n]{1,200}\])+/u;
// A segment with nothing but markers, brackets, punctuation and spaces is not a sentence.
const HAS_CONTENT = /[\p{L}\p{N}]/u;

const segmenter = new Intl.Segmenter('ru', { granularity: 'sentence' });

export function splitSentences(text: string): SentenceSpan[] {
  const raw: { start: number; end: number }[] = [];
  for (const { index, segment } of segmenter.segment(text)) {
    raw.push({ start: index, end: index + segment.length });
  }
  const merged: { start: number; end: number }[] = [];
  for (const segment of raw) {
    const previous = merged[merged.length - 1];
    if (previous) {
      const before = text.slice(previous.start, previous.end).trimEnd();
      let piece = text.slice(segment.start, segment.end);
      // Markers after the previous sentence's full stop are that sentence's citations.
      const markers = LEADING_MARKERS.exec(piece);
      if (markers) {
        previous.end = segment.start + markers[0].length;
        segment.start = previous.end;
        piece = piece.slice(markers[0].length);
      }
      if (
        NON_TERMINAL.test(before) ||
        !HAS_CONTENT.test(stripMarkers(piece)) ||
        !HAS_CONTENT.test(stripMarkers(before))
      ) {
        previous.end = segment.end;
        continue;
      }
    }
    merged.push({ ...segment });
  }
  return merged.flatMap(({ start, end }) => {
    // Trim the spaces and line breaks around the sentence.
    while (start < end && /\s/u.test(text[start]!)) start++;
    while (end > start && /\s/u.test(text[end - 1]!)) end--;
    if (end <= start || !HAS_CONTENT.test(stripMarkers(text.slice(start, end)))) return [];
    return [{ start, end, text: text.slice(start, end) }];
  });
}

/** Text without its citation markers, an unfinished one at the end included (still streaming). */
function stripMarkers(text: string): string {
  return text.replace(/\[[^\][\n]{1,200}\]/gu, '').replace(/\[[^\][\n]{0,200}$/u, '');
}

/**
 * Sentences of a text that is still being written: `push` returns those that can no longer
 * change (another sentence has started after them), `end` the rest. Offsets are into the whole
 * text. A sentence is final only once the next one has content, because markers may still follow
 * its full stop and an abbreviation may still turn out not to end it.
 */
export function createSentenceStream() {
  let text = '';
  let emitted = 0;
  return {
    push(delta: string): SentenceSpan[] {
      text += delta;
      const spans = splitSentences(text);
      const complete = spans.slice(emitted, Math.max(emitted, spans.length - 1));
      emitted += complete.length;
      return complete;
    },
    end(): SentenceSpan[] {
      const rest = splitSentences(text).slice(emitted);
      emitted += rest.length;
      return rest;
    },
    get text() {
      return text;
    },
  };
}
