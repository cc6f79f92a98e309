'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useId } from 'react';
import type { PortfolioProject, PortfolioSignal } from '@/lib/api-types';
import { api } from '@/lib/api-client';
import { useFormat } from '@/lib/format';
import { SIGNAL_KIND_ORDER } from '@/lib/signal-kinds';
import { usePortfolio } from '@/lib/signals';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { PageHeader } from '@/components/page-header';
import { EmptyState, ErrorState, LoadingState, MutationError } from '@/components/states';

const SEVERITIES = [
  ['critical', 'destructive'],
  ['warning', 'warning'],
  ['info', 'info'],
] as const;

/**
 * Makes the project active, then opens a page of it: every scoped page reads the session's
 * active project, so the switch comes first (as the project switcher does).
 */
function useOpenIn(projectId: string) {
  const router = useRouter();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (href: string) => {
      await api.projects.select(projectId);
      return href;
    },
    onSuccess: async (href) => {
      await queryClient.invalidateQueries();
      router.push(href);
    },
  });
}

function SignalLine({
  signal,
  title,
  open,
}: {
  signal: PortfolioSignal;
  /** The kind in the reader's language: the stored title is the detector's English sentence. */
  title: string;
  open: ReturnType<typeof useOpenIn>;
}) {
  const t = useTranslations('portfolio');
  const format = useFormat();
  return (
    <li className="flex flex-col gap-1 text-sm" data-testid="portfolio-signal">
      <span className="font-medium">{title}</span>
      <span className="text-muted-foreground">
        {t('waitingSince', { when: format.dateTime(signal.due_at ?? signal.first_seen_at) })}
      </span>
      {signal.evidence_ref.snippet ? (
        <blockquote className="line-clamp-2 border-l-2 pl-2 text-muted-foreground">
          {signal.evidence_ref.snippet}
        </blockquote>
      ) : null}
      {signal.link ? (
        <Button
          size="sm"
          variant="link"
          className="h-auto self-start p-0"
          disabled={open.isPending}
          onClick={() => open.mutate(signal.link!)}
        >
          {t('openMessage')}
        </Button>
      ) : null}
    </li>
  );
}

function ProjectCard({ project }: { project: PortfolioProject }) {
  const t = useTranslations('portfolio');
  const tToday = useTranslations('today');
  const headingId = useId();
  const open = useOpenIn(project.project_id);
  const overdue = project.overdue_commitments;
  return (
    <Card data-testid="portfolio-project">
      <section aria-labelledby={headingId}>
        <CardContent className="flex flex-col gap-4 pt-4">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <div>
              <h2 id={headingId} className="text-lg font-semibold">
                {project.name}
              </h2>
              <p className="text-sm text-muted-foreground">
                {t('openTotal', { count: project.open_total })}
              </p>
            </div>
            <Button
              size="sm"
              disabled={open.isPending}
              aria-label={t('openTodayLabel', { name: project.name })}
              onClick={() => open.mutate('/today')}
            >
              {t('openToday')}
            </Button>
          </div>
          <div className="flex flex-wrap gap-2" aria-label={t('bySeverity')} role="group">
            {SEVERITIES.map(([severity, variant]) => (
              <Badge key={severity} variant={project.by_severity[severity] ? variant : 'outline'}>
                {tToday(`severity.${severity}`)} {project.by_severity[severity]}
              </Badge>
            ))}
          </div>
          <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
            {SIGNAL_KIND_ORDER.map((kind) => (
              <div key={kind} className="flex justify-between gap-2">
                <dt className="text-muted-foreground">{tToday(`kinds.${kind}`)}</dt>
                <dd className="font-medium">{project.by_kind[kind]}</dd>
              </div>
            ))}
          </dl>
          <div className="grid gap-4 md:grid-cols-2">
            <div>
              <h3 className="mb-1 font-medium">{t('oldestWaiting')}</h3>
              {project.oldest_waiting_reply ? (
                <ul>
                  <SignalLine
                    signal={project.oldest_waiting_reply}
                    title={tToday('signalTitle.awaiting_reply')}
                    open={open}
                  />
                </ul>
              ) : (
                <p className="text-sm text-muted-foreground">{t('noneWaiting')}</p>
              )}
            </div>
            <div>
              <h3 className="mb-1 font-medium">
                {t('overdue')}{' '}
                {overdue.total > 0 ? (
                  <Badge variant="warning">{t('overdueTotal', { count: overdue.total })}</Badge>
                ) : null}
              </h3>
              {overdue.total === 0 ? (
                <p className="text-sm text-muted-foreground">{t('noneOverdue')}</p>
              ) : (
                <ul className="flex flex-col gap-2">
                  {overdue.items.map((signal) => (
                    <SignalLine
                      key={signal.id}
                      signal={signal}
                      title={tToday('signalTitle.commitment')}
                      open={open}
                    />
                  ))}
                  {overdue.total > overdue.items.length ? (
                    <li className="text-sm text-muted-foreground">
                      {t('overdueMore', { count: overdue.total - overdue.items.length })}
                    </li>
                  ) : null}
                </ul>
              )}
            </div>
          </div>
          {open.isError ? <MutationError error={open.error} /> : null}
        </CardContent>
      </section>
    </Card>
  );
}

/** Every project the caller can see, at a glance; each opens its Today. */
export function PortfolioPage() {
  const t = useTranslations('portfolio');
  const portfolio = usePortfolio();
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      {portfolio.isLoading ? (
        <LoadingState label={t('loading')} />
      ) : portfolio.isError ? (
        <ErrorState error={portfolio.error} onRetry={() => portfolio.refetch()} />
      ) : portfolio.data!.projects.length === 0 ? (
        <EmptyState title={t('emptyTitle')}>{t('emptyBody')}</EmptyState>
      ) : (
        <div className="flex max-w-5xl flex-col gap-4">
          {portfolio.data!.projects.map((project) => (
            <ProjectCard key={project.project_id} project={project} />
          ))}
        </div>
      )}
    </>
  );
}
