// @module-tag no-database
import { describe, expect, it } from 'vitest';
import {
  detectCommitments,
  detectorContext,
} from '../../../src/modules/signals/detectors/index.js';
import { conversation, highlighted, LONDON, MOSCOW, NEW_YORK } from './factories.js';

describe('commitment', () => {
  it('reads a Russian promise with its due time, open before it and overdue after it', () => {
    const view = conversation([
      ['in', '2025-12-04T11:00:00+03:00', 'Когда ждать правки?'],
      [
        'out',
        '2025-12-04T12:05:00+03:00',
        'Спасибо за отзыв. Пришлём обновлённые макеты до пятницы.',
      ],
    ]);
    const open = detectCommitments(view, detectorContext(MOSCOW, '2025-12-05T10:00:00+03:00'));
    expect(open.signals).toHaveLength(1);
    const [signal] = open.signals;
    expect(signal!.due_at).toBe(new Date('2025-12-05T19:00:00+03:00').toISOString());
    expect(signal!.severity).toBe('info');
    expect(highlighted(signal!)).toBe('Пришлём обновлённые макеты до пятницы');
    expect(open.next_check_at).toBe(signal!.due_at);

    const overdue = detectCommitments(view, detectorContext(MOSCOW, '2025-12-08T11:00:00+03:00'));
    expect(overdue.signals[0]!.severity).toBe('warning');
    expect(overdue.signals[0]!.fingerprint).toBe(signal!.fingerprint);
    const late = detectCommitments(view, detectorContext(MOSCOW, '2025-12-10T11:00:00+03:00'));
    expect(late.signals[0]!.severity).toBe('critical');
  });

  it('resolves "завтра к обеду" said at 23:30 Moscow to 13:00 Moscow next day', () => {
    const view = conversation([
      ['out', '2025-12-04T23:30:00+03:00', 'Успеем. Финальные файлы пришлём завтра к обеду.'],
    ]);
    const run = detectCommitments(view, detectorContext(MOSCOW, '2025-12-05T09:00:00+03:00'));
    expect(run.signals[0]!.due_at).toBe(new Date('2025-12-05T13:00:00+03:00').toISOString());
  });

  it('reads English promises across the weekend and in New York time', () => {
    const london = conversation([
      ['out', '2025-12-05T17:10:00Z', "Thanks Sarah. We'll send the first draft by Monday 3pm."],
    ]);
    expect(
      detectCommitments(london, detectorContext(LONDON, '2025-12-06T10:00:00Z')).signals[0]!.due_at,
    ).toBe('2025-12-08T15:00:00.000Z');
    const newYork = conversation([
      [
        'out',
        '2025-12-09T21:30:00-05:00',
        "Sorry for the late reply. I'll send the guidelines tomorrow.",
      ],
    ]);
    expect(
      detectCommitments(newYork, detectorContext(NEW_YORK, '2025-12-10T09:00:00-05:00')).signals[0]!
        .due_at,
    ).toBe(new Date('2025-12-10T18:00:00-05:00').toISOString());
  });

  it('is cleared by a later delivery (an attachment or "отправили"), but not by a partial one', () => {
    const promise = ['out', '2025-12-04T12:00:00+03:00', 'Макеты пришлём до пятницы.'] as const;
    const now = detectorContext(MOSCOW, '2025-12-08T12:00:00+03:00');
    const sent = conversation([
      promise,
      ['out', '2025-12-05T15:00:00+03:00', 'Отправили макеты на почту.'],
    ]);
    const run = detectCommitments(sent, now);
    expect(run.signals).toEqual([]);
    expect(run.resolutions[0]!.why).toContain(sent.messages[1]!.id);

    const attached = conversation([
      promise,
      ['out', '2025-12-05T15:00:00+03:00', 'Держите.', { attachments: true }],
    ]);
    expect(detectCommitments(attached, now).signals).toEqual([]);

    const partial = conversation([
      promise,
      ['out', '2025-12-05T15:00:00+03:00', 'Скинули первые два макета, третий доделываем.'],
    ]);
    expect(detectCommitments(partial, now).signals).toHaveLength(1);
  });

  it('does not fire on a promise in a quoted reply, in a private note, without a date, negated, or from the client', () => {
    const now = detectorContext(LONDON, '2025-12-10T12:00:00Z');
    const view = conversation([
      [
        'out',
        '2025-12-09T09:30:00Z',
        "Quick note on colours.\n\nOn Mon, 8 Dec 2025 at 10:45, Tom <tom@studio.co> wrote:\n> we'll share the copy by Wednesday.",
      ],
      ['note', '2025-12-09T09:40:00Z', "I'll send it by Friday."],
      ['out', '2025-12-09T09:50:00Z', "We'll get started on option A."],
      ['out', '2025-12-09T09:55:00Z', 'К сожалению, не пришлём до пятницы.'],
      ['in', '2025-12-09T10:00:00Z', "We'll send the brief by Monday."],
      ['out', '2025-12-09T10:05:00Z', 'Can we send it on Friday?'],
    ]);
    expect(detectCommitments(view, now).signals).toEqual([]);
  });
});
