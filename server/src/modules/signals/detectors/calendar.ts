import { DateTime } from 'luxon';
import type { SignalSettings } from './types.js';

/**
 * A project's working calendar: business days and hours in its IANA zone, minus holidays.
 * Luxon does the zone arithmetic (offsets and DST transitions); the walking over working days is
 * the product's own rule, so it lives here.
 */
export interface BusinessCalendar {
  zone: string;
  days: ReadonlySet<number>;
  startMinute: number;
  endMinute: number;
  holidays: ReadonlySet<string>;
}

/** How far the calendar walks before giving up: ten years of days, far past any real target. */
const MAX_DAYS_WALKED = 3660;

function minuteOfDay(hhmm: string, field: string): number {
  const match = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
  if (!(minutes >= 0 && minutes <= 24 * 60)) throw new RangeError(`${field} must be HH:MM`);
  return minutes;
}

export function businessCalendar(settings: SignalSettings): BusinessCalendar {
  const { business_hours: hours } = settings;
  if (!DateTime.local().setZone(settings.time_zone).isValid) {
    throw new RangeError(`time_zone ${settings.time_zone} is not an IANA zone`);
  }
  const startMinute = minuteOfDay(hours.start, 'business_hours.start');
  const endMinute = minuteOfDay(hours.end, 'business_hours.end');
  if (endMinute <= startMinute) throw new RangeError('business_hours.end must follow start');
  const days = new Set(hours.days.filter((d) => Number.isInteger(d) && d >= 1 && d <= 7));
  if (days.size === 0) throw new RangeError('business_hours.days must name a weekday 1–7');
  return {
    zone: settings.time_zone,
    days,
    startMinute,
    endMinute,
    holidays: new Set(settings.holidays),
  };
}

export function inZone(calendar: BusinessCalendar, instant: Date | string): DateTime {
  const dt =
    typeof instant === 'string'
      ? DateTime.fromISO(instant, { zone: calendar.zone })
      : DateTime.fromJSDate(instant, { zone: calendar.zone });
  return dt;
}

export function isWorkingDay(calendar: BusinessCalendar, day: DateTime): boolean {
  return calendar.days.has(day.weekday) && !calendar.holidays.has(day.toISODate() ?? '');
}

/** The local wall-clock moment `minute` minutes after midnight on `day`'s date. */
export function atMinute(day: DateTime, minute: number): DateTime {
  return day.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 });
}

/** The end of business hours on a calendar date (working day or not): where date-only deadlines land. */
export function endOfBusinessOn(calendar: BusinessCalendar, day: DateTime): DateTime {
  return atMinute(day.startOf('day'), calendar.endMinute);
}

/** The first working day on or after `day` (by date). */
export function workingDayOnOrAfter(calendar: BusinessCalendar, day: DateTime): DateTime {
  let cursor = day.startOf('day');
  for (let i = 0; i < MAX_DAYS_WALKED && !isWorkingDay(calendar, cursor); i += 1) {
    cursor = cursor.plus({ days: 1 });
  }
  return cursor;
}

/** The last working day on or before `day` (by date). */
export function workingDayOnOrBefore(calendar: BusinessCalendar, day: DateTime): DateTime {
  let cursor = day.startOf('day');
  for (let i = 0; i < MAX_DAYS_WALKED && !isWorkingDay(calendar, cursor); i += 1) {
    cursor = cursor.minus({ days: 1 });
  }
  return cursor;
}

/**
 * The instant `minutes` working minutes after `from`: time outside business hours, on days off
 * and on holidays does not count. A message at 17:00 Friday with a 4-hour target and 09:00–18:00
 * hours is due at 12:00 on Monday.
 */
export function addWorkingMinutes(calendar: BusinessCalendar, from: Date, minutes: number): Date {
  let cursor = inZone(calendar, from);
  let remaining = Math.max(0, minutes);
  for (let i = 0; i < MAX_DAYS_WALKED; i += 1) {
    const day = cursor.startOf('day');
    if (isWorkingDay(calendar, day)) {
      const open = atMinute(day, calendar.startMinute);
      const close = atMinute(day, calendar.endMinute);
      if (cursor < open) cursor = open;
      if (cursor < close) {
        const available = close.diff(cursor, 'minutes').minutes;
        if (remaining <= available) return cursor.plus({ minutes: remaining }).toJSDate();
        remaining -= available;
      }
    }
    cursor = day.plus({ days: 1 });
  }
  return cursor.toJSDate();
}

/**
 * Working minutes between two instants (0 when `to` is not after `from`); with `atLeast`, the
 * walk stops once that many are counted (a severity only asks whether a threshold was crossed).
 */
export function workingMinutesBetween(
  calendar: BusinessCalendar,
  from: Date,
  to: Date,
  atLeast = Infinity,
): number {
  if (to <= from) return 0;
  let cursor = inZone(calendar, from);
  const end = inZone(calendar, to);
  let total = 0;
  for (let i = 0; i < MAX_DAYS_WALKED && cursor < end && total < atLeast; i += 1) {
    const day = cursor.startOf('day');
    if (isWorkingDay(calendar, day)) {
      const open = atMinute(day, calendar.startMinute);
      const close = atMinute(day, calendar.endMinute);
      const a = cursor < open ? open : cursor;
      const b = end < close ? end : close;
      if (b > a) total += b.diff(a, 'minutes').minutes;
    }
    cursor = day.plus({ days: 1 });
  }
  return Math.round(total);
}

/** A due time as a person in the project reads it, e.g. `Fri 12 Dec 18:00`. */
export function formatLocal(calendar: BusinessCalendar, instant: Date): string {
  return inZone(calendar, instant).setLocale('en-GB').toFormat('ccc d LLL HH:mm');
}

/** One business day in minutes, the unit severities escalate by. */
export function businessDayMinutes(calendar: BusinessCalendar): number {
  return calendar.endMinute - calendar.startMinute;
}
