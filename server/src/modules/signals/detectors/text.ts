import type { EvidenceSource, Instant, SignalEvidenceRef } from './types.js';

/**
 * Text preparation shared by the detectors. A message is matched only on its own words: quoted
 * earlier messages and the signature are blanked out (replaced by spaces, newlines kept), so every
 * offset found in the prepared text is an offset into the original text too. Matching runs on a
 * lower-cased copy with `ё` folded to `е` (both one UTF-16 unit each, so offsets still hold).
 */
export interface PreparedText {
  /** The message as stored. */
  raw: string;
  /** `raw` with quotes and signature blanked. */
  own: string;
  /** `own` lower-cased, `ё` → `е`: what patterns run on. */
  norm: string;
}

/** A signature starts at a line holding only one of these closings (or "-- "). */
const SIGNATURE_LINE =
  /^(?:--|—|__+|с уважением|с наилучшими пожеланиями|всего доброго|всего наилучшего|хорошего дня|best regards|kind regards|warm regards|regards|best wishes|best|cheers|sincerely|thanks and regards|many thanks|sent from my [\w ]+|отправлено (?:с|из) [\p{L} ]+)[,.!]?\s*$/iu;

/** Headers that open a quoted earlier message; everything after them is not this message's text. */
const QUOTE_HEADERS = [
  /^on\s.{4,200}\swrote:\s*$/i,
  /^.{2,200}\s(?:написал|написала|написал\(а\)|пишет)\s*:\s*$/iu,
  /^.{0,200}<[^>\s]+@[^>\s]+>\s*(?:wrote|написал\(?а?\)?)?\s*:\s*$/iu,
  /^-{2,}\s*(?:original message|forwarded message|исходное сообщение|пересылаемое сообщение)/iu,
];
const OUTLOOK_FROM = /^(?:from|от|sent|отправлено):\s+\S/iu;

function blank(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}

function lowerSameLength(text: string): string {
  const lowered = text.toLowerCase();
  if (lowered.length === text.length) return lowered.replace(/ё/g, 'е').replace(/[’ʼ]/g, "'");
  let out = '';
  for (const ch of text) {
    const l = ch.toLowerCase();
    out += l.length === ch.length ? l : ch;
  }
  return out.replace(/ё/g, 'е').replace(/[’ʼ]/g, "'");
}

export function prepareText(raw: string): PreparedText {
  const lines = raw.split('\n');
  const out: string[] = [];
  let cut = false;
  let seenOwnText = false;
  for (const [index, line] of lines.entries()) {
    const trimmed = line.trim();
    if (!cut) {
      const next = (lines[index + 1] ?? '').trim();
      const isHeader =
        QUOTE_HEADERS.some((re) => re.test(trimmed)) ||
        // Gmail wraps a long "On …, X <x@y> wrote:" header over two lines.
        (/^on\s.*\d/i.test(trimmed) && /^(?:.*\s)?wrote:\s*$/i.test(next)) ||
        (seenOwnText &&
          OUTLOOK_FROM.test(trimmed) &&
          /^(?:sent|to|отправлено|кому|date|дата):/iu.test(next));
      // A closing counts as the signature only after some text of the message itself.
      const isSignature = seenOwnText && SIGNATURE_LINE.test(trimmed);
      if (isHeader || isSignature) cut = true;
    }
    if (cut || trimmed.startsWith('>')) {
      out.push(blank(line));
    } else {
      if (trimmed.length > 0) seenOwnText = true;
      out.push(line);
    }
  }
  const own = out.join('\n');
  return { raw, own, norm: lowerSameLength(own) };
}

export interface Sentence {
  start: number;
  end: number;
}

/**
 * Sentences of the prepared text: a break at a newline, at `!`/`?`, and at `.`/`…` followed by
 * white space and a capital letter or the end (so "15.12", "дек. 15" and "руб. за" do not break).
 */
export function sentences(own: string): Sentence[] {
  const result: Sentence[] = [];
  let start = 0;
  const push = (end: number) => {
    const segment = own.slice(start, end);
    if (segment.trim().length > 0) result.push({ start, end });
    start = end;
  };
  for (let i = 0; i < own.length; i += 1) {
    const ch = own[i]!;
    if (ch === '\n') {
      push(i);
      start = i + 1;
    } else if (ch === '!' || ch === '?') {
      let j = i;
      while (own[j + 1] === '!' || own[j + 1] === '?') j += 1;
      push(j + 1);
      i = j;
    } else if ((ch === '.' || ch === '…') && /\s/.test(own[i + 1] ?? ' ')) {
      const rest = own.slice(i + 1).trimStart();
      if (rest.length === 0 || /^[\p{Lu}\d"«(]/u.test(rest)) push(i + 1);
    }
  }
  push(own.length);
  return result;
}

/** Whether the sentence ends with a question mark (a question is not a promise or a deadline). */
export function isQuestion(own: string, sentence: Sentence): boolean {
  return own.slice(sentence.start, sentence.end).trimEnd().endsWith('?');
}

/**
 * A pattern as a global, Unicode regex whose ends are word boundaries. JavaScript's `\b` knows
 * only ASCII letters, so Cyrillic needs lookarounds on `\p{L}`.
 */
export function wordRegex(source: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${source})(?![\\p{L}\\p{N}_])`, 'giu');
}

export interface Match {
  start: number;
  end: number;
  text: string;
}

export function findAll(re: RegExp, text: string, from = 0, to = text.length): Match[] {
  const found: Match[] = [];
  re.lastIndex = from;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index >= to) break;
    if (m[0].length === 0) {
      re.lastIndex += 1;
      continue;
    }
    if (m.index + m[0].length <= to) {
      found.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
    }
  }
  return found;
}

export function findFirst(re: RegExp, text: string, from = 0, to = text.length): Match | null {
  return findAll(re, text, from, to)[0] ?? null;
}

/** Longest snippet stored; a longer message is cited by a window around the match. */
const SNIPPET_MAX = 600;
const WINDOW_BEFORE = 240;

/** An evidence ref citing `text`, with the matched span as offsets into the snippet. */
export function evidenceRef(options: {
  source: EvidenceSource;
  ref: string;
  text: string;
  match?: { start: number; end: number } | null;
  at?: Instant;
}): SignalEvidenceRef {
  const { text, match } = options;
  let from = 0;
  let to = text.length;
  if (text.length > SNIPPET_MAX) {
    from = match ? Math.max(0, match.start - WINDOW_BEFORE) : 0;
    to = Math.min(text.length, from + SNIPPET_MAX);
    if (match && match.end > to) to = Math.min(text.length, match.end);
  }
  const prefix = from > 0 ? '…' : '';
  const suffix = to < text.length ? '…' : '';
  const snippet = prefix + text.slice(from, to) + suffix;
  const meta: SignalEvidenceRef['meta'] = {};
  if (match) meta.match = [match.start - from + prefix.length, match.end - from + prefix.length];
  if (options.at) meta.at = options.at;
  return { source: options.source, ref: options.ref, snippet, meta };
}

/** A one-line excerpt for titles: the matched sentence, trimmed to `max` characters. */
export function excerpt(text: string, max = 90): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}
