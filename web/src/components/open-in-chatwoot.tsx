'use client';
import { ExternalLinkIcon } from 'lucide-react';
import { useTranslations } from 'next-intl';
import { safeExternalUrl } from '@/lib/links';
import { Button } from '@/components/ui/button';

/** The way back to the source conversation; nothing when the link is missing or not http(s). */
export function OpenInChatwoot({ href }: { href: string | null | undefined }) {
  const t = useTranslations('common');
  const url = safeExternalUrl(href);
  if (!url) return null;
  return (
    <Button size="sm" variant="outline" asChild>
      <a href={url} target="_blank" rel="noopener noreferrer">
        <ExternalLinkIcon aria-hidden />
        {t('openInChatwoot')}
        <span className="sr-only"> {t('opensInNewTab')}</span>
      </a>
    </Button>
  );
}
