'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  ChevronDownIcon,
  FolderIcon,
  HistoryIcon,
  LayoutGridIcon,
  LogOutIcon,
  MessageCircleQuestionIcon,
  MessagesSquareIcon,
  PlugIcon,
  SearchIcon,
  SendIcon,
  SettingsIcon,
  ShieldCheckIcon,
  SunIcon,
  UserIcon,
  UsersIcon,
  UsersRoundIcon,
  WorkflowIcon,
} from 'lucide-react';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect, type ReactNode } from 'react';
import { api } from '@/lib/api-client';
import { ActiveProjectProvider, useActiveProject } from '@/lib/active-project';
import { useSavedLocale } from '@/lib/locale';
import { useDemoMode, useMe, useProjects } from '@/lib/session';
import { useOpenSignalCount } from '@/lib/signals';
import { cn } from '@/lib/utils';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { ErrorState, LoadingState } from '@/components/states';

// Labels are keys of the `nav` catalogue namespace; an entry with a permission shows only to a
// caller who holds it (GET /auth/me), the API refusing it anyway.
const NAV: readonly {
  href: string;
  label:
    | 'today'
    | 'portfolio'
    | 'search'
    | 'ask'
    | 'conversations'
    | 'contacts'
    | 'outbound'
    | 'jobs'
    | 'sources'
    | 'audit'
    | 'projects'
    | 'settings'
    | 'team';
  icon: typeof SearchIcon;
  permission?: string;
  /** Shown to owners, and to members who work in more than one project. */
  acrossProjects?: true;
}[] = [
  { href: '/today', label: 'today', icon: SunIcon },
  { href: '/portfolio', label: 'portfolio', icon: LayoutGridIcon, acrossProjects: true },
  { href: '/search', label: 'search', icon: SearchIcon },
  { href: '/ask', label: 'ask', icon: MessageCircleQuestionIcon },
  { href: '/conversations', label: 'conversations', icon: MessagesSquareIcon },
  { href: '/contacts', label: 'contacts', icon: UsersIcon },
  { href: '/outbound', label: 'outbound', icon: SendIcon },
  { href: '/jobs', label: 'jobs', icon: WorkflowIcon },
  { href: '/sources', label: 'sources', icon: PlugIcon },
  { href: '/audit', label: 'audit', icon: ShieldCheckIcon },
  { href: '/projects', label: 'projects', icon: FolderIcon },
  { href: '/settings/profile', label: 'settings', icon: SettingsIcon },
  { href: '/settings/team', label: 'team', icon: UsersRoundIcon, permission: 'users:manage' },
];

