// @module-tag no-database
import { describe, expect, it } from 'vitest';
import {
  addWorkingMinutes,
  businessCalendar,
  workingMinutesBetween,
} from '../../../src/modules/signals/detectors/calendar.js';
import { withDefaults } from '../../../src/modules/signals/detectors/settings.js';
import { LONDON, MOSCOW, NEW_YORK } from './factories.js';

const moscow = businessCalendar(withDefaults(MOSCOW));
const london = businessCalendar(withDefaults(LONDON));

describe('working time', () => {
  it('skips the weekend: 4 working hours from Friday 17:00 in Moscow end at Monday 12:00', () => {
    const due = addWorkingMinutes(moscow, new Date('2025-12-05T17:00:00+03:00'), 240);
    expect(due.toISOString()).toBe(new Date('2025-12-08T12:00:00+03:00').toISOString());
  });

  it('starts counting at opening time for a message sent before hours', () => {
    const due = addWorkingMinutes(moscow, new Date('2025-12-10T07:30:00+03:00'), 240);
    expect(due.toISOString()).toBe(new Date('2025-12-10T14:00:00+03:00').toISOString());
  });

  it('skips holidays: Christmas and Boxing Day in London', () => {
    const due = addWorkingMinutes(london, new Date('2025-12-24T16:00:00Z'), 240);
    expect(due.toISOString()).toBe('2025-12-29T11:30:00.000Z');
  });

  it('reads hours in the project zone, not UTC: the same instant is inside hours in New York only', () => {
    const newYork = businessCalendar(withDefaults(NEW_YORK));
    // 22:00 UTC is 17:00 in New York (an hour of work left) and 01:00 next day in Moscow.
    const at = new Date('2025-12-09T22:00:00Z');
    expect(addWorkingMinutes(newYork, at, 60).toISOString()).toBe('2025-12-09T23:00:00.000Z');
    expect(addWorkingMinutes(moscow, at, 60).toISOString()).toBe(
      new Date('2025-12-10T11:00:00+03:00').toISOString(),
    );
  });

  it('keeps wall-clock hours across a daylight-saving change (London, 29 March 2026)', () => {
    const due = addWorkingMinutes(london, new Date('2026-03-27T16:30:00Z'), 120);
    // Friday 16:30 GMT + 1 h = 17:30; Monday opens at 09:00 BST = 08:00Z, + 1 h.
    expect(due.toISOString()).toBe('2026-03-30T09:00:00.000Z');
  });

  it('counts only working minutes between two instants', () => {
    const minutes = workingMinutesBetween(
      moscow,
      new Date('2025-12-05T18:00:00+03:00'),
      new Date('2025-12-08T11:00:00+03:00'),
    );
    expect(minutes).toBe(120);
  });

  it('refuses settings that cannot describe a working week', () => {
    expect(() => businessCalendar(withDefaults({ time_zone: 'Mars/Olympus' }))).toThrow(/IANA/);
    expect(() =>
      businessCalendar(
        withDefaults({ business_hours: { days: [1], start: '18:00', end: '09:00' } }),
      ),
    ).toThrow(/end/);
  });
});
