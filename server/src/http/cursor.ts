import { AppError } from './errors.js';

/**
 * The one codec of the API's opaque keyset cursors: the last row's sort key as base64url JSON.
 * Lists decode with the fields (and their types) they issued; anything else is a 400 on `cursor`,
 * never a 500, so a forged or stale cursor from another list is refused cleanly.
 */
export type CursorValue = Record<string, string | number>;

export function encodeCursor(value: CursorValue): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T extends CursorValue>(
  cursor: string | undefined,
  fields: Record<keyof T, 'string' | 'number'>,
  valid: (value: T) => boolean = () => true,
): T | null {
  if (cursor === undefined) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    for (const [key, type] of Object.entries(fields))
      if (typeof value[key] !== type) throw new Error(key);
    if (!valid(value as T)) throw new Error('cursor');
    return value as T;
  } catch {
    throw new AppError('validation_error', 'invalid cursor', {
      fields: [{ field: 'cursor', message: 'is not a cursor this endpoint issued' }],
    });
  }
}
