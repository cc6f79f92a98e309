// Linear's filter inputs (IssueFilter, CommentFilter, …) evaluated against records: the comparators
// and `and`/`or` nesting of the subset in schema.graphql. Dates accept what DateTimeOrDuration
// accepts: ISO 8601 dates and date-times (`2021` = midnight 1 Jan 2021) and ISO 8601 durations
// added to now (`-P2W1D` = two weeks and a day ago).
import { invalidInput } from './errors.js';

type Json = Record<string, unknown>;

const DURATION =
  /^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Unix milliseconds of a DateTimeOrDuration value. */
export function parseDateTimeOrDuration(value: unknown, now: number): number {
  if (typeof value !== 'string' || value === '')
    throw invalidInput('Invalid date', 'Date comparators take an ISO 8601 date or duration.');
  const duration = DURATION.exec(value);
  if (duration && value !== 'P' && value !== '-P' && !value.endsWith('T')) {
    const [, minus, y, mo, w, d, h, mi, s] = duration;
    const n = (part: string | undefined) => (part ? Number(part) : 0);
    const ms =
      ((n(y) * 365 + n(mo) * 30 + n(w) * 7 + n(d)) * 86_400 + n(h) * 3_600 + n(mi) * 60 + n(s)) *
      1000;
    return now + (minus ? -ms : ms);
  }
  const text = /^\d{4}$/.test(value) ? `${value}-01-01T00:00:00Z` : value;
  const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(parsed))
    throw invalidInput(`Invalid date: ${value}`, `"${value}" is not an ISO 8601 date or duration.`);
  return parsed;
}

export function dateMatches(value: number | null, comparator: Json, now: number): boolean {
  for (const [op, raw] of Object.entries(comparator)) {
    if (op === 'null') {
      if ((value === null) !== raw) return false;
      continue;
    }
    if (value === null) return false;
    const at = parseDateTimeOrDuration(raw, now);
    if (op === 'eq' && !(value === at)) return false;
    if (op === 'gt' && !(value > at)) return false;
    if (op === 'gte' && !(value >= at)) return false;
    if (op === 'lt' && !(value < at)) return false;
    if (op === 'lte' && !(value <= at)) return false;
  }
  return true;
}

export function idMatches(value: string, comparator: Json): boolean {
  for (const [op, raw] of Object.entries(comparator)) {
    if (op === 'eq' && value !== raw) return false;
    if (op === 'neq' && value === raw) return false;
    if (op === 'in' && !(raw as string[]).includes(value)) return false;
    if (op === 'nin' && (raw as string[]).includes(value)) return false;
  }
  return true;
}

export function stringMatches(value: string, comparator: Json): boolean {
  for (const [op, raw] of Object.entries(comparator)) {
    if (op === 'eq' && value !== raw) return false;
    if (op === 'neq' && value === raw) return false;
    if (op === 'eqIgnoreCase' && value.toLowerCase() !== String(raw).toLowerCase()) return false;
    if (op === 'in' && !(raw as string[]).includes(value)) return false;
    if (op === 'nin' && (raw as string[]).includes(value)) return false;
  }
  return true;
}

/**
 * Evaluates a filter: each key is either `and`/`or` (lists of the same filter) or a field with its
 * own matcher. Filters on optional relations (Nullable…Filter) are evaluated with the related
 * record or null as subject, and their `null: Boolean` is one more field.
 */
export function matches<T>(
  subject: T,
  filter: Json | null | undefined,
  fields: Readonly<Record<string, (subject: T, comparator: Json) => boolean>>,
): boolean {
  if (!filter) return true;
  for (const [key, value] of Object.entries(filter)) {
    if (value === null || value === undefined) continue;
    if (key === 'and') {
      if (!(value as Json[]).every((f) => matches(subject, f, fields))) return false;
    } else if (key === 'or') {
      if (!(value as Json[]).some((f) => matches(subject, f, fields))) return false;
    } else {
      const field = fields[key];
      if (!field) throw invalidInput(`Unsupported filter field ${key}`, `Cannot filter by ${key}.`);
      if (!field(subject, value as Json)) return false;
    }
  }
  return true;
}

/** `null: true` matches a missing relation, `null: false` a present one. */
export function nullMatches(subject: unknown, wanted: unknown): boolean {
  return (subject === null) === wanted;
}