function ProjectSwitcher() {
  const t = useTranslations('shell');
  const queryClient = useQueryClient();
  const projects = useProjects();
  const select = useMutation({
    mutationFn: (id: string) => api.projects.select(id),
    onSuccess: async () => {
      // Every scoped list must now show the new project's rows, not the previous one's.
      await queryClient.invalidateQueries();
    },
  });
  const list = projects.data?.projects ?? [];
  const active = list.find((p) => p.id === projects.data?.active_project_id) ?? null;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button
          variant="outline"
          className="max-w-[12rem] justify-between sm:max-w-xs"
          // Named by what it shows unless a project is active: axe wants the visible text
          // ("Loading…", "Choose a project") inside the accessible name.
          aria-label={active ? t('projectSwitcher', { name: active.name }) : undefined}
          disabled={projects.isLoading}
        >
          <FolderIcon aria-hidden />
          <span className="truncate">
            {projects.isLoading ? t('loading') : (active?.name ?? t('chooseProject'))}
          </span>
          <ChevronDownIcon aria-hidden />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start">
        <DropdownMenuLabel>{t('projects')}</DropdownMenuLabel>
        {list.length === 0 ? (
          <DropdownMenuItem disabled>{t('noProjects')}</DropdownMenuItem>
        ) : (
          <DropdownMenuRadioGroup
            value={active?.id ?? ''}
            onValueChange={(id) => {
              if (id !== active?.id) select.mutate(id);
            }}
          >
            {list.map((project) => (
              <DropdownMenuRadioItem key={project.id} value={project.id}>
                <span className="truncate">{project.name}</span>
              </DropdownMenuRadioItem>
            ))}
          </DropdownMenuRadioGroup>
        )}
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link href="/projects">{t('manageProjects')}</Link>
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

function UserMenu({ username }: { username: string }) {
  const t = useTranslations('shell');
  const router = useRouter();
  const queryClient = useQueryClient();
  const logout = useMutation({
    mutationFn: () => api.auth.logout(),
    onSettled: () => {
      queryClient.clear();
      router.replace('/login');
    },
  });
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" aria-label={t('userMenu', { username })}>
          <UserIcon aria-hidden />
          <span className="hidden max-w-[10rem] truncate sm:inline">{username}</span>
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>{t('signedInAs', { username })}</DropdownMenuLabel>
        <DropdownMenuItem asChild>
          <Link href="/settings/profile">
            <SettingsIcon aria-hidden />
            {t('profile')}
          </Link>
        </DropdownMenuItem>
        <DropdownMenuItem asChild>
          <Link href="/audit">
            <HistoryIcon aria-hidden />
            {t('activityLog')}
          </Link>
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => logout.mutate()}>
          <LogOutIcon aria-hidden />
          {t('logOut')}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

/** The active project's open signals next to Today; signal actions invalidate its query. */
function OpenSignalsBadge() {
  const t = useTranslations('nav');
  const { projectId } = useActiveProject();
  const open = useOpenSignalCount(projectId);
  if (!open.data || open.data.count === 0) return null;
  const { count, more } = open.data;
  return (
    <>
      <Badge variant="secondary" className="ml-auto px-1.5" aria-hidden data-testid="today-count">
        {more ? `${count}+` : count}
      </Badge>
      <span className="sr-only">
        {more ? t('openSignalsMore', { count }) : t('openSignals', { count })}
      </span>
    </>
  );
}

function NavLinks({ className }: { className?: string }) {
  const t = useTranslations('nav');
  const pathname = usePathname();
  const me = useMe();
  const projects = useProjects(me.data?.authenticated === true);
  const held = me.data?.authenticated ? me.data.permissions : [];
  const acrossProjects =
    (me.data?.authenticated === true && me.data.role === 'owner') ||
    (projects.data?.projects.length ?? 0) > 1;
  return (
    <ul className={className}>
      {NAV.filter(
        (item) =>
          (!item.permission || held.includes(item.permission)) &&
          (!item.acrossProjects || acrossProjects),
      ).map(({ href, label, icon: Icon }) => {
        const current = pathname === href || pathname.startsWith(`${href}/`);
        return (
          <li key={href}>
            <Link
              href={href}
              aria-current={current ? 'page' : undefined}
              className={cn(
                'flex items-center gap-2 rounded-md px-3 py-2 text-sm whitespace-nowrap text-muted-foreground hover:bg-accent hover:text-accent-foreground focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none',
                current && 'bg-accent font-medium text-accent-foreground',
              )}
            >
              <Icon className="size-4" aria-hidden />
              {t(label)}
              {href === '/today' ? <OpenSignalsBadge /> : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const t = useTranslations();
  const router = useRouter();
  const pathname = usePathname();
  const me = useMe();
  const demo = useDemoMode();
  const authenticated = me.data?.authenticated === true;
  const projects = useProjects(authenticated);
  useSavedLocale(me.data?.authenticated ? me.data.locale : undefined);

  useEffect(() => {
    if (me.data && !me.data.authenticated) {
      router.replace(`/login?next=${encodeURIComponent(pathname)}`);
    }
  }, [me.data, pathname, router]);

  if (me.isError) {
    return (
      <main className="mx-auto max-w-lg p-6">
        <ErrorState error={me.error} title={t('shell.couldNotLoad')} onRetry={() => me.refetch()} />
      </main>
    );
  }
  if (!me.data || !me.data.authenticated) {
    return (
      <main className="mx-auto max-w-lg p-6">
        <LoadingState label={t('shell.checkingSession')} />
      </main>
    );
  }

  const activeId = projects.data?.active_project_id ?? me.data.active_project_id ?? null;
  const activeProject = projects.data?.projects.find((p) => p.id === activeId) ?? null;

  return (
    <ActiveProjectProvider value={{ projectId: activeId, project: activeProject }}>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-background focus:p-2"
      >
        {t('shell.skipToContent')}
      </a>
      <header className="sticky top-0 z-40 border-b bg-background/95 backdrop-blur">
        <div className="flex h-14 items-center gap-2 px-3 sm:gap-3 sm:px-5">
          <Link
            href={activeId ? '/today' : '/search'}
            className="flex items-center gap-1 font-semibold"
            aria-label={t('shell.home')}
          >
            <span aria-hidden>◭</span>
            <span>Cairn</span>
          </Link>
          {demo ? (
            <Badge variant="warning" title={t('shell.demoTitle')}>
              {t('shell.demo')}
            </Badge>
          ) : null}
          <ProjectSwitcher />
          <div className="ml-auto">
            <UserMenu username={me.data.username} />
          </div>
        </div>
        <nav aria-label={t('nav.label')} className="border-t md:hidden">
          <NavLinks className="flex gap-1 overflow-x-auto px-2 py-1" />
        </nav>
      </header>
      <div className="flex">
        <nav aria-label={t('nav.label')} className="hidden w-52 shrink-0 border-r md:block">
          <NavLinks className="sticky top-14 flex flex-col gap-1 p-3" />
        </nav>
        <main
          id="main"
          tabIndex={-1}
          className="min-w-0 flex-1 px-3 py-5 sm:px-6 focus:outline-none"
        >
          {children}
        </main>
      </div>
    </ActiveProjectProvider>
  );
}
