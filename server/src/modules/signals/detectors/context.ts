import { businessCalendar, type BusinessCalendar } from './calendar.js';
import { withDefaults } from './settings.js';
import type {
  ConversationView,
  DetectorRun,
  MessageView,
  SignalKind,
  SignalSettings,
  SignalSubject,
} from './types.js';

/** What every detector receives besides its rows: the project's settings and calendar, and `now`. */
export interface DetectorContext {
  settings: SignalSettings;
  calendar: BusinessCalendar;
  now: Date;
}

export function detectorContext(
  settings: Partial<SignalSettings>,
  now: Date | string,
): DetectorContext {
  const full = withDefaults(settings);
  const at = typeof now === 'string' ? new Date(now) : now;
  if (Number.isNaN(at.getTime())) throw new RangeError('now must be an instant');
  return { settings: full, calendar: businessCalendar(full), now: at };
}

/** Messages in the order they were written (ties broken by id, so the order is total). */
export function orderedMessages(view: ConversationView): MessageView[] {
  return [...view.messages].sort((a, b) => {
    const d = Date.parse(a.created_at) - Date.parse(b.created_at);
    return d !== 0 ? d : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

/** A studio reply the client sees: outgoing, not private, written by a person (a bot's auto-reply is not an answer). */
export function isStudioReply(message: MessageView): boolean {
  return message.direction === 'outbound' && message.author.kind !== 'bot';
}

export function conversationSubject(view: ConversationView): SignalSubject {
  const { conversation } = view;
  const subject: SignalSubject = { conversation_id: conversation.id };
  const contact = conversation.contact;
  if (contact) {
    subject.contact_id = contact.id;
    if (contact.person_id) subject.person_id = contact.person_id;
    if (contact.organization_id) subject.organization_id = contact.organization_id;
  }
  return subject;
}

export function clientName(view: ConversationView): string {
  return view.conversation.contact?.name?.trim() || 'the client';
}

/** The earlier of two optional instants: how detectors report when to look again. */
export function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}

/** A detector's run over one subject, before it found anything: the subject counts as evaluated. */
export function startRun(detector: SignalKind, subjectKey: string): DetectorRun {
  return {
    signals: [],
    resolutions: [],
    evaluated: [{ detector, subject_key: subjectKey }],
    next_check_at: null,
  };
}
