'use client';
import { useTranslations } from 'next-intl';
import { Button } from '@/components/ui/button';

/** Last line of defence: an unexpected rendering error shows words and a way out, not a trace. */
export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  const t = useTranslations('errorPage');
  return (
    <main className="mx-auto flex max-w-md flex-col gap-3 p-8" role="alert">
      <h1 className="text-xl font-semibold">{t('title')}</h1>
      <p className="text-sm text-muted-foreground">{t('body')}</p>
      <div className="flex gap-2">
        <Button onClick={reset}>{t('tryAgain')}</Button>
        <Button variant="outline" asChild>
          <a href="/search">{t('goToSearch')}</a>
        </Button>
      </div>
    </main>
  );
}
