import 'server-only';
import Negotiator from 'negotiator';
import { cookies, headers } from 'next/headers';
import { getRequestConfig } from 'next-intl/server';
import { defaultLocale, isLocale, LOCALE_COOKIE, locales, type AppLocale } from '@/i18n/config';

/**
 * The locale of one request, without locale prefixes in URLs: the user's saved choice (mirrored in
 * the locale cookie), else the best match of Accept-Language, else English.
 */
async function requestLocale(): Promise<AppLocale> {
  const saved = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (isLocale(saved)) return saved;
  const acceptLanguage = (await headers()).get('accept-language') ?? undefined;
  const negotiated = new Negotiator({ headers: { 'accept-language': acceptLanguage } }).language([
    ...locales,
  ]);
  return isLocale(negotiated) ? negotiated : defaultLocale;
}

export default getRequestConfig(async () => {
  const locale = await requestLocale();
  return {
    locale,
    messages: (await import(`../../messages/${locale}.json`)).default,
  };
});
