/**
 * Text Postgres cannot store: NUL (refused by `text` and by `jsonb`'s `\u0000`) and UTF-16
 * surrogates without their pair (refused by `jsonb` as an invalid escape). A request carrying
 * either is refused at validation (http/validation.ts); ingested content has them replaced, so
 * that one odd message from a source can never stop a sync.
 */

// NUL is the point of this pattern, so the control-character lint does not apply here.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** U+FFFD REPLACEMENT CHARACTER: what Unicode says to show for a character that cannot be kept. */
export const REPLACEMENT_CHARACTER = '\uFFFD';

export function scrubText(text: string): string {
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, REPLACEMENT_CHARACTER) : text;
}

/** A JSON value with every string and property name scrubbed; unchanged parts are reused. */
export function scrubJson<T>(value: T): T {
  if (typeof value === 'string') return scrubText(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubJson(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [scrubText(key), scrubJson(item)]),
    ) as T;
  }
  return value;
}

export interface UnstorableText {
  /** JSON pointer of the string (or of the object holding the property name). */
  path: string;
  message: string;
}

/** The first string or property name that Postgres cannot store, or null. */
export function findUnstorableText(value: unknown, path = ''): UnstorableText | null {
  if (typeof value === 'string') {
    return UNSTORABLE.test(value) ? { path, message: describe(value) } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${path}/${i}`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) return { path, message: `a property name ${describe(key)}` };
      const found = findUnstorableText(item, `${path}/${key}`);
      if (found) return found;
    }
  }
  return null;
}

const describe = (text: string) =>
  text.includes('\u0000')
    ? 'must not contain the NUL character (\\u0000)'
    : 'must be valid Unicode text (an unpaired surrogate was found)';
