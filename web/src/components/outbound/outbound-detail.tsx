'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CheckCircle2Icon, CircleAlertIcon, CircleXIcon, SendIcon, XIcon } from 'lucide-react';
import { useState } from 'react';
import { api } from '@/lib/api-client';
import type { OutboundMessage } from '@/lib/api-types';
import { formatTime } from '@/lib/utils';
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

const REASONS: Record<string, string> = {
  opt_out: 'The contact opted out of this channel.',
  opted_out: 'The contact opted out of this channel.',
  blocked_opt_out: 'The contact opted out of this channel.',
  stop_on_reply: 'The contact wrote after this draft was created (stop on reply).',
  frequency_cap_reached:
    'The contact’s frequency cap is reached; it will go out when the window allows.',
};
const SEND_RESULTS: Record<string, string> = {
  failed: 'Delivery failed; it will be retried automatically if retries remain.',
  blocked: 'Blocked by the contact’s policy; see the reason above.',
  deferred: 'Deferred: the frequency cap is reached. It will go out when the window allows.',
};
const explainReason = (reason: string) => REASONS[reason] ?? reason.replaceAll('_', ' ');

const CHECK_LABELS: Record<string, string> = {
  approval: 'Approval',
  opt_out: 'Opt-out',
  stop_on_reply: 'Stop on reply',
  frequency_cap: 'Frequency cap',
  recipient: 'Recipient',
};

const OUTCOME_STYLE = {
  pass: { Icon: CheckCircle2Icon, className: 'text-emerald-700', label: 'passes' },
  block: { Icon: CircleXIcon, className: 'text-red-700', label: 'blocks' },
  defer: { Icon: CircleAlertIcon, className: 'text-amber-700', label: 'defers' },
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
        Preflight
      </h3>
      {preflight.isLoading ? (
        <LoadingState label="Checking policies…" rows={2} />
      ) : preflight.isError ? (
        <ErrorState error={preflight.error} title="Preflight unavailable" />
      ) : (
        <>
          <p className="text-sm" data-testid="preflight-verdict">
            {preflight.data!.would_send
              ? 'All checks pass: this message would be sent now.'
              : 'This message would not be sent now:'}
          </p>
          <ul className="flex flex-col gap-1.5">
            {preflight.data!.checks.map((check) => {
              const style = OUTCOME_STYLE[check.outcome];
              return (
                <li key={check.check} className="flex items-start gap-2 text-sm">
                  <style.Icon className={`mt-0.5 size-4 shrink-0 ${style.className}`} aria-hidden />
                  <div>
                    <span className="font-medium">{CHECK_LABELS[check.check] ?? check.check}</span>{' '}
                    <span className="sr-only">{style.label}</span>
                    <span className="text-muted-foreground">— {check.reason}</span>
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
      <Label htmlFor={`edit-${message.id}`}>Message</Label>
      <Textarea
        id={`edit-${message.id}`}
        rows={6}
        value={content}
        onChange={(e) => setContent(e.target.value)}
      />
      <MutationError error={edit.error} />
      <div className="flex gap-2">
        <Button type="submit" size="sm" disabled={edit.isPending || !content.trim()}>
          Save
        </Button>
        <Button size="sm" variant="outline" onClick={onDone}>
          Cancel edit
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
          <CardTitle>Message</CardTitle>
          <Button variant="ghost" size="icon" onClick={onClose} aria-label="Close message">
            <XIcon aria-hidden />
          </Button>
        </div>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {detail.isLoading ? (
          <LoadingState label="Loading message…" />
        ) : detail.isError ? (
          <ErrorState error={detail.error} onRetry={() => detail.refetch()} />
        ) : (
          (() => {
            const { message, attempts = [], audit = [] } = detail.data!;
            const status = message.status;
            return (
              <>
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <span data-testid="outbound-status">
                    <StatusBadge status={status} />
                  </span>
                  <span className="text-muted-foreground">
                    {message.channel === 'chatwoot' ? 'Chatwoot reply' : 'Email'} · created{' '}
                    {formatTime(message.created_at)}
                  </span>
                </div>
                <p className="font-mono text-xs break-all text-muted-foreground">
                  To: {message.recipient_ref}
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
                    <AlertTitle>Held back</AlertTitle>
                    <AlertDescription>{explainReason(message.block_reason)}</AlertDescription>
                  </Alert>
                ) : null}
                {message.last_error ? (
                  <Alert variant="destructive">
                    <AlertTitle>Last delivery error</AlertTitle>
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
                        Approve
                      </Button>
                      <Button variant="outline" onClick={() => setEditing(true)} disabled={busy}>
                        Edit
                      </Button>
                    </>
                  ) : null}
                  {status === 'approved' ? (
                    <Button onClick={() => send.mutate()} disabled={busy}>
                      <SendIcon aria-hidden />
                      Send now
                    </Button>
                  ) : null}
                  {status === 'failed' ? (
                    <Button onClick={() => retry.mutate()} disabled={busy}>
                      Retry delivery
                    </Button>
                  ) : null}
                  {status === 'draft' || status === 'approved' || status === 'failed' ? (
                    <Button variant="ghost" onClick={() => cancel.mutate()} disabled={busy}>
                      Cancel message
                    </Button>
                  ) : null}
                </div>
                <MutationError error={actionError} />
                {send.data && send.data.result !== 'sent' && send.data.result !== 'already_sent' ? (
                  <p role="status" className="text-sm text-amber-900">
                    {SEND_RESULTS[send.data.result] ?? `Not sent: ${send.data.result}`}
                  </p>
                ) : null}
                {status !== 'sent' && status !== 'cancelled' ? (
                  <PreflightPanel id={id} projectId={projectId} status={status} />
                ) : null}
                <section aria-labelledby={`ev-${id}`}>
                  <h3 id={`ev-${id}`} className="mb-1 text-sm font-medium">
                    Evidence
                  </h3>
                  <EvidenceRefList refs={message.evidence_refs} />
                </section>
                <section aria-labelledby={`att-${id}`}>
                  <h3 id={`att-${id}`} className="mb-1 text-sm font-medium">
                    Delivery attempts
                  </h3>
                  {attempts.length === 0 ? (
                    <p className="text-sm text-muted-foreground">No attempts yet.</p>
                  ) : (
                    <Table aria-label="Delivery attempts">
                      <TableHeader>
                        <TableRow>
                          <TableHead>#</TableHead>
                          <TableHead>Status</TableHead>
                          <TableHead>When</TableHead>
                          <TableHead>Detail</TableHead>
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
                              {formatTime(a.created_at)}
                            </TableCell>
                            <TableCell className="max-w-xs text-xs break-words">
                              {a.error ?? (a.duration_ms != null ? `${a.duration_ms} ms` : '')}
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
                      History
                    </h3>
                    <ol className="flex flex-col gap-1 text-xs">
                      {audit.map((event) => (
                        <li key={event.id}>
                          <span className="text-muted-foreground">
                            {formatTime(event.created_at)}
                          </span>{' '}
                          <span className="font-medium">{event.action}</span>
                          {event.actor ? ` by ${event.actor}` : ''}
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
