// @module-tag no-database
import { describe, expect, it } from 'vitest';
import {
  detectClientDeadlines,
  detectorContext,
} from '../../../src/modules/signals/detectors/index.js';
import { conversation, highlighted, LONDON, MOSCOW, NEW_YORK } from './factories.js';

describe('client_deadline', () => {
  it('reads a Russian deadline with its date, and a weekday said on Saturday as next week', () => {
    const view = conversation([
      [
        'in',
        '2025-12-04T19:40:00+03:00',
        'Нам нужна финальная версия логотипа, нужно к 15 декабря.',
      ],
      [
        'in',
        '2025-12-06T12:00:00+03:00',
        'И презентация у нас в четверг, к ней нужен финальный вариант.',
      ],
    ]);
    const run = detectClientDeadlines(view, detectorContext(MOSCOW, '2025-12-08T10:00:00+03:00'));
    expect(run.signals.map((s) => s.due_at)).toEqual([
      new Date('2025-12-15T19:00:00+03:00').toISOString(),
      new Date('2025-12-11T19:00:00+03:00').toISOString(),
    ]);
    expect(highlighted(run.signals[0]!)).toBe('нужно к 15 декабря');
    expect(run.signals[0]!.severity).toBe('info');
  });

  it('reads English deadlines ("launch is on the 3rd", "by Friday") in the project zone', () => {
    const view = conversation([
      [
        'in',
        '2025-12-08T14:00:00Z',
        'Quick update: the launch is on the 3rd, so the page must be live before then.',
      ],
    ]);
    const run = detectClientDeadlines(view, detectorContext(LONDON, '2025-12-09T10:00:00Z'));
    expect(run.signals[0]!.due_at).toBe('2026-01-03T17:30:00.000Z');

    // Friday 22:30 in New York is Saturday in UTC: "by Friday" is next week's Friday.
    const late = conversation([
      ['in', '2025-12-05T22:30:00-05:00', 'Our printer needs the files by Friday.'],
    ]);
    const ny = detectClientDeadlines(late, detectorContext(NEW_YORK, '2025-12-08T10:00:00-05:00'));
    expect(ny.signals[0]!.due_at).toBe(new Date('2025-12-12T18:00:00-05:00').toISOString());
  });

  it('warns when the date is a business day away or has passed', () => {
    const view = conversation([
      ['in', '2025-12-08T10:00:00+03:00', 'Сможете внести правки до среды?'],
    ]);
    const far = detectClientDeadlines(view, detectorContext(MOSCOW, '2025-12-08T18:00:00+03:00'));
    expect(far.signals[0]!.severity).toBe('info');
    const near = detectClientDeadlines(view, detectorContext(MOSCOW, '2025-12-09T19:30:00+03:00'));
    expect(near.signals[0]!.severity).toBe('warning');
    const passed = detectClientDeadlines(
      view,
      detectorContext(MOSCOW, '2025-12-11T12:00:00+03:00'),
    );
    expect(passed.signals[0]).toMatchObject({ severity: 'warning', attributes: { passed: true } });
  });

  it('keeps one date per day ("a fix today, we send at 5pm")', () => {
    const view = conversation([
      ['in', '2025-12-04T09:15:00Z', 'I need a fix today please, we send at 5pm.'],
    ]);
    const run = detectClientDeadlines(view, detectorContext(LONDON, '2025-12-04T10:00:00Z'));
    expect(run.signals.map((s) => s.due_at)).toEqual(['2025-12-04T17:00:00.000Z']);
  });

  it('does not fire on a meeting time, a past-tense date without a deadline cue, or a studio message', () => {
    const view = conversation([
      [
        'in',
        '2025-12-05T15:00:00+03:00',
        'Давайте созвонимся во вторник в 11:00, обсудим концепции?',
      ],
      ['in', '2025-12-05T15:10:00+03:00', 'Are you free for a call on Wednesday at 2pm?'],
      ['in', '2025-12-05T15:20:00+03:00', 'В понедельник мы отправили вам бриф.'],
      ['out', '2025-12-05T15:30:00+03:00', 'Нам нужно к пятнице согласовать шрифты.'],
    ]);
    expect(
      detectClientDeadlines(view, detectorContext(MOSCOW, '2025-12-06T10:00:00+03:00')).signals,
    ).toEqual([]);
  });
});
