// @module-tag no-database
import { describe, expect, it } from 'vitest';
import { createTranslator, localeFromAcceptLanguage, t } from '../../src/i18n/index.js';

describe('the server catalogue (pages and emails in the recipient language)', () => {
  it('uses the three Russian plural forms: 1 сообщение, 2 сообщения, 5 сообщений, 21 сообщение', () => {
    const forms = [1, 2, 5, 11, 21, 22, 25].map((count) => t('ru', 'counts.messages', { count }));
    expect(forms).toEqual([
      '1 сообщение',
      '2 сообщения',
      '5 сообщений',
      '11 сообщений',
      '21 сообщение',
      '22 сообщения',
      '25 сообщений',
    ]);
    expect(t('ru', 'counts.conversations', { count: 3 })).toBe('3 разговора');
  });

  it('speaks English with English plural rules, and for any locale it does not carry', () => {
    expect(t('en', 'counts.messages', { count: 1 })).toBe('1 message');
    expect(t('en', 'counts.messages', { count: 21 })).toBe('21 messages');
    for (const locale of [null, undefined, 'de', '']) {
      expect(t(locale, 'unsubscribe.done.heading')).toBe('You are unsubscribed');
    }
    expect(t('ru', 'unsubscribe.done.heading')).toBe('Вы отписались');
  });

  it('falls back to the English text, formatted as English, when a locale lacks the key', () => {
    const translate = createTranslator({
      en: { invite: { subject: '{count, plural, one {# invitation} other {# invitations}}' } },
      ru: { invite: {} },
    });
    expect(translate('ru', 'invite.subject', { count: 21 })).toBe('21 invitations');
  });

  it('picks the recipient locale from Accept-Language, English when none fits', () => {
    expect(localeFromAcceptLanguage('ru-RU,ru;q=0.9,en-US;q=0.8')).toBe('ru');
    expect(localeFromAcceptLanguage('ru-RU')).toBe('ru');
    expect(localeFromAcceptLanguage('uk-UA,uk;q=0.9,ru;q=0.8')).toBe('ru');
    expect(localeFromAcceptLanguage('en-GB,en;q=0.9,ru;q=0.5')).toBe('en');
    expect(localeFromAcceptLanguage('de-DE')).toBe('en');
    expect(localeFromAcceptLanguage(undefined)).toBe('en');
    expect(localeFromAcceptLanguage('ru-RU;q=abc,,;')).toBe('en');
  });
});
