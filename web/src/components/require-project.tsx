'use client';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import { useActiveProject } from '@/lib/active-project';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/states';

/** Scoped pages render only with an active project; the API would answer 409 otherwise. */
export function RequireProject({ children }: { children: (projectId: string) => ReactNode }) {
  const t = useTranslations('states');
  const { projectId } = useActiveProject();
  if (!projectId) {
    return (
      <EmptyState
        title={t('noActiveProject')}
        action={
          <Button asChild>
            <Link href="/projects">{t('chooseOrCreateProject')}</Link>
          </Button>
        }
      >
        {t('noActiveProjectBody')}
      </EmptyState>
    );
  }
  return <>{children(projectId)}</>;
}
