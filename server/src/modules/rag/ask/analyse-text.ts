import { stemmer as englishStem } from '@orama/stemmers/english';
import { stemmer as russianStem } from '@orama/stemmers/russian';
import { stopwords as englishStopwords } from '@orama/stopwords/english';
import { stopwords as russianStopwords } from '@orama/stopwords/russian';

/**
 * What the citation check compares between a sentence and the evidence it cites: content words
 * stemmed with the Snowball stemmers of both languages (Cyrillic words by the Russian one, Latin
 * words by the English one), stop words of both removed; and the facts that must match exactly —
 * numbers (normalised, so "120 000", "120,000" and "120000" are one), months and weekdays
 * (language-neutral keys, so "15 января" never passes for "15 февраля"), and names (capitalised
 * words that do not start the sentence, compared by stem because Russian declines names).
 */
export interface TextAnalysis {
  /** Stems of the content words. */
  stems: Set<string>;
  /** Stems of every word, stop words included: what a name is looked up in. */
  allStems: Set<string>;
  /** Exact facts by key (`num:2700`, `month:1`, `weekday:4`, `name:<stem>`), with their text. */
  facts: Map<string, string>;
}

const STOPWORDS = new Set([
  ...russianStopwords,
  ...englishStopwords,
  // Words every studio message and answer is full of, which say nothing about support.
  ...'это этот эта эти также ещё еще which also would could please hi hello thanks спасибо пожалуйста здравствуйте'.split(
    ' ',
  ),
]);

const WORD = /[\p{L}\p{M}]+(?:['’-][\p{L}\p{M}]+)*/gu;
const CYRILLIC = /\p{Script=Cyrillic}/u;
// A number: digit groups joined by thin or plain spaces in threes ("120 000"), or digits with
// decimal or grouping marks ("2,700", "3.5", "15.01.2026"), or hyphenated ids ("480-52"), or a
// time ("18:00").
const NUMBER =
  /\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d.,])|\d+(?::\d{2})|\d+(?:[.,]\d+)*(?:-\d+)*/gu;

export function normaliseWord(word: string): string {
  return word.normalize('NFKC').toLowerCase().replaceAll('ё', 'е');
}

export function stemWord(word: string): string {
  const lower = normaliseWord(word);
  return CYRILLIC.test(lower) ? russianStem(lower) : englishStem(lower);
}

export function analyseText(text: string): TextAnalysis {
  const stems = new Set<string>();
  const allStems = new Set<string>();
  const facts = new Map<string, string>();
  let previousEnd = -1;
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const lower = normaliseWord(word);
    const stem = stemWord(word);
    allStems.add(stem);
    // A capital at the start of a sentence, a line or a list item says nothing about a name.
    const first = previousEnd < 0 || /[.!?…:\n]/u.test(text.slice(previousEnd, match.index));
    previousEnd = match.index + word.length;
    const date = dateKey(lower, word);
    if (date) facts.set(date, word);
    else if (!first && isName(word, lower)) facts.set(`name:${stem}`, word);
    if (!STOPWORDS.has(lower) && lower.length > 1) stems.add(stem);
  }
  for (const match of text.matchAll(NUMBER)) {
    const key = numberKey(match[0]);
    if (key) facts.set(`num:${key}`, match[0]);
  }
  return { stems, allStems, facts };
}

/**
 * The number as one canonical string: spaces and grouping marks removed, a decimal comma made a
 * point. A comma or point followed by exactly three digits (and no more) groups thousands in
 * English ("2,700"); otherwise it is a decimal mark ("2,5", "3.5"). Dates and ids keep their
 * separators ("15.01.2026", "480-52").
 */
export function numberKey(raw: string): string {
  const compact = raw.replace(/[ \u00a0\u202f]/gu, '');
  if (/^\d+(?:[.,]\d{3})+$/u.test(compact) && /,/u.test(compact)) {
    return stripZeros(compact.replaceAll(',', ''));
  }
  if (/^\d+[.,]\d+$/u.test(compact)) return stripZeros(compact.replace(',', '.'));
  return stripZeros(compact);
}

function stripZeros(value: string): string {
  return /^\d+$/u.test(value) ? value.replace(/^0+(?=\d)/u, '') : value;
}

const MONTHS: [RegExp, number][] = [
  [/^(январ\p{L}*|january|jan)$/u, 1],
  [/^(феврал\p{L}*|february|feb)$/u, 2],
  [/^(март[аеу]?|march|mar)$/u, 3],
  [/^(апрел\p{L}*|april|apr)$/u, 4],
  [/^(ма[йяею]|мае)$/u, 5],
  [/^(июн[ьяею]|june|jun)$/u, 6],
  [/^(июл[ьяею]|july|jul)$/u, 7],
  [/^(август[аеу]?|august|aug)$/u, 8],
  [/^(сентябр\p{L}*|september|sept|sep)$/u, 9],
  [/^(октябр\p{L}*|october|oct)$/u, 10],
  [/^(ноябр\p{L}*|november|nov)$/u, 11],
  [/^(декабр\p{L}*|december|dec)$/u, 12],
];
const WEEKDAYS: [RegExp, number][] = [
  [/^(понедельник\p{L}*|monday|mon)$/u, 1],
  [/^(вторник\p{L}*|tuesday|tue)$/u, 2],
  [/^(сред[аеуы]|wednesday|wed)$/u, 3],
  [/^(четверг\p{L}*|thursday|thu)$/u, 4],
  [/^(пятниц\p{L}*|friday|fri)$/u, 5],
  [/^(суббот\p{L}*|saturday|sat)$/u, 6],
  [/^(воскресень\p{L}*|sunday|sun)$/u, 7],
];

function dateKey(lower: string, word: string): string | null {
  // "may", "mar", "sat", "sun" are English words too: short forms count only when capitalised.
  if (/^[a-z]{3,4}$/u.test(lower) && word[0] === lower[0]) return null;
  if (lower === 'may') return 'month:5';
  for (const [pattern, n] of MONTHS) if (pattern.test(lower)) return `month:${n}`;
  for (const [pattern, n] of WEEKDAYS) if (pattern.test(lower)) return `weekday:${n}`;
  return null;
}

function isName(word: string, lower: string): boolean {
  if (STOPWORDS.has(lower) || word.length < 2) return false;
  const firstLetter = word[0]!;
  return firstLetter !== firstLetter.toLowerCase();
}
