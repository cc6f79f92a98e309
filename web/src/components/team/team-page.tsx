'use client';
import { useLocale, useTranslations } from 'next-intl';
import { isLocale } from '@/i18n/config';
import { useMe } from '@/lib/session';
import { useUsers } from '@/lib/users';
import { PageHeader } from '@/components/page-header';
import { EmptyState, ErrorState, LoadingState, MutationError } from '@/components/states';
import { SettingsSection } from '@/components/settings/settings-section';
import { InviteForm } from './invite-form';
import { LinkResult } from './link-result';
import { UsersTable } from './users-table';

/** Settings → Team (owners): the workspace's users, invitations, roles, resets. */
export function TeamSettingsPage() {
  const t = useTranslations('team');
  const locale = useLocale();
  const me = useMe();
  const allowed = me.data?.authenticated === true && me.data.permissions.includes('users:manage');
  const users = useUsers(allowed);
  const selfId = me.data?.authenticated ? me.data.user_id : null;

  if (me.isLoading) return <LoadingState label={t('loading')} />;
  if (!allowed) {
    return (
      <>
        <PageHeader title={t('title')} />
        <EmptyState title={t('ownersOnly')}>{t('ownersOnlyBody')}</EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <div className="flex max-w-4xl flex-col gap-5">
        <InviteForm invite={users.invite} defaultLocale={isLocale(locale) ? locale : 'en'} />
        <SettingsSection title={t('users.title')}>
          {users.list.isLoading ? (
            <LoadingState label={t('loading')} />
          ) : users.list.isError ? (
            <ErrorState error={users.list.error} onRetry={() => users.list.refetch()} />
          ) : (
            <UsersTable users={users.list.data!.users} actions={users} selfId={selfId} />
          )}
          <div className="mt-3" aria-live="polite">
            {users.reset.data ? <LinkResult result={users.reset.data} purpose="reset" /> : null}
            <MutationError error={users.update.error ?? users.reset.error} />
          </div>
        </SettingsSection>
      </div>
    </>
  );
}
