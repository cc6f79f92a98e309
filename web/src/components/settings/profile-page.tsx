'use client';
import { useTranslations } from 'next-intl';
import { useMe } from '@/lib/session';
import { PageHeader } from '@/components/page-header';
import { LanguageSection } from './language-section';

/**
 * Settings → Profile: the signed-in user's own settings, one section each. Language is the first;
 * password, sessions and personal tokens join as sections of their own.
 */
export function ProfileSettingsPage() {
  const t = useTranslations('settings');
  const me = useMe();
  const username = me.data?.authenticated ? me.data.username : '';
  return (
    <>
      <PageHeader title={t('title')} description={t('description', { username })} />
      <div className="flex max-w-2xl flex-col gap-5">
        <LanguageSection />
      </div>
    </>
  );
}
