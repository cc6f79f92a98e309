'use client';
import { useQuery } from '@tanstack/react-query';
import { ShieldAlertIcon, ShieldCheckIcon } from 'lucide-react';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { api } from '@/lib/api-client';
import type { AuditEvent, AuditVerify, LooseEvidenceRef } from '@/lib/api-types';
import { useDebounced } from '@/lib/use-debounced';
import { useFormat } from '@/lib/format';
import { useCodeLabel } from '@/lib/labels';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { EvidenceRefList } from '@/components/evidence-ref-list';
import { PageHeader } from '@/components/page-header';
import { RequireProject } from '@/components/require-project';
import { StatusBadge } from '@/components/status-badge';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';

const PAGE_SIZE = 50;

function ChainStatus({ projectId }: { projectId: string }) {
  const t = useTranslations('audit');
  const brokenReason = useCodeLabel('audit.brokenReasons');
  const verify = useQuery({
    queryKey: ['audit', projectId, 'verify'],
    queryFn: () => api.audit.verify(),
  });
  if (verify.isLoading) return <LoadingState label={t('verifying')} rows={1} />;
  if (verify.isError)
    return (
      <ErrorState error={verify.error} title={t('verifyFailed')} onRetry={() => verify.refetch()} />
    );
  const verdict: AuditVerify = verify.data!;
  return (
    <Alert variant={verdict.valid ? 'success' : 'destructive'} data-testid="chain-status">
      <div className="flex items-start gap-3">
        {verdict.valid ? (
          <ShieldCheckIcon className="mt-0.5 size-5" aria-hidden />
        ) : (
          <ShieldAlertIcon className="mt-0.5 size-5" aria-hidden />
        )}
        <div className="flex-1">
          <AlertTitle>{verdict.valid ? t('verified') : t('broken')}</AlertTitle>
          <AlertDescription>
            {verdict.valid
              ? verdict.checked !== undefined
                ? t('verifiedBodyCount', { count: verdict.checked })
                : t('verifiedBody')
              : t('brokenBody', {
                  id: verdict.first_broken?.id ?? t('unknownEvent'),
                  reason: verdict.first_broken ? brokenReason(verdict.first_broken.reason) : '',
                })}
          </AlertDescription>
        </div>
        <Button
          size="sm"
          variant="outline"
          onClick={() => verify.refetch()}
          disabled={verify.isFetching}
        >
          {t('verifyAgain')}
        </Button>
      </div>
    </Alert>
  );
}

