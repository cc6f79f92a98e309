import type {
  AskCitation,
  AskCitationEvent,
  AskRemovedCitation,
  AskSentence,
} from '@cairn/contract';
import { analyseText, type TextAnalysis } from './analyse-text.js';
import { parseCitations } from './parse-citations.js';
import { splitSentences, type SentenceSpan } from './split-sentences.js';

/**
 * The product's own check of every sentence of an answer against what it cites, whatever wrote
 * the answer (a model or the extractive composer). Per sentence:
 *
 * 1. Citations must name evidence that was given: a made-up `[n]` or id is removed and counted.
 * 2. Each cited item gets a support score: the share of the sentence's content stems found in the
 *    item (Snowball stems, Russian and English, stop words removed), combined with the cosine
 *    similarity of the two texts under the project's embedder. A sentence with no content word
 *    is scored by similarity alone, and without an embedder by stems alone.
 * 3. Numbers, months, weekdays and names in the sentence must each appear in some cited item (its
 *    text, author name, or the date it was written): one that appears in none makes the sentence
 *    unsupported, however high its score.
 * 4. Sentences of the evidence that address an assistant ("ignore previous instructions and …")
 *    are quoted data, not facts: they are left out of what can support anything, so an answer
 *    obeying a planted instruction gains nothing by citing it.
 *
 * A sentence is supported when some cited item, or all its cited items together, reach the
 * threshold and every exact fact is matched. docs/ask.md states the method's limits.
 */
export interface VerifiableEvidence {
  n: number;
  chunk_id: string;
  message_global_id: string;
  quote: string;
  contact_name: string | null;
  message_created_at: string | null;
}

export interface VerifierOptions {
  evidence: VerifiableEvidence[];
  /** ASK_SUPPORT_THRESHOLD. */
  threshold: number;
  /** The project's embedder; unset or failing, support is scored from stems alone. */
  embed?: (texts: string[]) => Promise<number[][]>;
}

export interface Verdict {
  sentence: AskSentence;
  /** One per citation marker part, in the order written: what the `citation` events carry. */
  citations: AskCitationEvent[];
}

// Stems carry the exactness that matters for support; similarity adds paraphrase tolerance,
// which the offline embedder (character n-grams, no synonyms) gives only in part.
const LEXICAL_WEIGHT = 0.7;

// Sentences of a message that speak to an assistant rather than about the client's work.
const INSTRUCTION_TO_ASSISTANT = new RegExp(
  [
    String.raw`\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompts?|rules|everything|above|previous)\b`,
    String.raw`\b(system prompt|you are (now )?(an? )?(ai|assistant|chatbot|language model|gpt))\b`,
    String.raw`\b(answer|reply|respond|say|tell( the user)?|state|write)\b.{0,20}\bthat\b.{0,200}\b(instead|regardless|always)\b`,
    String.raw`(^|[^\p{L}])(игнорируй|проигнорируй|не обращай внимания на|забудь)(?![\p{L}]).{0,60}(инструкци|указани|правил|промпт|всё|все)`,
    String.raw`(^|[^\p{L}])(системн\p{L}* промпт|ты (теперь )?(ии|ассистент|бот|нейросеть))`,
    String.raw`(^|[^\p{L}])(ответь|отвечай|скажи|напиши|сообщи)(?![\p{L}]).{0,30}(что|будто)`,
    String.raw`\b(assistant|ai|chatbot|gpt|llm)\b.{0,40}\b(must|should|will)\b`,
    String.raw`(ассистент|нейросеть|ии|бот)\p{L}*.{0,40}(должен|должна|обязан)`,
  ].join('|'),
  'iu',
);

export function isInstructionToAssistant(sentence: string): boolean {
  return INSTRUCTION_TO_ASSISTANT.test(sentence);
}

interface PreparedEvidence {
  item: VerifiableEvidence;
  /** The quote without sentences addressed to an assistant. */
  text: string;
  analysis: TextAnalysis;
  vector?: Promise<number[] | null>;
}

