import type { AskEvidence } from '@cairn/contract';
import { analyseText, type TextAnalysis } from './analyse-text.js';
import { splitSentences } from './split-sentences.js';

// How many messages an extract quotes from, and sentences from one: enough for a fact and its context from two or three
// conversations, few enough to read at a glance.
const MAX_SENTENCES = 5;
const MAX_SENTENCES_PER_ITEM = 3;
// A sentence is quoted when it matches the question at least this well relative to the best
// one: weaker ones are the search's looser candidates, which read as noise in an answer.
const RELATIVE_FLOOR = 0.5;
// Numbers and dates of the question (an invoice number, a day) single out the message that holds
// the answer far better than its words do.
const FACT_WEIGHT = 3;

/**
 * The offline answer: the sentences of the evidence that best match the question, each quoted
 * verbatim with its citation, in the evidence's order (grouped by conversation, time order
 * within one), one paragraph per conversation. No model is involved, so nothing is invented;
 * the verifier still checks every sentence like any other answer.
 */
export function composeExtractive(
  question: string,
  evidence: AskEvidence[],
): { text: string; messages: number } {
  if (evidence.length === 0) return { text: '', messages: 0 };
  const q = analyseText(question);
  const candidates = evidence.flatMap((item, rank) =>
    splitSentences(item.quote).map((sentence) => {
      const analysis = analyseText(sentence.text);
      return {
        item,
        rank,
        text: sentence.text.replace(/\s+/gu, ' '),
        score: match(q, analysis),
        facts: analysis.facts,
      };
    }),
  );
  // The best sentence of each item first; another of the same item only after every item had
  // its turn, so one long message does not crowd out the others.
  const bestPerItem = new Map<number, (typeof candidates)[number]>();
  for (const c of candidates) {
    const best = bestPerItem.get(c.item.n);
    if (!best || c.score > best.score) bestPerItem.set(c.item.n, c);
  }
  const top = Math.max(...candidates.map((c) => c.score));
  // A question naming an identifier or a date is about the messages holding it: when some do,
  // the others (the same words about another invoice) are left out.
  const facts = [...q.facts.keys()].filter((key) => !key.startsWith('name:'));
  const holdsFact = (item: AskEvidence) =>
    candidates.some((c) => c.item === item && facts.some((key) => c.facts.has(key)));
  const anchored = facts.length > 0 && evidence.some(holdsFact);
  const chosen =
    top > 0
      ? [...bestPerItem.values()]
          .filter((c) => c.score >= top * RELATIVE_FLOOR && (!anchored || holdsFact(c.item)))
          .sort((a, b) => b.score - a.score || a.item.n - b.item.n)
          .slice(0, MAX_SENTENCES)
      : // Nothing shares a word with the question (a paraphrase the vector half found): quote the
        // best-ranked item's first sentence rather than answer nothing.
        [candidates.find((c) => c.rank === 0)!];
  chosen.sort((a, b) => a.item.n - b.item.n);
  const paragraphs: string[] = [];
  let conversation: string | null = null;
  for (const c of chosen) {
    // The best sentence often names the thing asked about ("счёт №573-25 во вложении") and the
    // next one states the answer ("Оплата — в течение 5 рабочих дней"): every sentence of the
    // item that shares a word or fact with the question is quoted, in its own order.
    const quoted = candidates
      .filter((o) => o.item === c.item && (o === c || o.score > 0))
      .slice(0, MAX_SENTENCES_PER_ITEM)
      .map((o) => `${withFullStop(o.text)} [${c.item.n}]`)
      .join(' ');
    if (c.item.conversation_global_id === conversation) {
      paragraphs[paragraphs.length - 1] += ` ${quoted}`;
    } else {
      paragraphs.push(quoted);
      conversation = c.item.conversation_global_id;
    }
  }
  return {
    text: paragraphs.join('\n\n'),
    messages: new Set(chosen.map((c) => c.item.message_global_id)).size,
  };
}

/** The plain heading of an extract; `messages` is how many messages it quotes. */
export function extractiveHeading(messages: number, evidenceCount: number) {
  return {
    code: 'extractive' as const,
    text: `Extract from ${messages} message${messages === 1 ? '' : 's'} (no language model configured)`,
    evidence_count: evidenceCount,
  };
}

export function noEvidenceHeading() {
  return {
    code: 'no_evidence' as const,
    text: 'No message in this project matches the question.',
    evidence_count: 0,
  };
}

/** Share of the question's words and facts the sentence holds, facts weighted. */
function match(question: TextAnalysis, sentence: TextAnalysis): number {
  let total = 0;
  let found = 0;
  for (const stem of question.stems) {
    total++;
    if (sentence.allStems.has(stem)) found++;
  }
  for (const key of question.facts.keys()) {
    if (key.startsWith('name:')) continue;
    total += FACT_WEIGHT;
    if (sentence.facts.has(key)) found += FACT_WEIGHT;
  }
  return total === 0 ? 0 : found / total;
}

/** A quoted sentence ends with its own punctuation, so the marker after it reads as a citation. */
function withFullStop(sentence: string): string {
  return /[.!?…»"')\]]$/u.test(sentence) ? sentence : `${sentence}.`;
}
