import { createTranslator } from 'next-intl';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS } from '../../server/src/http/errors';
import { CATALOGUE_DIRS, checkCatalogues, readCatalogues } from '../scripts/check-messages';
import en from '../messages/en.json';
import ru from '../messages/ru.json';

const clone = <T>(value: T): T => structuredClone(value);
const kinds = (catalogues: Record<string, Record<string, unknown>>) =>
  checkCatalogues(catalogues).map((p) => `${p.locale} ${p.key} ${p.kind}`);

describe('the catalogue check', () => {
  it('passes on the catalogues as they are, the web’s and the server’s', () => {
    for (const dir of CATALOGUE_DIRS) expect(checkCatalogues(readCatalogues(dir))).toEqual([]);
  });

  it('fails on a key missing in Russian, and on one Russian has that English lacks', () => {
    const broken = clone(ru);
    delete (broken.search as Record<string, unknown>).noneTitle;
    (broken.search as Record<string, unknown>).stray = 'лишнее';
    expect(kinds({ en, ru: broken })).toEqual([
      'ru search.noneTitle missing',
      'ru search.stray extra',
    ]);
  });

  it('fails on an empty value in either locale', () => {
    const emptyRu = clone(ru);
    emptyRu.nav.search = ' ';
    expect(kinds({ en, ru: emptyRu })).toEqual(['ru nav.search empty']);
    const emptyEn = clone(en);
    emptyEn.nav.search = '';
    expect(kinds({ en: emptyEn, ru })).toContain('en nav.search empty');
  });

  it('fails when the placeholders differ: a renamed argument, a plain one for a plural, a lost tag', () => {
    const broken = clone(ru);
    broken.shell.userMenu = 'Меню пользователя {user}';
    broken.thread.messageCount = '{count} сообщений';
    broken.common.requestId = 'Идентификатор запроса: {id}';
    expect(kinds({ en, ru: broken })).toEqual([
      'ru shell.userMenu placeholders',
      'ru common.requestId placeholders',
      'ru thread.messageCount placeholders',
    ]);
  });

  it('fails on a Russian plural without its three forms, and on a message that does not parse', () => {
    const broken = clone(ru);
    broken.thread.messageCount = '{count, plural, one {# сообщение} other {# сообщений}}';
    broken.search.count = '{count, plural, one {# доказательство';
    const problems = checkCatalogues({ en, ru: broken });
    expect(problems).toContainEqual(
      expect.objectContaining({ key: 'thread.messageCount', kind: 'plural_forms' }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ key: 'search.count', kind: 'syntax' }),
    );
  });
});

describe('the Russian catalogue', () => {
  const t = createTranslator({ locale: 'ru', messages: ru });

  it('says 1 сообщение, 2 сообщения, 5 сообщений, 21 сообщение', () => {
    expect([1, 2, 5, 11, 21, 22, 25].map((count) => t('thread.messageCount', { count }))).toEqual([
      '1 сообщение',
      '2 сообщения',
      '5 сообщений',
      '11 сообщений',
      '21 сообщение',
      '22 сообщения',
      '25 сообщений',
    ]);
    expect(t('search.count', { count: 21 })).toBe('21 доказательство');
    expect(t('login.tryAgainInSeconds', { seconds: 3 })).toBe('Попробуйте снова через 3 секунды.');
  });

  it('has words for every error code the server sends', () => {
    const translate = createTranslator({ locale: 'en', messages: en });
    for (const code of Object.keys(ERROR_STATUS)) {
      expect(translate.has(`errors.${code}` as 'errors.not_found'), code).toBe(true);
    }
  });
});
