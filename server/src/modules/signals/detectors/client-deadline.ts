import { businessDayMinutes, formatLocal, inZone, workingMinutesBetween } from './calendar.js';
import {
  clientName,
  conversationSubject,
  orderedMessages,
  startRun,
  type DetectorContext,
} from './context.js';
import { findDateMentions } from './dates.js';
import { fingerprint } from './fingerprint.js';
import {
  evidenceRef,
  excerpt,
  findAll,
  findFirst,
  prepareText,
  sentences,
  wordRegex,
} from './text.js';
import type { ConversationView, DetectedSignal, DetectorRun } from './types.js';

export const CLIENT_DEADLINE_VERSION = '1';

/** A preposition of limit right before the date: "нужно к 15 декабря", "by Friday", "не позднее 20.12". */
const LIMIT_BEFORE =
  /(?:^|[^\p{L}])(?:к|ко|до|не позднее|не позже|by|before|no later than|not later than|until|till|due)\s*$/u;
const ANY_LIMIT =
  /(?:^|[^\p{L}])(?:к|ко|до|не позднее|не позже|by|before|no later than|not later than|until|till|due)\s/u;
const LIMIT_INSIDE = /^(?:к|ко|до|не позднее|by|before|until|till|due)\s/u;

/**
 * Words that make a date the client's own deadline or event: a deadline, a launch, a
 * presentation, a need. A date with neither these nor a limit preposition ("созвонимся в
 * четверг", "we met on Monday") is not a deadline.
 */
const DEADLINE_WORDS = wordRegex(
  [
    'дедлайн\\p{L}*|срок\\p{L}*|крайний срок|запуск\\p{L}*|запуска\\p{L}*|запустить|релиз\\p{L}*',
    'презентаци\\p{L}*|выставк\\p{L}*|конференци\\p{L}*|мероприяти\\p{L}*|открыти\\p{L}*|показ\\p{L}*',
    'питч\\p{L}*|защит\\p{L}*|совет директоров|сдач\\p{L}*|старт продаж|ярмарк\\p{L}*|фестивал\\p{L}*|печат\\p{L}*|тираж\\p{L}*',
    'нужн\\p{L}*|надо|необходимо|должн\\p{L}*|успеть|успеете|успеваете|важно',
    'deadline|due|launch\\p{L}*|go[- ]live|goes live|release|presentation|pitch|event|conference|exhibition',
    'opening|trade show|board meeting|print\\p{L}*|need|needs|needed|must|have to|has to|required',
    // Someone outside the studio looks at or presents the work on that date.
    'investors?|инвестор\\p{L}*|present(?:s|ing)?|all-hands|town hall|представля\\p{L}*|презентуем|презентует|выступ\\p{L}*',
    // The work goes public on that date.
    'publish\\p{L}*|posting|goes out|go out|публику\\p{L}*|публикаци\\p{L}*|выходит|выйдет|эфир\\p{L}*',
  ].join('|'),
);
/** A date for a call or a meeting is a scheduling matter, not a deadline (unless the sentence also names one). */
const MEETING_WORDS = wordRegex(
  'созвон\\p{L}*|звон\\p{L}*|встрет\\p{L}*|встреч\\p{L}*|call|meet|meeting|catch up|zoom|chat',
);
const STRONG_DEADLINE = wordRegex(
  'дедлайн\\p{L}*|срок\\p{L}*|запуск\\p{L}*|релиз\\p{L}*|презентаци\\p{L}*|deadline|due|launch\\p{L}*|release|presentation|board meeting',
);

/**
 * `client_deadline`: the client states a date of their own — a deadline, a launch, an event —
 * in a message of theirs. One signal per date; info until a business day before, then warning,
 * and warning once passed (the studio should know whether it was met).
 */
export function detectClientDeadlines(view: ConversationView, ctx: DetectorContext): DetectorRun {
  const subjectKey = view.conversation.id;
  const run = startRun('client_deadline', subjectKey);
  for (const message of orderedMessages(view)) {
    if (message.direction !== 'inbound') continue;
    const prepared = prepareText(message.text);
    // Cheap gate first: chrono runs only where a cue word or a limit preposition could make a deadline.
    if (!ANY_LIMIT.test(prepared.norm) && !findFirst(DEADLINE_WORDS, prepared.norm)) continue;
    const bounds = sentences(prepared.own);
    const mentions = findDateMentions(prepared, new Date(message.created_at), ctx.calendar, bounds);
    // One date per day: "a fix today, we send at 5pm" is one deadline, the more precise one.
    const byDay = new Map<string, { due: Date; match: { start: number; end: number } }>();
    for (const mention of mentions) {
      const sentence = bounds.find((s) => mention.start >= s.start && mention.start < s.end);
      if (!sentence) continue;
      const norm = prepared.norm;
      const before = norm.slice(sentence.start, mention.start);
      const mentionText = norm.slice(mention.start, mention.end);
      const limited = LIMIT_BEFORE.test(before) || LIMIT_INSIDE.test(mentionText);
      const cue = findFirst(DEADLINE_WORDS, norm, sentence.start, sentence.end);
      if (!limited && !cue) continue;
      if (
        findFirst(MEETING_WORDS, norm, sentence.start, sentence.end) &&
        !findFirst(STRONG_DEADLINE, norm, sentence.start, sentence.end)
      ) {
        continue;
      }
      // Highlight from the cue nearest before the date ("нужно к 15 декабря").
      const lead = findAll(
        DEADLINE_WORDS,
        norm,
        Math.max(sentence.start, mention.start - 40),
        mention.start,
      ).pop();
      const start = lead ? lead.start : mention.start;
      const day = inZone(ctx.calendar, mention.due).toISODate() ?? '';
      const seen = byDay.get(day);
      if (!seen || mention.due < seen.due) {
        byDay.set(day, { due: mention.due, match: { start, end: mention.end } });
      }
    }
    for (const [day, found] of byDay) {
      run.signals.push(
        deadlineSignal(view, ctx, {
          id: fingerprint('client_deadline', message.id, day),
          message,
          due: found.due,
          match: found.match,
        }),
      );
    }
  }
  return run;
}

function deadlineSignal(
  view: ConversationView,
  ctx: DetectorContext,
  found: {
    id: string;
    message: ConversationView['messages'][number];
    due: Date;
    match: { start: number; end: number };
  },
): DetectedSignal {
  const { calendar, now } = ctx;
  const passed = now >= found.due;
  const near =
    !passed &&
    workingMinutesBetween(calendar, now, found.due, businessDayMinutes(calendar) + 1) <=
      businessDayMinutes(calendar);
  const said = excerpt(found.message.text.slice(found.match.start, found.match.end), 80);
  return {
    kind: 'client_deadline',
    severity: passed || near ? 'warning' : 'info',
    title: `${clientName(view)}'s date ${formatLocal(calendar, found.due)}: "${said}"`,
    detail: `The client wrote "${excerpt(found.message.text, 160)}" (${formatLocal(calendar, new Date(found.message.created_at))}).`,
    due_at: found.due.toISOString(),
    subject: conversationSubject(view),
    evidence_refs: [
      evidenceRef({
        source: 'cw_messages',
        ref: found.message.id,
        text: found.message.text,
        match: found.match,
        at: found.message.created_at,
      }),
    ],
    detector: 'client_deadline',
    detector_version: CLIENT_DEADLINE_VERSION,
    fingerprint: found.id,
    subject_key: view.conversation.id,
    attributes: { passed },
  };
}
