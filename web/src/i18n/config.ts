import type { Locale } from '@cairn/contract';

/**
 * The interface languages. Kept here rather than imported from @cairn/contract so that no schema
 * reaches the browser bundle; `satisfies` fails the build if the two lists part ways.
 */
export const locales = ['en', 'ru'] as const satisfies readonly Locale[];
export type AppLocale = (typeof locales)[number];
export const defaultLocale: AppLocale = 'en';

/**
 * The user's saved language, mirrored into a cookie so the server renders the right language on
 * the first byte. It holds only what `GET /auth/me` reports as `locale` (the app shell keeps the
 * two equal); without it, Accept-Language decides.
 */
export const LOCALE_COOKIE = 'NEXT_LOCALE';

export const isLocale = (value: unknown): value is AppLocale =>
  typeof value === 'string' && (locales as readonly string[]).includes(value);
