'use client';
import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import { isLocale, LOCALE_COOKIE, type AppLocale } from '@/i18n/config';
import { readCookie } from './api-client';

// A year: the cookie only mirrors the saved choice, which the app shell re-checks on every load.
const LOCALE_COOKIE_MAX_AGE_SECONDS = 365 * 86_400;

function writeLocaleCookie(locale: AppLocale | null) {
  document.cookie = locale
    ? `${LOCALE_COOKIE}=${locale}; Path=/; Max-Age=${LOCALE_COOKIE_MAX_AGE_SECONDS}; SameSite=Lax`
    : `${LOCALE_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`;
}

/**
 * Keeps the rendered language equal to the signed-in user's saved one (`me.locale`; null follows
 * the browser). When they differ — a choice just saved, a sign-in on a new browser, another user
 * on this one — the cookie is rewritten and the server components refresh in place: messages and
 * `<html lang>` change, while the query cache keeps every page's data (no reload, no refetch).
 * `undefined` means "not known yet" and changes nothing.
 */
export function useSavedLocale(saved: AppLocale | null | undefined) {
  const router = useRouter();
  useEffect(() => {
    if (saved === undefined) return;
    const cookie = readCookie(LOCALE_COOKIE);
    if ((isLocale(cookie) ? cookie : null) === saved) return;
    writeLocaleCookie(saved);
    router.refresh();
  }, [saved, router]);
}
