'use client';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect } from 'react';
import { landingPath, useMe } from '@/lib/session';
import { LoadingState } from '@/components/states';

/** `/`: Today when the session has an active project, Search until it has, the login otherwise. */
export function HomeRedirect() {
  const t = useTranslations('shell');
  const router = useRouter();
  const me = useMe();
  useEffect(() => {
    if (!me.data && !me.isError) return;
    if (!me.data?.authenticated) router.replace('/login');
    else router.replace(landingPath(me.data.active_project_id));
  }, [me.data, me.isError, router]);
  return (
    <main className="mx-auto max-w-lg p-6">
      <LoadingState label={t('checkingSession')} />
    </main>
  );
}
