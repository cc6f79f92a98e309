'use client';
import { useTranslations } from 'next-intl';
import { useMe } from '@/lib/session';
import { useMySessions } from '@/lib/my-sessions';
import { PageHeader } from '@/components/page-header';
import { DigestSection } from './digest-section';
import { LanguageSection } from './language-section';
import { PasswordSection } from './password-section';
import { SessionsSection } from './sessions-section';
import { TokensSection } from './tokens-section';

/**
 * Settings → Profile: the signed-in user's own settings, one section each: language, the daily
 * digest, password, sessions and personal API tokens (all but the language only in a browser
 * session: a token cannot manage them, and the API says so).
 */
export function ProfileSettingsPage() {
  const t = useTranslations('settings');
  const me = useMe();
  const username = me.data?.authenticated ? me.data.username : '';
  const sessions = useMySessions();
  const canManageSelf =
    me.data?.authenticated === true && me.data.permissions.includes('self:manage');
  return (
    <>
      <PageHeader title={t('title')} description={t('description', { username })} />
      <div className="flex max-w-2xl flex-col gap-5">
        <LanguageSection />
        {canManageSelf ? (
          <>
            <DigestSection />
            <PasswordSection changePassword={sessions.changePassword} />
            <SessionsSection sessions={sessions} />
            <TokensSection />
          </>
        ) : null}
      </div>
    </>
  );
}
