'use client';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { locales, type AppLocale } from '@/i18n/config';
import type { WorkspaceRole } from '@/lib/api-types';
import type { useUsers } from '@/lib/users';
import { Button } from '@/components/ui/button';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { MutationError } from '@/components/states';
import { SettingsSection } from '@/components/settings/settings-section';
import { LinkResult } from './link-result';

/** Invite a user: a one-time link to copy, and an email in the invitee's language if given. */
export function InviteForm({
  invite,
  defaultLocale,
}: {
  invite: ReturnType<typeof useUsers>['invite'];
  defaultLocale: AppLocale;
}) {
  const t = useTranslations('team');
  const tSettings = useTranslations('settings');
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<WorkspaceRole>('member');
  const [locale, setLocale] = useState<AppLocale>(defaultLocale);

  function submit(event: FormEvent) {
    event.preventDefault();
    invite.mutate(
      { username: username.trim(), role, locale, ...(email.trim() ? { email: email.trim() } : {}) },
      {
        onSuccess: () => {
          setUsername('');
          setEmail('');
        },
      },
    );
  }

  return (
    <SettingsSection title={t('invite.title')} description={t('invite.description')}>
      <form className="grid gap-3 sm:grid-cols-2" onSubmit={submit} aria-label={t('invite.title')}>
        <div className="flex flex-col gap-2">
          <Label htmlFor="invite-username">{t('invite.username')}</Label>
          <Input
            id="invite-username"
            required
            pattern="\S+"
            autoComplete="off"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="invite-email">{t('invite.email')}</Label>
          <Input
            id="invite-email"
            type="email"
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="invite-role">{t('invite.role')}</Label>
          <NativeSelect
            id="invite-role"
            value={role}
            onChange={(e) => setRole(e.target.value as WorkspaceRole)}
          >
            <option value="member">{t('roles.member')}</option>
            <option value="owner">{t('roles.owner')}</option>
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="invite-locale">{t('invite.language')}</Label>
          <NativeSelect
            id="invite-locale"
            value={locale}
            onChange={(e) => setLocale(e.target.value as AppLocale)}
          >
            {locales.map((value) => (
              <option key={value} value={value} lang={value}>
                {tSettings(`languageNames.${value}`)}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="sm:col-span-2">
          <Button type="submit" disabled={invite.isPending || !username.trim()}>
            {invite.isPending ? t('invite.sending') : t('invite.submit')}
          </Button>
        </div>
      </form>
      <div className="mt-3" aria-live="polite">
        {invite.data ? <LinkResult result={invite.data} purpose="invite" /> : null}
        <MutationError error={invite.error} />
      </div>
    </SettingsSection>
  );
}
