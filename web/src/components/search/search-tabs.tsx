'use client';
import { MessageCircleQuestionIcon, SearchIcon } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import { useActiveProject } from '@/lib/active-project';
import { cn } from '@/lib/utils';
import { PageHeader } from '@/components/page-header';
import { RequireProject } from '@/components/require-project';

/** Search and Ask side by side: two ways into the same evidence. */
export function SearchTabs() {
  const t = useTranslations('nav');
  const pathname = usePathname();
  const tabs = [
    { href: '/search', label: t('search'), icon: SearchIcon },
    { href: '/ask', label: t('ask'), icon: MessageCircleQuestionIcon },
  ];
  return (
    <nav aria-label={t('searchTabs')} className="mb-4 border-b">
      <ul className="flex gap-1">
        {tabs.map(({ href, label, icon: Icon }) => {
          const current = pathname === href;
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={current ? 'page' : undefined}
                className={cn(
                  '-mb-px flex items-center gap-2 border-b-2 px-3 py-2 text-sm font-medium',
                  current
                    ? 'border-primary text-foreground'
                    : 'border-transparent text-muted-foreground hover:text-foreground',
                )}
              >
                <Icon className="size-4" aria-hidden />
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/**
 * The frame of the Search and Ask pages: the title, the project they look into, the two tabs,
 * and the page's body for the active project (remounted when the project changes).
 */
export function SearchOrAskFrame({
  namespace,
  children,
}: {
  namespace: 'search' | 'ask';
  children: (projectId: string) => ReactNode;
}) {
  const t = useTranslations(namespace);
  const { project } = useActiveProject();
  return (
    <>
      <PageHeader
        title={t('title')}
        description={project ? t('description', { project: project.name }) : undefined}
      />
      <SearchTabs />
      <RequireProject>{children}</RequireProject>
    </>
  );
}
