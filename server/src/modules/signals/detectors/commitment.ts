import { businessDayMinutes, formatLocal, workingMinutesBetween } from './calendar.js';
import {
  conversationSubject,
  earliest,
  isStudioReply,
  orderedMessages,
  startRun,
  type DetectorContext,
} from './context.js';
import { findDateMentions, type DateMention } from './dates.js';
import { fingerprint } from './fingerprint.js';
import { PROMISE, negatedBefore } from './phrases.js';
import {
  evidenceRef,
  excerpt,
  findAll,
  findFirst,
  isQuestion,
  prepareText,
  sentences,
  wordRegex,
  type PreparedText,
} from './text.js';
import type { ConversationView, DetectorRun, MessageView } from './types.js';

export const COMMITMENT_VERSION = '1';

/**
 * A later studio message that hands something over: past or present delivery verbs, "во
 * вложении", "here is/here's the", "attached". An attachment delivers on its own.
 */
const DELIVERY = wordRegex(
  [
    'отправили|отправил|отправила|отправляем|отправляю|высылаем|высылаю|выслали|выслал|выслала',
    'направляем|направляю|направили|направил|прикладываем|прикрепляем|прикрепили|прикрепил|прикрепила',
    'прилагаю|прилагаем|приложили|приложил|во вложении|в приложении|делимся|загрузили|выложили|скинули|скинул',
    'вот (?:ссылка|макеты?|презентация|файлы?|материалы|договор|сч[её]т|итогов\\p{L}*|финальн\\p{L}*|обновленн\\p{L}*|нов\\p{L}+|готов\\p{L}*|первы\\p{L}*)',
    "sent|have sent|attached|attaching|please find|enclosed|here is|here's|here are|uploaded|shared|sharing",
    'delivered|you can find',
  ].join('|'),
);

export interface Commitment {
  message: MessageView;
  prepared: PreparedText;
  ordinal: number;
  promise: { start: number; end: number };
  mention: DateMention;
}

/** The promises with a date in one studio message: one per sentence, the date nearest the verb. */
export function findCommitments(message: MessageView, ctx: DetectorContext): Commitment[] {
  const prepared = prepareText(message.text);
  const promises = findAll(PROMISE, prepared.norm).filter(
    (p) => !negatedBefore(prepared.norm, p.start),
  );
  if (promises.length === 0) return [];
  const bounds = sentences(prepared.own);
  let mentions: DateMention[] | null = null;
  const found: Commitment[] = [];
  for (const sentence of bounds) {
    const inSentence = promises.filter((p) => p.start >= sentence.start && p.start < sentence.end);
    if (inSentence.length === 0 || isQuestion(prepared.own, sentence)) continue;
    mentions ??= findDateMentions(prepared, new Date(message.created_at), ctx.calendar, bounds);
    const dated = mentions.filter((m) => m.start >= sentence.start && m.start < sentence.end);
    let best: {
      promise: (typeof inSentence)[number];
      mention: DateMention;
      distance: number;
    } | null = null;
    for (const promise of inSentence) {
      for (const mention of dated) {
        const distance =
          mention.start >= promise.end ? mention.start - promise.end : promise.start - mention.end;
        if (!best || Math.abs(distance) < best.distance) {
          best = { promise, mention, distance: Math.abs(distance) };
        }
      }
    }
    if (best) {
      found.push({
        message,
        prepared,
        ordinal: found.length,
        promise: best.promise,
        mention: best.mention,
      });
    }
  }
  return found;
}

/** A delivery that says more is coming ("первые два размера, третий доделываем", "the rest to follow"). */
const PARTIAL_DELIVERY = wordRegex(
  [
    'доделываем|дорабатываем|остальн\\p{L}*|оставш\\p{L}*|еще в работе|пока только|первую часть|первые (?:два|две|три|\\d+)|часть',
    'the rest|remaining|still working|first (?:part|batch|half|two|three|few)|partial\\p{L}*|more to come|to follow',
  ].join('|'),
);

/**
 * Whether a studio message hands something over (an attachment, or a delivery phrase said as a
 * fact) in full: a partial delivery leaves the promise open.
 */
export function delivers(message: MessageView): boolean {
  const prepared = prepareText(message.text);
  if (findFirst(PARTIAL_DELIVERY, prepared.norm)) return false;
  if (message.has_attachments) return true;
  const bounds = sentences(prepared.own);
  return findAll(DELIVERY, prepared.norm).some((hit) => {
    const sentence = bounds.find((s) => hit.start >= s.start && hit.start < s.end);
    return (
      sentence !== undefined &&
      !isQuestion(prepared.own, sentence) &&
      !negatedBefore(prepared.norm, hit.start)
    );
  });
}

/**
 * `commitment`: the studio promised something by a time. Open (info) until due, overdue
 * (warning, critical two business days on) after, unless a later studio message delivered; a
 * delivery clears every promise made before it in the conversation (docs/signals.md says why).
 */
export function detectCommitments(view: ConversationView, ctx: DetectorContext): DetectorRun {
  const subjectKey = view.conversation.id;
  const run = startRun('commitment', subjectKey);
  const studio = orderedMessages(view).filter(isStudioReply);
  let nextCheck: Date | null = null;
  for (const [index, message] of studio.entries()) {
    for (const commitment of findCommitments(message, ctx)) {
      const id = fingerprint('commitment', message.id, commitment.ordinal);
      const delivery = studio.slice(index + 1).find(delivers);
      if (delivery) {
        run.resolutions.push({
          fingerprint: id,
          detector: 'commitment',
          subject_key: subjectKey,
          why: `delivered in ${delivery.id} at ${delivery.created_at}`,
          evidence_ref: delivery.id,
        });
        continue;
      }
      run.signals.push(commitmentSignal(view, ctx, commitment, id));
      if (commitment.mention.due > ctx.now) nextCheck = earliest(nextCheck, commitment.mention.due);
    }
  }
  run.next_check_at = nextCheck?.toISOString() ?? null;
  return run;
}

function commitmentSignal(view: ConversationView, ctx: DetectorContext, c: Commitment, id: string) {
  const { calendar, now } = ctx;
  const due = c.mention.due;
  const overdue = now >= due;
  const critical = 2 * businessDayMinutes(calendar);
  const late = overdue ? workingMinutesBetween(calendar, due, now, critical) : 0;
  const start = Math.min(c.promise.start, c.mention.start);
  const end = Math.max(c.promise.end, c.mention.end);
  const said = excerpt(c.message.text.slice(start, end), 80);
  return {
    kind: 'commitment' as const,
    severity: !overdue
      ? ('info' as const)
      : late >= critical
        ? ('critical' as const)
        : ('warning' as const),
    title: overdue
      ? `Overdue promise: "${said}"`
      : `Promised by ${formatLocal(calendar, due)}: "${said}"`,
    detail: `The studio wrote "${excerpt(c.message.text, 160)}" (${formatLocal(calendar, new Date(c.message.created_at))}); due ${formatLocal(calendar, due)}, no delivery since.`,
    due_at: due.toISOString(),
    subject: conversationSubject(view),
    evidence_refs: [
      evidenceRef({
        source: 'cw_messages',
        ref: c.message.id,
        text: c.message.text,
        match: { start, end },
        at: c.message.created_at,
      }),
    ],
    detector: 'commitment' as const,
    detector_version: COMMITMENT_VERSION,
    fingerprint: id,
    subject_key: view.conversation.id,
    attributes: { overdue, due_has_time: c.mention.timed },
  };
}
