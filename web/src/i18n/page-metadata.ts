import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import type messages from '../../messages/en.json';

/** `export const generateMetadata = pageMetadata('search')`: the tab title in the request's locale. */
export const pageMetadata =
  (page: keyof (typeof messages)['titles']) => async (): Promise<Metadata> => ({
    title: (await getTranslations('titles'))(page),
  });
