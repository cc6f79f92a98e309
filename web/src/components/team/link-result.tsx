'use client';
import { useTranslations } from 'next-intl';
import type { UserWithLink } from '@/lib/api-types';
import { useFormat } from '@/lib/format';
import { OneTimeSecret } from '@/components/ui/one-time-secret';

/** A fresh invitation or reset link, shown this once, and what became of its email. */
export function LinkResult({
  result,
  purpose,
}: {
  result: UserWithLink;
  purpose: 'invite' | 'reset';
}) {
  const t = useTranslations('team');
  const format = useFormat();
  return (
    <div className="flex flex-col gap-2" role="status">
      <OneTimeSecret
        label={t(`link.${purpose}Label`, { username: result.user.username })}
        value={result.invitation_url}
        copyLabel={t('link.copy')}
        testId="one-time-link"
        warning={t('link.warning', { expires: format.dateTime(result.expires_at) })}
      />
      {result.email ? (
        <p className="text-sm text-muted-foreground" data-testid="link-email">
          {t(`link.email.${result.email}`, { email: result.user.email ?? '' })}
        </p>
      ) : null}
    </div>
  );
}