export function createVerifier(options: VerifierOptions) {
  const byNumber = new Map(options.evidence.map((item) => [String(item.n), item]));
  const byId = new Map<string, VerifiableEvidence>();
  for (const item of options.evidence) {
    byId.set(item.chunk_id.toLowerCase(), item);
    byId.set(item.message_global_id.toLowerCase(), item);
  }
  const prepared = new Map<number, PreparedEvidence>();
  let embedFailed = false;

  const prepare = (item: VerifiableEvidence): PreparedEvidence => {
    let entry = prepared.get(item.n);
    if (!entry) {
      const text = supportingText(item.quote);
      entry = { item, text, analysis: analyseEvidence(item, text) };
      prepared.set(item.n, entry);
    }
    return entry;
  };

  const embedOne = async (text: string): Promise<number[] | null> => {
    if (!options.embed || embedFailed) return null;
    try {
      return (await options.embed([text]))[0] ?? null;
    } catch {
      // The check goes on with stems alone rather than failing the answer.
      embedFailed = true;
      return null;
    }
  };

  return {
    async verify(span: SentenceSpan, index: number): Promise<Verdict> {
      const { refs, text } = parseCitations(span.text);
      const kept: PreparedEvidence[] = [];
      const removed: AskRemovedCitation[] = [];
      const events: AskCitationEvent[] = [];
      const order: (PreparedEvidence | null)[] = [];
      for (const ref of refs) {
        const item =
          ref.kind === 'number' ? byNumber.get(ref.value) : byId.get(ref.value.toLowerCase());
        if (!item) {
          removed.push({ marker: ref.marker, reason: 'not_in_evidence' });
          order.push(null);
          continue;
        }
        const entry = prepare(item);
        if (!kept.includes(entry)) kept.push(entry);
        order.push(entry);
      }

      const sentence = analyseText(text);
      const sentenceVector = kept.length > 0 ? embedOne(text) : Promise.resolve(null);
      const scores = new Map<number, number>();
      let closest: number | null = null;
      for (const entry of kept) {
        entry.vector ??= embedOne(entry.text);
        const similarity = cosine(await sentenceVector, await entry.vector);
        if (similarity !== null) closest = Math.max(closest ?? 0, similarity);
        scores.set(entry.item.n, combine(overlap(sentence, [entry.analysis]), similarity));
      }
      const best = Math.max(0, ...scores.values());
      // Several items together may hold what each holds only in part ("X paid [1], Y sent [2]").
      const together =
        kept.length > 1
          ? combine(
              overlap(
                sentence,
                kept.map((e) => e.analysis),
              ),
              closest,
            )
          : best;
      const score = round(Math.max(best, together));
      const unmatched = kept.length === 0 ? [] : unmatchedFacts(sentence, kept);

      const citations: AskCitation[] = kept.map((entry) => {
        const itemScore = round(scores.get(entry.item.n) ?? 0);
        return {
          n: entry.item.n,
          chunk_id: entry.item.chunk_id,
          score: itemScore,
          supports: itemScore >= options.threshold && unmatched.length === 0,
        };
      });
      refs.forEach((ref, i) => {
        const entry = order[i];
        const citation = entry ? citations.find((c) => c.n === entry.item.n) : undefined;
        events.push({
          sentence: index,
          marker: ref.marker,
          status: citation ? 'kept' : 'removed',
          n: citation?.n ?? null,
          chunk_id: citation?.chunk_id ?? null,
          score: citation?.score ?? null,
          supports: citation?.supports ?? false,
        });
      });

      const reason: AskSentence['reason'] =
        kept.length === 0
          ? 'no_citation'
          : unmatched.length > 0
            ? 'unmatched_facts'
            : score < options.threshold
              ? 'weak_support'
              : null;
      return {
        sentence: {
          index,
          start: span.start,
          end: span.end,
          text,
          supported: reason === null,
          score: kept.length === 0 ? 0 : score,
          reason,
          unmatched,
          citations,
          removed,
        },
        citations: events,
      };
    },
  };
}

/** The evidence as support: its quote without sentences addressed to an assistant. */
function supportingText(quote: string): string {
  return splitSentences(quote)
    .filter((s) => !isInstructionToAssistant(s.text))
    .map((s) => s.text)
    .join(' ');
}

/**
 * What an item offers: its text's stems and facts, plus its author's name and the date it was
 * written (day, month, year, weekday, UTC), which the answer was shown in the evidence header.
 */
function analyseEvidence(item: VerifiableEvidence, text: string): TextAnalysis {
  const analysis = analyseText(text);
  if (item.contact_name) {
    const author = analyseText(`— ${item.contact_name}`);
    for (const stem of author.allStems) analysis.allStems.add(stem);
    for (const [key, value] of author.facts) analysis.facts.set(key, value);
  }
  if (item.message_created_at) {
    const at = new Date(item.message_created_at);
    if (!Number.isNaN(at.getTime())) {
      analysis.facts.set(`num:${at.getUTCDate()}`, String(at.getUTCDate()));
      analysis.facts.set(`num:${at.getUTCFullYear()}`, String(at.getUTCFullYear()));
      analysis.facts.set(`month:${at.getUTCMonth() + 1}`, item.message_created_at);
      analysis.facts.set(`weekday:${at.getUTCDay() || 7}`, item.message_created_at);
    }
  }
  return analysis;
}

/**
 * Share of the sentence's terms found in the items: its content stems among their words, its
 * exact facts (numbers, dates) among their facts. Null for a sentence with neither.
 */
function overlap(sentence: TextAnalysis, items: TextAnalysis[]): number | null {
  let total = 0;
  let found = 0;
  for (const stem of sentence.stems) {
    total++;
    if (items.some((item) => item.allStems.has(stem))) found++;
  }
  for (const key of sentence.facts.keys()) {
    if (key.startsWith('name:')) continue; // a name's stem is already among the stems
    total++;
    if (items.some((item) => item.facts.has(key))) found++;
  }
  return total === 0 ? null : found / total;
}

function combine(lexical: number | null, similarity: number | null): number {
  if (lexical === null) return similarity ?? 0;
  if (similarity === null) return lexical;
  return LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * similarity;
}

/** The sentence's exact facts that no cited item holds, as written in the sentence. */
function unmatchedFacts(sentence: TextAnalysis, kept: PreparedEvidence[]): string[] {
  const missing: string[] = [];
  for (const [key, written] of sentence.facts) {
    const found = key.startsWith('name:')
      ? kept.some((e) => e.analysis.allStems.has(key.slice(5)))
      : kept.some((e) => e.analysis.facts.has(key));
    if (!found) missing.push(written);
  }
  return missing;
}

function cosine(a: number[] | null, b: number[] | null | undefined): number | null {
  if (!a || !b || a.length !== b.length) return null;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  if (na === 0 || nb === 0) return null;
  return Math.max(0, dot / Math.sqrt(na * nb));
}

const round = (x: number) => Math.round(x * 1000) / 1000;
