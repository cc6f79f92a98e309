// @module-tag no-database
import { describe, expect, it } from 'vitest';
import {
  detectAwaitingReply,
  detectorContext,
} from '../../../src/modules/signals/detectors/index.js';
import { conversation, LONDON, MOSCOW, NEW_YORK } from './factories.js';

describe('awaiting_reply', () => {
  it('fires after 4 working hours counted over the weekend (Russian), citing the first unanswered message', () => {
    const view = conversation([
      ['out', '2025-12-05T12:00:00+03:00', 'Во вложении макеты.', { attachments: true }],
      ['in', '2025-12-05T17:00:00+03:00', 'Спасибо! Можно ли сделать шапку светлее?'],
      ['in', '2025-12-05T17:05:00+03:00', 'И логотип чуть крупнее.'],
    ]);
    const before = detectAwaitingReply(view, detectorContext(MOSCOW, '2025-12-08T11:59:00+03:00'));
    expect(before.signals).toEqual([]);
    expect(before.next_check_at).toBe(new Date('2025-12-08T12:00:00+03:00').toISOString());

    const after = detectAwaitingReply(view, detectorContext(MOSCOW, '2025-12-08T12:30:00+03:00'));
    expect(after.signals).toHaveLength(1);
    const [signal] = after.signals;
    expect(signal!.due_at).toBe(new Date('2025-12-08T12:00:00+03:00').toISOString());
    expect(signal!.evidence_refs.map((r) => r.ref)).toEqual([
      view.messages[1]!.id,
      view.messages[2]!.id,
    ]);
    expect(signal!.subject).toMatchObject({ conversation_id: 'cw:p:1:42', person_id: 'person-1' });
  });

  it('counts the target in the project zone (New York, 2-hour target) and turns critical at three times it', () => {
    const view = conversation([
      ['in', '2025-12-09T17:20:00-05:00', 'Hi, the staging site is down, can someone check?'],
      ['bot', '2025-12-09T17:21:00-05:00', 'Thanks for reaching out! We reply within a day.'],
    ]);
    const run = detectAwaitingReply(view, detectorContext(NEW_YORK, '2025-12-10T10:30:00-05:00'));
    expect(run.signals[0]?.due_at).toBe(new Date('2025-12-10T10:20:00-05:00').toISOString());
    expect(run.signals[0]?.severity).toBe('warning');
    const later = detectAwaitingReply(view, detectorContext(NEW_YORK, '2025-12-10T15:00:00-05:00'));
    expect(later.signals[0]?.severity).toBe('critical');
  });

  it('resolves when the studio replies, naming the reply; a private note is not a reply', () => {
    const lines = [
      ['in', '2025-12-10T10:00:00Z', 'Could you send the deck?'],
      ['note', '2025-12-10T10:05:00Z', 'Tom, can you take this one?'],
    ] as const;
    const waiting = conversation([...lines]);
    const now = detectorContext(LONDON, '2025-12-11T16:00:00Z');
    expect(detectAwaitingReply(waiting, now).signals).toHaveLength(1);

    const answered = conversation([...lines, ['out', '2025-12-11T15:00:00Z', 'Sure, on it.']]);
    const run = detectAwaitingReply(answered, now);
    expect(run.signals).toEqual([]);
    expect(run.resolutions).toHaveLength(1);
    expect(run.resolutions[0]!.fingerprint).toBe(
      detectAwaitingReply(waiting, now).signals[0]!.fingerprint,
    );
    expect(run.resolutions[0]!.why).toContain(answered.messages[2]!.id);
  });

  it('does not fire for a thank-you, for a client announcing their own next step, or in a resolved conversation', () => {
    const now = detectorContext(MOSCOW, '2025-12-15T12:00:00+03:00');
    for (const text of [
      'Спасибо, получили!',
      'Perfect, thanks Tom.',
      'Спасибо! Покажу руководству и вернусь с комментариями в понедельник.',
      "Thanks! We'll review it internally and get back to you.",
    ]) {
      const view = conversation([['in', '2025-12-10T11:00:00+03:00', text]]);
      expect(detectAwaitingReply(view, now).signals, text).toEqual([]);
    }
    const asked = conversation([['in', '2025-12-10T11:00:00+03:00', 'Когда будут макеты?']], {
      status: 'resolved',
    });
    const run = detectAwaitingReply(asked, now);
    expect(run.signals).toEqual([]);
    expect(run.resolutions[0]?.why).toMatch(/resolved/);
  });
});
