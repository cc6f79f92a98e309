'use client';
import { useFormatter, type NumberFormatOptions } from 'next-intl';
import { useMemo } from 'react';
import { useActiveProject } from './active-project';

type DateInput = string | number | Date | null | undefined;
const EMPTY = '—';

/**
 * The time zone every date is shown in: the active project's once projects carry a `time_zone`,
 * the browser's until then. The one place to change when they do.
 */
export function useTimeZone(): string {
  const { project } = useActiveProject();
  const projectZone = project && 'time_zone' in project ? project.time_zone : undefined;
  return typeof projectZone === 'string' && projectZone
    ? projectZone
    : Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function toDate(value: DateInput): Date | null {
  if (value === null || value === undefined || value === '') return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/**
 * Dates, relative times, numbers, sizes, durations and money in the user's locale (next-intl's
 * formatters over Intl) and the project's time zone. Every component formats through this.
 */
export function useFormat() {
  const format = useFormatter();
  const timeZone = useTimeZone();
  return useMemo(
    () => ({
      dateTime(value: DateInput): string {
        const date = toDate(value);
        if (!date) return value ? String(value) : EMPTY;
        return format.dateTime(date, { dateStyle: 'medium', timeStyle: 'short', timeZone });
      },
      /** "3 hours ago" / "3 часа назад", against `now` (useNow keeps it moving). */
      relativeTime(value: DateInput, now: Date): string {
        const date = toDate(value);
        return date ? format.relativeTime(date, now) : EMPTY;
      },
      number: (value: number, options?: NumberFormatOptions) => format.number(value, options),
      /** 99.5 → "99.5%" / "99,5 %". */
      percent: (value: number) =>
        format.number(value / 100, {
          style: 'percent',
          minimumFractionDigits: 1,
          maximumFractionDigits: 1,
        }),
      /** ["a", "b", "c"] → "a, b, and c" / "a, b и c". */
      list: (items: string[]) => format.list(items, { type: 'conjunction' }),
      currency: (amount: number, currency: string) =>
        format.number(amount, { style: 'currency', currency }),
      /** 1536 → "1.5 kB" / "1,5 кБ" (binary steps, as storage sizes are reported). */
      bytes(bytes: number | null | undefined): string {
        if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return EMPTY;
        let value = bytes;
        let unit = 0;
        while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
          value /= 1024;
          unit += 1;
        }
        return format.number(value, {
          style: 'unit',
          unit: BYTE_UNITS[unit],
          unitDisplay: unit === 0 ? 'narrow' : 'short',
          maximumFractionDigits: value >= 10 || unit === 0 ? 0 : 1,
        });
      },
      /** A cadence in its largest whole unit: 3600 → "1 hr" / "1 ч", 300 → "5 min" / "5 мин". */
      duration(seconds: number): string {
        const [value, unit] =
          seconds % 3600 === 0
            ? [seconds / 3600, 'hour']
            : seconds % 60 === 0
              ? [seconds / 60, 'minute']
              : [seconds, 'second'];
        return format.number(value, { style: 'unit', unit, unitDisplay: 'short' });
      },
    }),
    [format, timeZone],
  );
}
