import { addWorkingMinutes, formatLocal, workingMinutesBetween } from './calendar.js';
import {
  clientName,
  conversationSubject,
  isStudioReply,
  orderedMessages,
  startRun,
  type DetectorContext,
} from './context.js';
import { fingerprint } from './fingerprint.js';
import { evidenceRef, excerpt, findFirst, prepareText, wordRegex } from './text.js';
import type { ConversationView, DetectorRun, MessageView } from './types.js';

export const AWAITING_REPLY_VERSION = '1';

/** Evidence cites at most this many of the waiting messages (the first ones: the wait began there). */
const MAX_REFS = 5;
/** Waiting three times the target is critical: the client has been ignored for most of a day or more. */
const CRITICAL_FACTOR = 3;

/**
 * What makes a client message ask nothing of the studio (docs/signals.md, "awaiting_reply"):
 * - a short thank-you or receipt ("Спасибо!", "Получили, всё открывается. Спасибо!", "Perfect,
 *   thanks Tom.", "👍"): at most ten words, a thanks or receipt word, no question, no request;
 * - a message that only announces the client's own next step ("покажу руководству и вернусь",
 *   "we'll review it internally and come back to you", "finance will handle it next week",
 *   "оплатим до конца года"): the ball is in the client's court; no question, no request.
 */
const THANKS = wordRegex(
  'спасибо|спс|благодар\\p{L}*|получили|получил|получила|принято|приняли|thanks|thank you|ty|got it|got them|received|noted|👍|🙏',
);
const ONLY_ACK_WORDS = new Set(
  (
    'спасибо спс благодарю благодарим большое огромное вам тебе ок окей ok okay хорошо отлично ' +
    'понятно понял поняла поняли принято приняли получили получил получила супер класс ' +
    'договорились ага да ждем будем ждать thanks thank you so much great got it received ' +
    'perfect cool noted sounds good all clear will do awesome nice many the ty'
  ).split(' '),
);
/** A request or a question to the studio keeps a message waiting whatever else it says. */
const REQUEST = wordRegex(
  [
    'пришлите|пришли|отправьте|скиньте|сделайте|подскажите|уточните|посмотрите|поправьте|исправьте|добавьте|внесите|напомните',
    'можно ли|можете|сможете|успеете|нужно|нужен|нужна|нужны|надо|прошу|просим|пожалуйста|срочно',
    'please|could you|can you|would you|will you|need|needs|let me know|send (?:us|me|over)|asap|urgent',
  ].join('|'),
);
/** The client's own next step: a first-person (or their team's) future action. */
const CLIENT_NEXT_STEP = wordRegex(
  [
    'вернусь|вернемся|свяжусь|свяжемся|передам|передадим|покажу|покажем|посмотрим|посмотрю|обсудим|обсужу',
    'сообщу|сообщим|напишу|напишем|дам знать|дадим знать|оплатим|оплачу|оплатит|подумаем|подумаю|изучим|изучу',
    'согласуем|согласую|проверим|проверю|пришлю|пришлем|отправлю|отправим|подпишем|подпишу',
    "get back to you|come back to you|revert|be in touch|let you know|(?:we|i)(?:'ll| will) (?:review|discuss|check|send|pay|think|look|share|confirm)",
    '(?:will|to) handle it|(?:are|is) processing|is with our (?:finance|accounts|legal|team)',
  ].join('|'),
);

export function isAcknowledgement(text: string): boolean {
  const { norm } = prepareText(text);
  if (norm.includes('?') || findFirst(REQUEST, norm)) return false;
  const words = norm.match(/[\p{L}']+/gu) ?? [];
  if (words.every((w) => ONLY_ACK_WORDS.has(w))) return words.length <= 8;
  return (
    (words.length <= 10 && findFirst(THANKS, norm) !== null) ||
    findFirst(CLIENT_NEXT_STEP, norm) !== null
  );
}

/**
 * The client's messages since the studio's last reply (empty when the client's last word was a
 * mere acknowledgement), and each earlier wait with the reply that ended it.
 */
export function unansweredMessages(view: ConversationView): {
  waiting: MessageView[];
  answered: { first: MessageView; reply: MessageView }[];
} {
  let waiting: MessageView[] = [];
  const answered: { first: MessageView; reply: MessageView }[] = [];
  for (const message of orderedMessages(view)) {
    if (message.direction === 'inbound') {
      if (waiting.length === 0 && isAcknowledgement(message.text)) continue;
      waiting.push(message);
    } else if (isStudioReply(message) && waiting.length > 0) {
      answered.push({ first: waiting[0]!, reply: message });
      waiting = [];
    }
  }
  return { waiting, answered };
}

/**
 * `awaiting_reply`: the client wrote and no studio reply followed within the project's response
 * target, counted in working time from the first unanswered message. Each answered wait yields a
 * resolution (the reply cited), so a signal raised earlier closes in the same run that sees the reply.
 * A conversation resolved in Chatwoot waits for nothing.
 */
export function detectAwaitingReply(view: ConversationView, ctx: DetectorContext): DetectorRun {
  const subjectKey = view.conversation.id;
  const run = startRun('awaiting_reply', subjectKey);
  const { waiting, answered } = unansweredMessages(view);
  for (const { first, reply } of answered) {
    run.resolutions.push({
      fingerprint: fingerprint('awaiting_reply', subjectKey, first.id),
      detector: 'awaiting_reply',
      subject_key: subjectKey,
      why: `answered by ${reply.id} at ${reply.created_at}`,
      evidence_ref: reply.id,
    });
  }
  const first = waiting[0];
  if (!first) return run;
  const id = fingerprint('awaiting_reply', subjectKey, first.id);
  if (view.conversation.status === 'resolved') {
    run.resolutions.push({
      fingerprint: id,
      detector: 'awaiting_reply',
      subject_key: subjectKey,
      why: 'the conversation was resolved without a reply',
    });
    return run;
  }
  const { calendar, settings, now } = ctx;
  const since = new Date(first.created_at);
  const due = addWorkingMinutes(calendar, since, settings.response_target_minutes);
  if (now < due) {
    run.next_check_at = due.toISOString();
    return run;
  }
  const critical = CRITICAL_FACTOR * settings.response_target_minutes;
  const waited = workingMinutesBetween(calendar, since, now, critical);
  run.signals.push({
    kind: 'awaiting_reply',
    severity: waited >= critical ? 'critical' : 'warning',
    title: `${clientName(view)} is waiting for a reply`,
    detail:
      `"${excerpt(first.text)}" — unanswered since ${formatLocal(calendar, since)}; ` +
      `the target of ${settings.response_target_minutes / 60} working hours passed at ${formatLocal(calendar, due)}.`,
    due_at: due.toISOString(),
    subject: conversationSubject(view),
    evidence_refs: waiting
      .slice(0, MAX_REFS)
      .map((m) =>
        evidenceRef({ source: 'cw_messages', ref: m.id, text: m.text, at: m.created_at }),
      ),
    detector: 'awaiting_reply',
    detector_version: AWAITING_REPLY_VERSION,
    fingerprint: id,
    subject_key: subjectKey,
    attributes: { waiting_messages: waiting.length },
  });
  return run;
}
