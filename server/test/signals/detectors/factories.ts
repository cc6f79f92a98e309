import type {
  ConversationView,
  MessageView,
  SignalSettings,
} from '../../../src/modules/signals/detectors/index.js';

/** Small factories for detector tests: a conversation is a list of messages written as `[direction, time, text]`. */
export const MOSCOW: Partial<SignalSettings> = {
  time_zone: 'Europe/Moscow',
  business_hours: { days: [1, 2, 3, 4, 5], start: '10:00', end: '19:00' },
  holidays: ['2026-01-01', '2026-01-02', '2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08'],
};
export const LONDON: Partial<SignalSettings> = {
  time_zone: 'Europe/London',
  business_hours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:30' },
  holidays: ['2025-12-25', '2025-12-26'],
};
export const NEW_YORK: Partial<SignalSettings> = {
  time_zone: 'America/New_York',
  business_hours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
  holidays: ['2025-11-27'],
  response_target_minutes: 120,
};

type Line = readonly [
  direction: 'in' | 'out' | 'note' | 'bot',
  at: string,
  text: string,
  options?: { attachments?: boolean },
];

export function message(id: string, [direction, at, text, options]: Line): MessageView {
  const author =
    direction === 'in'
      ? { kind: 'contact' as const, id: '7', name: 'Client' }
      : direction === 'bot'
        ? { kind: 'bot' as const, id: '1', name: 'Bot' }
        : { kind: 'user' as const, id: '3', name: 'Studio' };
  return {
    id,
    direction: direction === 'in' ? 'inbound' : direction === 'note' ? 'note' : 'outbound',
    author,
    text,
    created_at: new Date(at).toISOString(),
    has_attachments: options?.attachments === true,
  };
}

export function conversation(
  lines: readonly Line[],
  options: { id?: string; status?: string } = {},
): ConversationView {
  const id = options.id ?? 'cw:p:1:42';
  return {
    conversation: {
      id,
      status: options.status ?? 'open',
      contact: { id: 'cwc:p:1:7', name: 'Ирина', person_id: 'person-1' },
      last_activity_at: null,
    },
    messages: lines.map((line, index) => message(`cwmsg:${id}:${index + 1}`, line)),
  };
}

/** The highlighted text of a signal's primary evidence. */
export function highlighted(signal: {
  evidence_refs: { snippet: string; meta: { match?: [number, number] } }[];
}): string | null {
  const ref = signal.evidence_refs[0];
  if (!ref?.meta.match) return null;
  return ref.snippet.slice(ref.meta.match[0], ref.meta.match[1]);
}
