/**
 * Chatwoot sends timestamps in four shapes (docs/chatwoot.md §2): integer Unix seconds, float seconds
 * with microseconds (conversation `updated_at`), ISO-8601 strings, and 0 for "empty". This turns
 * any of them into a Date, or null when the value is empty or unreadable.
 */
export function parseChatwootTime(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return fromSeconds(value);
  if (typeof value === 'string') {
    if (/^\d+(\.\d+)?$/.test(value)) return fromSeconds(Number(value));
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? new Date(ms) : null;
  }
  return null;
}

/** Unix seconds (int or float) as a number, for values compared exactly (conversation `updated_at`). */
export function chatwootSeconds(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : null;
  const date = parseChatwootTime(value);
  return date ? date.getTime() / 1000 : null;
}

function fromSeconds(seconds: number): Date | null {
  // 0 is Chatwoot's "never" (first_reply_created_at, waiting_since, *_last_seen_at).
  if (!Number.isFinite(seconds) || seconds <= 0) return null;
  return new Date(Math.round(seconds * 1000));
}

/**
 * Whether a value is one of the four shapes (or empty): what the payload schemas accept for a
 * time field. Garbage such as "not a date" is refused there rather than stored as null.
 */
export function isChatwootTime(value: unknown): boolean {
  if (value === null || value === '') return true;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  return (
    typeof value === 'string' &&
    (/^\d+(\.\d+)?$/.test(value) ||
      (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && Number.isFinite(Date.parse(value))))
  );
}
