'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import type { Signal } from '@/lib/api-types';
import { knownKind, SIGNAL_KIND_ORDER } from '@/lib/signal-kinds';
import { api } from '@/lib/api-client';
import { useFormat } from '@/lib/format';
import { evidenceHref } from '@/lib/links';
import { useMe } from '@/lib/session';
import { signalKeys } from '@/lib/signals';
import { Badge, type BadgeVariant } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { PageHeader } from '@/components/page-header';
import { RequireProject } from '@/components/require-project';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';
import { SnoozeMenu } from './snooze-menu';

const SEVERITY_ORDER: Record<string, number> = { critical: 0, warning: 1, info: 2 };

const SEVERITY_VARIANT: Record<string, BadgeVariant> = {
  critical: 'destructive',
  warning: 'warning',
  info: 'info',
};

/** Most severe first, then the earliest due; undated last. */
function bySeverityThenDue(a: Signal, b: Signal): number {
  const severity = (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3);
  if (severity !== 0) return severity;
  const due = (s: Signal) => (s.due_at ? Date.parse(s.due_at) : Number.POSITIVE_INFINITY);
  return due(a) - due(b);
}

/** The cited text with the phrase the detector matched marked (offsets into the snippet). */
function Quote({ snippet, match }: { snippet: string; match: unknown }) {
  const range =
    Array.isArray(match) && typeof match[0] === 'number' && typeof match[1] === 'number'
      ? [match[0], match[1]]
      : null;
  if (!range) return <>{snippet}</>;
  return (
    <>
      {snippet.slice(0, range[0])}
      <mark>{snippet.slice(range[0], range[1])}</mark>
      {snippet.slice(range[1])}
    </>
  );
}

function SignalItem({
  signal,
  canManage,
  canDraft,
}: {
  signal: Signal;
  canManage: boolean;
  canDraft: boolean;
}) {
  const t = useTranslations('today');
  const format = useFormat();
  const router = useRouter();
  const queryClient = useQueryClient();
  // Lists, the navigation's count and the portfolio all sit under this key.
  const refresh = () => queryClient.invalidateQueries({ queryKey: signalKeys.all });
  const close = useMutation({
    mutationFn: ({ action, reason }: { action: 'resolve' | 'dismiss'; reason?: string }) =>
      action === 'resolve'
        ? api.signals.resolve(signal.id, reason)
        : api.signals.dismiss(signal.id, reason),
    onSuccess: refresh,
  });
  const draft = useMutation({
    mutationFn: () =>
      api.signals.draft(signal.id, {
        content: t('followUpText'),
        idempotency_key: crypto.randomUUID(),
      }),
    onSuccess: (body) => router.push(`/outbound?id=${encodeURIComponent(body.message.id)}`),
  });
  const evidence = signal.evidence_refs[0];
  const href = evidence ? evidenceHref(evidence) : null;
  return (
    <li data-testid="signal" className="flex flex-col gap-2 py-3">
      <div className="flex flex-wrap items-center gap-2">
        <Badge variant={SEVERITY_VARIANT[signal.severity] ?? 'outline'}>
          {t(`severity.${signal.severity}`)}
        </Badge>
        {/* The stored title is the detector's English sentence (for the API, CLI and MCP); the page
            names the kind in the reader's language and lets the quoted evidence carry the rest. */}
        <span className="font-medium">{t(`signalTitle.${knownKind(signal.kind)}`)}</span>
        {signal.due_at ? (
          <span className="text-sm text-muted-foreground">
            {t('due', { when: format.dateTime(signal.due_at) })}
          </span>
        ) : null}
      </div>
      {evidence?.snippet ? (
        <blockquote className="border-l-2 pl-3 text-sm text-muted-foreground">
          <Quote snippet={evidence.snippet} match={evidence.meta?.match} />
        </blockquote>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {href ? (
          <Button asChild size="sm" variant="outline">
            {/* A Linear issue's or Attio record's page (the ref's deep link) opens in that tool. */}
            {/^https?:/.test(href) ? (
              <a href={href} target="_blank" rel="noopener noreferrer">
                {t('openInSource')}
              </a>
            ) : (
              <Link href={href}>{t('openEvidence')}</Link>
            )}
          </Button>
        ) : null}
        {canDraft && signal.subject.conversation_id ? (
          <Button
            size="sm"
            variant="outline"
            disabled={draft.isPending}
            onClick={() => draft.mutate()}
          >
            {t('draftFollowUp')}
          </Button>
        ) : null}
        {canManage ? (
          <>
            <Button
              size="sm"
              disabled={close.isPending}
              onClick={() => close.mutate({ action: 'resolve' })}
            >
              {t('resolve')}
            </Button>
            <Button
              size="sm"
              variant="ghost"
              disabled={close.isPending}
              onClick={() => {
                const reason = window.prompt(t('dismissReason'));
                if (reason !== null) close.mutate({ action: 'dismiss', reason });
              }}
            >
              {t('dismiss')}
            </Button>
            <SnoozeMenu signalId={signal.id} />
          </>
        ) : null}
      </div>
      {close.isError ? <ErrorState error={close.error} /> : null}
      {draft.isError ? <ErrorState error={draft.error} /> : null}
    </li>
  );
}

function OpenSignals({ projectId }: { projectId: string }) {
  const t = useTranslations('today');
  const me = useMe();
  const permissions =
    me.data && 'project_permissions' in me.data ? me.data.project_permissions : [];
  const signals = useQuery({
    queryKey: signalKeys.open(projectId),
    queryFn: () => api.signals.list({ status: 'open', limit: 200 }),
  });
  if (signals.isLoading) return <LoadingState label={t('loading')} />;
  if (signals.isError)
    return <ErrorState error={signals.error} onRetry={() => signals.refetch()} />;
  const list = signals.data?.signals ?? [];
  if (list.length === 0) return <EmptyState title={t('emptyTitle')}>{t('emptyBody')}</EmptyState>;
  return (
    <div className="flex flex-col gap-4">
      {SIGNAL_KIND_ORDER.map((kind) => {
        const group = list.filter((s) => s.kind === kind).sort(bySeverityThenDue);
        if (group.length === 0) return null;
        return (
          <Card key={kind}>
            <CardContent className="pt-4">
              <h2 className="font-semibold">
                {t(`kinds.${kind}`)} <span className="text-muted-foreground">{group.length}</span>
              </h2>
              <ul className="divide-y" aria-label={t(`kinds.${kind}`)}>
                {group.map((signal) => (
                  <SignalItem
                    key={signal.id}
                    signal={signal}
                    canManage={permissions.includes('signals:manage')}
                    canDraft={permissions.includes('outbound:draft')}
                  />
                ))}
              </ul>
            </CardContent>
          </Card>
        );
      })}
    </div>
  );
}

/** What needs attention in the active project today, each signal with its evidence. */
export function TodayPage() {
  const t = useTranslations('today');
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <RequireProject>{(projectId) => <OpenSignals projectId={projectId} />}</RequireProject>
    </>
  );
}
