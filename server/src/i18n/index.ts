/**
 * What the server itself says to people (pages it renders, emails it sends) in their language.
 * One catalogue per locale in ./messages, the same ICU MessageFormat as the web catalogues
 * (web/messages), checked with them by `npm run check:messages -w web`: same keys, no empty value,
 * the same placeholders. A key missing in a locale falls back to English.
 *
 *   t(recipientLocale, 'unsubscribe.done.heading')
 *   t(user.locale, 'counts.messages', { count: 21 })   // "21 сообщение"
 */
import { LOCALES, type Locale } from '@cairn/contract';
import { IntlMessageFormat } from 'intl-messageformat';
import Negotiator from 'negotiator';
import en from './messages/en.json' with { type: 'json' };
import ru from './messages/ru.json' with { type: 'json' };

export const DEFAULT_LOCALE: Locale = 'en';

type Catalogue = typeof en;

/** Every dotted path to a string in the English catalogue, e.g. `unsubscribe.done.heading`. */
export type Leaves<T> = {
  [K in keyof T & string]: T[K] extends string ? K : `${K}.${Leaves<T[K]>}`;
}[keyof T & string];
export type MessageKey = Leaves<Catalogue>;
export type MessageParams = Record<string, string | number | Date>;

export const isLocale = (value: unknown): value is Locale =>
  typeof value === 'string' && (LOCALES as readonly string[]).includes(value);

function lookup(catalogue: unknown, key: string): string | undefined {
  let node = catalogue;
  for (const part of key.split('.')) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' && node !== '' ? node : undefined;
}

/**
 * A translator over `catalogues`: `t(locale, key, params)` is the message `key` in `locale` (any
 * value that is not a supported locale means English; a key missing or empty there falls back to
 * English), with ICU arguments and plurals filled in from `params`. Plain text: a caller putting
 * it into HTML escapes it like any other text.
 */
export function createTranslator<C extends object>(
  catalogues: { en: C } & Record<Locale, unknown>,
) {
  return (locale: string | null | undefined, key: Leaves<C>, params?: MessageParams): string => {
    const chosen = isLocale(locale) ? locale : DEFAULT_LOCALE;
    const own = lookup(catalogues[chosen], key);
    // English text is formatted with English plural rules, even inside a Russian email.
    const [source, language] =
      own === undefined ? [lookup(catalogues.en, key), DEFAULT_LOCALE] : [own, chosen];
    if (source === undefined) throw new Error(`no message ${key}`);
    return String(new IntlMessageFormat(source, language).format(params));
  };
}

export const t = createTranslator<Catalogue>({ en, ru });

/** The best supported locale for an Accept-Language header (recipients who are not users). */
export function localeFromAcceptLanguage(header: string | string[] | undefined): Locale {
  const found = new Negotiator({ headers: { 'accept-language': header } }).language([...LOCALES]);
  return isLocale(found) ? found : DEFAULT_LOCALE;
}
