'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CheckCircle2Icon, CircleAlertIcon, CircleXIcon, SendIcon, XIcon } from 'lucide-react';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { api } from '@/lib/api-client';
import type { LooseEvidenceRef, OutboundMessage } from '@/lib/api-types';
import { useFormat } from '@/lib/format';
import { useCodeLabel } from '@/lib/labels';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@/components/ui/table';
import { EvidenceRefList } from '@/components/evidence-ref-list';
import { StatusBadge } from '@/components/status-badge';
import { ErrorState, LoadingState, MutationError } from '@/components/states';
import { usePreflightReason } from './preflight-reason';

const SEND_RESULTS = ['failed', 'blocked', 'deferred'] as const;
const isExplainedResult = (result: string): result is (typeof SEND_RESULTS)[number] =>
  (SEND_RESULTS as readonly string[]).includes(result);

const OUTCOME_STYLE = {
  pass: { Icon: CheckCircle2Icon, className: 'text-emerald-700' },
  block: { Icon: CircleXIcon, className: 'text-red-700' },
  defer: { Icon: CircleAlertIcon, className: 'text-amber-700' },
} as const;

function PreflightPanel({
  id,
  projectId,
  status,
}: {
  id: string;
  projectId: string;
  status: string;
}) {
  const t = useTranslations('preflight');
  const checkLabel = useCodeLabel('preflight.checks');
  const reasonOf = usePreflightReason();
  const preflight = useQuery({
    queryKey: ['outbound', projectId, id, 'preflight', status],
    queryFn: () => api.outbound.preflight(id),
  });
  return (
    <section
      aria-labelledby={`preflight-${id}`}
      className="flex flex-col gap-2"
      data-testid="preflight"
    >
      <h3 id={`preflight-${id}`} className="text-sm font-medium">
        {t('title')}
      </h3>
      {preflight.isLoading ? (
        <LoadingState label={t('checking')} rows={2} />
      ) : preflight.isError ? (
        <ErrorState error={preflight.error} title={t('unavailable')} />
      ) : (
        <>
          <p className="text-sm" data-testid="preflight-verdict">
            {preflight.data!.would_send ? t('wouldSend') : t('wouldNotSend')}
          </p>
          <ul className="flex flex-col gap-1.5">
            {preflight.data!.checks.map((check) => {
              const style = OUTCOME_STYLE[check.outcome];
              return (
                <li key={check.check} className="flex items-start gap-2 text-sm">
                  <style.Icon className={`mt-0.5 size-4 shrink-0 ${style.className}`} aria-hidden />
                  <div>
                    <span className="font-medium">{checkLabel(check.check)}</span>{' '}
                    <span className="sr-only">{t(`outcomes.${check.outcome}`)}</span>
                    <span className="text-muted-foreground">— {reasonOf(check)}</span>
                    {check.evidence.length > 0 ? (
                      <div className="mt-1">
                        <EvidenceRefList refs={check.evidence} />
                      </div>
                    ) : null}
                  </div>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

function EditDraft({
  message,
  projectId,
  onDone,
}: {
  message: OutboundMessage;
  projectId: string;
  onDone: () => void;
}) {
  const t = useTranslations('outbound');
  const queryClient = useQueryClient();
  const [content, setContent] = useState(message.payload.content);
  const edit = useMutation({
    mutationFn: () =>
      api.outbound.edit(message.id, {
        payload: { ...message.payload, subject: message.payload.subject ?? undefined, content },
      }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['outbound', projectId] });
      onDone();
    },
  });
  return (
    <form
      className="flex flex-col gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        edit.mutate();
      }}
    >
      <Label htmlFor={`edit-${message.id}`}>{t('message')}</Label>
      <Textarea
        id={`edit-${message.id}`}
        rows={6}
        value={content}
        onChange={(e) => setContent(e.target.value)}
      />
      <MutationError error={edit.error} />
      <div className="flex gap-2">
        <Button type="submit" size="sm" disabled={edit.isPending || !content.trim()}>
          {t('save')}
        </Button>
        <Button size="sm" variant="outline" onClick={onDone}>
          {t('cancelEdit')}
        </Button>
      </div>
    </form>
  );
}

export function OutboundDetail({
  id,
  projectId,
  onClose,
}: {
  id: string;
  projectId: string;
  onClose: () => void;
}) {
  const t = useTranslations('outbound');
  const format = useFormat();
  const reasonLabel = useCodeLabel('outbound.reasons');
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const detail = useQuery({
    queryKey: ['outbound', projectId, id],
    queryFn: () => api.outbound.get(id),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['outbound', projectId] });
  const approve = useMutation({ mutationFn: () => api.outbound.approve(id), onSettled: refresh });
  const cancel = useMutation({ mutationFn: () => api.outbound.cancel(id), onSettled: refresh });
  const send = useMutation({ mutationFn: () => api.outbound.send(id), onSettled: refresh });
  const retry = useMutation({ mutationFn: () => api.outbound.retry(id), onSettled: refresh });
  const actionError = approve.error ?? cancel.error ?? send.error ?? retry.error;
  const busy = approve.isPending || cancel.isPending || send.isPending || retry.isPending;

  return (
    <Card data-testid="outbound-detail">
      <CardHeader>
        <div className="flex items-start justify-between gap-2">
          <CardTitle>{t('message')}</CardTitle>
          <Button variant="ghost" size="icon" onClick={onClose} aria-label={t('closeMessage')}>
            <XIcon aria-hidden />
          </Button>
        </div>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {detail.isLoading ? (
          <LoadingState label={t('loadingMessage')} />
        ) : detail.isError ? (
          <ErrorState error={detail.error} onRetry={() => detail.refetch()} />
        ) : (
          (() => {
            const { message, attempts = [], audit = [], evidence = [] } = detail.data!;
            const status = message.status;
            return (
              <>
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <span data-testid="outbound-status">
                    <StatusBadge status={status} />
                  </span>
                  <span className="text-muted-foreground">
                    {t('created', {
                      channel:
                        message.channel === 'chatwoot' ? t('channelChatwoot') : t('channelEmail'),
                      when: format.dateTime(message.created_at),
                    })}
                  </span>
                </div>
                <p className="font-mono text-xs break-all text-muted-foreground">
                  {t('to', { recipient: message.recipient_ref })}
                </p>
                {editing ? (
                  <EditDraft
                    message={message}
                    projectId={projectId}
                    onDone={() => setEditing(false)}
                  />
                ) : (
                  <div
                    className="rounded-md border bg-muted/30 p-3 text-sm break-words whitespace-pre-wrap"
                    data-testid="outbound-content"
                  >
                    {message.payload.subject ? (
                      <p className="mb-1 font-medium">{message.payload.subject}</p>
                    ) : null}
                    {message.payload.content}
                  </div>
                )}
                {message.block_reason ? (
                  <Alert variant="warning">
                    <AlertTitle>{t('heldBack')}</AlertTitle>
                    <AlertDescription>{reasonLabel(message.block_reason)}</AlertDescription>
                  </Alert>
                ) : null}
                {message.last_error ? (
                  <Alert variant="destructive">
                    <AlertTitle>{t('lastError')}</AlertTitle>
                    <AlertDescription className="break-words">
                      {message.last_error}
                    </AlertDescription>
                  </Alert>
                ) : null}
                <div className="flex flex-wrap gap-2">
                  {status === 'draft' && !editing ? (
                    <>
                      <Button onClick={() => approve.mutate()} disabled={busy}>
                        <CheckCircle2Icon aria-hidden />
                        {t('approve')}
                      </Button>
                      <Button variant="outline" onClick={() => setEditing(true)} disabled={busy}>
                        {t('edit')}
                      </Button>
                    </>
                  ) : null}
                  {status === 'approved' ? (
                    <Button onClick={() => send.mutate()} disabled={busy}>
                      <SendIcon aria-hidden />
                      {t('sendNow')}
                    </Button>
                  ) : null}
                  {status === 'failed' ? (
                    <Button onClick={() => retry.mutate()} disabled={busy}>
                      {t('retryDelivery')}
                    </Button>
                  ) : null}
                  {status === 'draft' || status === 'approved' || status === 'failed' ? (
                    <Button variant="ghost" onClick={() => cancel.mutate()} disabled={busy}>
                      {t('cancelMessage')}
                    </Button>
                  ) : null}
                </div>
                <MutationError error={actionError} />
                {send.data && send.data.result !== 'sent' && send.data.result !== 'already_sent' ? (
                  <p role="status" className="text-sm text-amber-900">
                    {isExplainedResult(send.data.result)
                      ? t(`sendResults.${send.data.result}`)
                      : t('notSent', { result: send.data.result })}
                  </p>
                ) : null}
                {status !== 'sent' && status !== 'cancelled' ? (
                  <PreflightPanel id={id} projectId={projectId} status={status} />
                ) : null}
                <section aria-labelledby={`ev-${id}`}>
                  <h3 id={`ev-${id}`} className="mb-1 text-sm font-medium">
                    {t('evidence')}
                  </h3>
                  <EvidenceRefList refs={withReadEvidence(message.evidence_refs, evidence)} />
                </section>
                <section aria-labelledby={`att-${id}`}>
                  <h3 id={`att-${id}`} className="mb-1 text-sm font-medium">
                    {t('attempts')}
                  </h3>
                  {attempts.length === 0 ? (
                    <p className="text-sm text-muted-foreground">{t('noAttempts')}</p>
                  ) : (
                    <Table aria-label={t('attempts')}>
                      <TableHeader>
                        <TableRow>
                          <TableHead>{t('attemptNumber')}</TableHead>
                          <TableHead>{t('attemptStatus')}</TableHead>
                          <TableHead>{t('attemptWhen')}</TableHead>
                          <TableHead>{t('attemptDetail')}</TableHead>
                        </TableRow>
                      </TableHeader>
                      <TableBody>
                        {attempts.map((a, i) => (
                          <TableRow key={a.id} data-testid="attempt-row">
                            <TableCell>{a.attempt_no ?? i + 1}</TableCell>
                            <TableCell>
                              <StatusBadge status={a.status} />
                            </TableCell>
                            <TableCell className="whitespace-nowrap">
                              {format.dateTime(a.created_at)}
                            </TableCell>
                            <TableCell className="max-w-xs text-xs break-words">
                              {a.error ??
                                (a.duration_ms != null
                                  ? t('durationMs', { ms: a.duration_ms })
                                  : '')}
                            </TableCell>
                          </TableRow>
                        ))}
                      </TableBody>
                    </Table>
                  )}
                </section>
                {audit.length > 0 ? (
                  <section aria-labelledby={`aud-${id}`}>
                    <h3 id={`aud-${id}`} className="mb-1 text-sm font-medium">
                      {t('history')}
                    </h3>
                    <ol className="flex flex-col gap-1 text-xs">
                      {audit.map((event) => (
                        <li key={event.id}>
                          <span className="text-muted-foreground">
                            {format.dateTime(event.created_at)}
                          </span>{' '}
                          <span className="font-medium">{event.action}</span>
                          {event.actor ? ` ${t('historyBy', { actor: event.actor })}` : ''}
                        </li>
                      ))}
                    </ol>
                  </section>
                ) : null}
              </>
            );
          })()
        )}
      </CardContent>
    </Card>
  );
}

/**
 * The stored refs with what the server read of each now (GET /outbound/:id `evidence`, in the
 * same order): the cited text where the ref has none, and a Linear or Attio ref's deep link.
 */
function withReadEvidence(
  refs: LooseEvidenceRef[],
  read: { text: string | null; deep_link: string | null }[],
): LooseEvidenceRef[] {
  return refs.map((ref, i) => {
    const item = read[i];
    if (!item) return ref;
    return {
      ...ref,
      snippet: ref.snippet ?? item.text ?? undefined,
      meta: { ...ref.meta, ...(item.deep_link ? { deep_link: item.deep_link } : {}) },
    };
  });
}