function PayloadSummary({ payload }: { payload: unknown }) {
  if (!payload || typeof payload !== 'object') return null;
  const entries = Object.entries(payload as Record<string, unknown>).slice(0, 12);
  if (entries.length === 0) return null;
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 text-xs">
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="text-muted-foreground">{key.replaceAll('_', ' ')}</dt>
          <dd className="break-all">{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Where an audited entity can be seen in the app, when it has a page. */
function entityHref(type: string, id: string): string | null {
  switch (type) {
    case 'outbound_message':
      return `/outbound?id=${encodeURIComponent(id)}`;
    case 'job_run':
    case 'scheduled_job':
      return '/jobs';
    case 'project_source':
      return '/sources';
    case 'project':
      return '/projects';
    default:
      return null;
  }
}

function EntityLine({ type, id }: { type: string; id: string | null }) {
  const entityType = useCodeLabel('audit.entityTypes');
  if (!type && !id) return null;
  const href = id ? entityHref(type, id) : null;
  const text = `${entityType(type)} ${id ?? ''}`;
  return (
    <p className="font-mono text-xs break-all text-muted-foreground">
      {href ? (
        <Link href={href} className="underline-offset-4 hover:underline">
          {text}
        </Link>
      ) : (
        text
      )}
    </p>
  );
}

function EventItem({ event }: { event: AuditEvent }) {
  const t = useTranslations('audit');
  const tCommon = useTranslations('common');
  const format = useFormat();
  const [open, setOpen] = useState(false);
  return (
    <li className="flex flex-col gap-1 border-b py-3 last:border-0" data-testid="audit-event">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <time className="text-muted-foreground" dateTime={event.created_at}>
          {format.dateTime(event.created_at)}
        </time>
        <span className="font-medium">{event.action}</span>
        <StatusBadge status={event.status} />
        <span className="text-muted-foreground">
          {t('by', { actor: event.actor || t('system') })}
        </span>
      </div>
      <EntityLine type={event.entity_type} id={event.entity_id} />
      {event.evidence_refs && event.evidence_refs.length > 0 ? (
        <EvidenceRefList refs={event.evidence_refs as unknown as LooseEvidenceRef[]} />
      ) : null}
      <div>
        <Button
          size="sm"
          variant="ghost"
          className="h-7 px-2"
          aria-expanded={open}
          onClick={() => setOpen((v) => !v)}
        >
          {open ? t('hideDetails') : t('details')}
        </Button>
      </div>
      {open ? (
        <div className="flex flex-col gap-1 rounded-md bg-muted/50 p-2">
          <PayloadSummary payload={event.payload} />
          {event.request_id ? (
            <p className="text-xs">
              {tCommon.rich('requestId', {
                id: event.request_id,
                code: (chunks) => <span className="font-mono select-all">{chunks}</span>,
              })}
            </p>
          ) : null}
          {event.hash ? (
            <p className="font-mono text-[10px] break-all text-muted-foreground">
              {t('hash', { hash: event.hash })}
            </p>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

function AuditLog({ projectId }: { projectId: string }) {
  const t = useTranslations('audit');
  const [action, setAction] = useState('');
  const [entity, setEntity] = useState('');
  const [offset, setOffset] = useState(0);
  const filters = useDebounced({ action: action.trim(), entity: entity.trim() });
  const events = useQuery({
    queryKey: ['audit', projectId, 'list', filters.action, filters.entity, offset],
    queryFn: () =>
      api.audit.list({
        action: filters.action || undefined,
        entity_id: filters.entity || undefined,
        limit: PAGE_SIZE,
        offset,
      }),
    placeholderData: (previous) => previous,
  });
  const list = events.data?.events ?? [];
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4 sm:pt-5">
        <div className="flex flex-wrap gap-3">
          <div className="flex flex-col gap-1">
            <Label htmlFor="audit-action">{t('action')}</Label>
            <Input
              id="audit-action"
              placeholder={t('actionPlaceholder')}
              value={action}
              onChange={(e) => {
                setAction(e.target.value);
                setOffset(0);
              }}
            />
          </div>
          <div className="flex min-w-48 flex-1 flex-col gap-1">
            <Label htmlFor="audit-entity">{t('entity')}</Label>
            <Input
              id="audit-entity"
              value={entity}
              onChange={(e) => {
                setEntity(e.target.value);
                setOffset(0);
              }}
            />
          </div>
        </div>
        {events.isLoading ? (
          <LoadingState label={t('loading')} />
        ) : events.isError ? (
          <ErrorState error={events.error} onRetry={() => events.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState title={t('emptyTitle')}>
            {filters.action || filters.entity ? t('emptyFiltered') : t('emptyBody')}
          </EmptyState>
        ) : (
          <ol aria-label={t('events')}>
            {list.map((event) => (
              <EventItem key={event.id} event={event} />
            ))}
          </ol>
        )}
        <div className="flex justify-between gap-2">
          <Button
            variant="outline"
            size="sm"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
          >
            {t('newer')}
          </Button>
          <Button
            variant="outline"
            size="sm"
            disabled={list.length < PAGE_SIZE}
            onClick={() => setOffset(offset + PAGE_SIZE)}
          >
            {t('older')}
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}

export function AuditPage() {
  const t = useTranslations('audit');
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <RequireProject>
        {(projectId) => (
          <div className="flex flex-col gap-5">
            <ChainStatus projectId={projectId} />
            <AuditLog projectId={projectId} />
          </div>
        )}
      </RequireProject>
    </>
  );
}
