// @module-tag no-database
import { describe, expect, it } from 'vitest';
import { businessCalendar } from '../../../src/modules/signals/detectors/calendar.js';
import { findDateMentions } from '../../../src/modules/signals/detectors/dates.js';
import { withDefaults } from '../../../src/modules/signals/detectors/settings.js';
import { prepareText, sentences } from '../../../src/modules/signals/detectors/text.js';
import { LONDON, MOSCOW, NEW_YORK } from './factories.js';

function dues(text: string, at: string, settings = MOSCOW): string[] {
  const calendar = businessCalendar(withDefaults(settings));
  const prepared = prepareText(text);
  return findDateMentions(prepared, new Date(at), calendar, sentences(prepared.own)).map((m) =>
    m.due.toISOString(),
  );
}
const iso = (local: string) => new Date(local).toISOString();

// Thursday 4 December 2025, 14:00 in Moscow.
const THURSDAY = '2025-12-04T14:00:00+03:00';

describe('due dates in Russian', () => {
  it.each([
    ['пришлём макеты до пятницы', '2025-12-05T19:00:00+03:00'],
    ['завтра к обеду', '2025-12-05T13:00:00+03:00'],
    ['до конца недели', '2025-12-05T19:00:00+03:00'],
    ['до конца дня', '2025-12-04T19:00:00+03:00'],
    ['к понедельнику', '2025-12-08T19:00:00+03:00'],
    ['в понедельник в 15:00', '2025-12-08T15:00:00+03:00'],
    ['в среду до 18:00', '2025-12-10T18:00:00+03:00'],
    ['до 20.12', '2025-12-20T19:00:00+03:00'],
    ['нужно к 15 декабря', '2025-12-15T19:00:00+03:00'],
    ['на следующей неделе', '2025-12-12T19:00:00+03:00'],
    ['в четверг на следующей неделе', '2025-12-11T19:00:00+03:00'],
    ['в течение 3 рабочих дней', '2025-12-09T19:00:00+03:00'],
    ['до 25-го', '2025-12-25T19:00:00+03:00'],
  ])('"%s" → %s', (text, due) => {
    expect(dues(text, THURSDAY)).toEqual([iso(due)]);
  });

  it('reads "завтра" at 23:30 Moscow (20:30 UTC) as the next Moscow day', () => {
    expect(dues('пришлём завтра к обеду', '2025-12-04T23:30:00+03:00')).toEqual([
      iso('2025-12-05T13:00:00+03:00'),
    ]);
  });

  it('reads "завтра" at 01:30 Moscow, still the previous day in UTC, from the Moscow date', () => {
    // 22:30 UTC on the 4th; by UTC "tomorrow" would be the 5th.
    expect(dues('пришлём завтра', '2025-12-05T01:30:00+03:00')).toEqual([
      iso('2025-12-06T19:00:00+03:00'),
    ]);
  });

  it('carries "до конца дня" said on Friday night over the weekend to Monday', () => {
    expect(dues('до конца дня пришлём', '2025-12-05T23:30:00+03:00')).toEqual([
      iso('2025-12-08T19:00:00+03:00'),
    ]);
  });

  it('reads "до конца недели" said on Saturday as the next Friday', () => {
    expect(dues('сделаем до конца недели', '2025-12-06T12:00:00+03:00')).toEqual([
      iso('2025-12-12T19:00:00+03:00'),
    ]);
  });

  it('finds no date where there is none, or where it is the present moment', () => {
    expect(dues('Спасибо, всё получили, обсудим с командой', THURSDAY)).toEqual([]);
    expect(dues('сейчас уточняем стоимость', THURSDAY)).toEqual([]);
  });

  it('ignores the date of a quoted earlier message', () => {
    expect(dues('Ок!\n\n> пришлём в понедельник', THURSDAY)).toEqual([]);
  });
});

describe('due dates in English', () => {
  const londonThursday = '2025-12-04T14:00:00Z';
  it.each([
    ["we'll send the deck by Monday 3pm", '2025-12-08T15:00:00Z'],
    ['by EOD', '2025-12-04T17:30:00Z'],
    ['by end of day Wednesday', '2025-12-10T17:30:00Z'],
    ['by Friday', '2025-12-05T17:30:00Z'],
    ['tomorrow morning', '2025-12-05T12:00:00Z'],
    ['first thing Monday', '2025-12-08T09:00:00Z'],
    ['next week', '2025-12-12T17:30:00Z'],
    ['Thursday next week', '2025-12-11T17:30:00Z'],
    ['launch is on the 3rd', '2026-01-03T17:30:00Z'],
    ['by Dec 15', '2025-12-15T17:30:00Z'],
    ['within 5 business days', '2025-12-11T17:30:00Z'],
  ])('"%s" → %s', (text, due) => {
    expect(dues(text, londonThursday, LONDON)).toEqual([iso(due)]);
  });

  it('reads "tomorrow" at 21:30 in New York (02:30 UTC the next day) from the New York date', () => {
    expect(dues("I'll send it tomorrow", '2025-12-09T21:30:00-05:00', NEW_YORK)).toEqual([
      iso('2025-12-10T18:00:00-05:00'),
    ]);
  });

  it('carries "by EOD" said on Friday after hours to Monday', () => {
    expect(dues("we'll send it by EOD", '2025-12-12T18:10:00Z', LONDON)).toEqual([
      iso('2025-12-15T17:30:00Z'),
    ]);
  });
});
