import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { Button } from '@/components/ui/button';
import { pageMetadata } from '@/i18n/page-metadata';

export const generateMetadata = pageMetadata('notFound');

export default async function NotFound() {
  const t = await getTranslations('notFound');
  return (
    <main className="mx-auto flex max-w-md flex-col gap-3 p-8">
      <h1 className="text-xl font-semibold">{t('title')}</h1>
      <p className="text-sm text-muted-foreground">{t('body')}</p>
      <div>
        <Button asChild>
          <Link href="/search">{t('goToSearch')}</Link>
        </Button>
      </div>
    </main>
  );
}
