'use client';
import { useTranslations } from 'next-intl';
import type { useMySessions } from '@/lib/my-sessions';
import { useFormat } from '@/lib/format';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ErrorState, LoadingState, MutationError } from '@/components/states';
import { SettingsSection } from './settings-section';

/** My live sessions: where and when, which is this one; end one or every other. */
export function SessionsSection({ sessions }: { sessions: ReturnType<typeof useMySessions> }) {
  const t = useTranslations('settings.sessions');
  const format = useFormat();
  const { list, revoke, revokeOthers } = sessions;
  const others = list.data?.sessions.filter((s) => !s.current).length ?? 0;
  return (
    <SettingsSection title={t('title')} description={t('description')}>
      {list.isLoading ? (
        <LoadingState label={t('loading')} />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <ul className="flex flex-col divide-y" aria-label={t('title')}>
          {list.data!.sessions.map((session) => (
            <li
              key={session.id}
              className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm"
              data-testid="session-row"
            >
              <div className="min-w-0">
                <p className="truncate font-medium">{session.user_agent ?? t('unknownBrowser')}</p>
                <p className="text-xs text-muted-foreground">
                  {t('details', {
                    ip: session.ip ?? '—',
                    created: format.dateTime(session.created_at),
                    lastSeen: format.dateTime(session.last_seen_at),
                  })}
                </p>
              </div>
              {session.current ? (
                <Badge variant="success">{t('current')}</Badge>
              ) : (
                <Button
                  size="sm"
                  variant="outline"
                  disabled={revoke.isPending}
                  onClick={() => revoke.mutate(session.id)}
                  aria-label={t('revokeLabel', { created: format.dateTime(session.created_at) })}
                >
                  {t('revoke')}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others > 0 ? (
        <Button
          className="mt-3"
          variant="outline"
          disabled={revokeOthers.isPending}
          onClick={() => revokeOthers.mutate()}
        >
          {t('revokeOthers', { count: others })}
        </Button>
      ) : null}
      <MutationError error={revoke.error ?? revokeOthers.error} />
    </SettingsSection>
  );
}
