import type { Metadata, Viewport } from 'next';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getTranslations } from 'next-intl/server';
import type { ReactNode } from 'react';
import { StartingGate } from '@/components/starting-gate';
import { Providers } from './providers';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('meta');
  return {
    title: { default: 'Cairn', template: '%s · Cairn' },
    description: t('description'),
  };
}

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

/**
 * `lang` and the messages follow the request's locale (src/server/i18n-request.ts). Switching the
 * language refreshes this layout in place (router.refresh), so the messages swap while every
 * client component, and the query cache with its data, stays as it is.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  return (
    <html lang={locale}>
      <body className="min-h-dvh">
        <NextIntlClientProvider>
          <Providers>
            <StartingGate>{children}</StartingGate>
          </Providers>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
