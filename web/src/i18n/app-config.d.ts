import type messages from '../../messages/en.json';
import type { AppLocale } from './config';

// Typed keys: `t('search.titel')` or a wrong argument is a compile error, checked by
// `npm run typecheck`. English is the reference catalogue; check:messages keeps ru equal to it.
declare module 'next-intl' {
  interface AppConfig {
    Locale: AppLocale;
    Messages: typeof messages;
  }
}
