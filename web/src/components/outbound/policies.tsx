'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { api } from '@/lib/api-client';
import type { ContactPolicy } from '@/lib/api-types';
import { useFormat } from '@/lib/format';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Switch } from '@/components/ui/switch';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@/components/ui/table';
import { EmptyState, ErrorState, LoadingState, MutationError } from '@/components/states';

function PolicyForm({
  projectId,
  initialContact,
  editing,
}: {
  projectId: string;
  initialContact: string;
  editing: ContactPolicy | null;
}) {
  const t = useTranslations('policies');
  const queryClient = useQueryClient();
  const contacts = useQuery({
    queryKey: ['contacts', projectId, '', 200],
    queryFn: () => api.contacts({ limit: 200 }),
  });
  const [contact, setContact] = useState(editing?.contact_global_id ?? initialContact);
  const [channel, setChannel] = useState<'chatwoot' | 'email'>(editing?.channel ?? 'chatwoot');
  const [optedOut, setOptedOut] = useState(editing?.opted_out ?? false);
  const [stopOnReply, setStopOnReply] = useState(editing?.stop_on_reply ?? true);
  const [cap, setCap] = useState(editing?.max_per_window?.toString() ?? '');
  const [windowHours, setWindowHours] = useState(editing?.window_hours?.toString() ?? '24');
  const save = useMutation({
    mutationFn: () =>
      api.outbound.setPolicy({
        contact_global_id: contact,
        channel,
        opted_out: optedOut,
        stop_on_reply: stopOnReply,
        max_per_window: cap ? Number(cap) : null,
        window_hours: cap ? Number(windowHours) : null,
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['outbound', projectId] }),
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (contact) save.mutate();
  }
  return (
    <form
      className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3"
      onSubmit={submit}
      aria-label={t('form')}
    >
      <div className="flex flex-col gap-1 sm:col-span-2">
        <Label htmlFor="policy-contact">{t('contact')}</Label>
        <NativeSelect
          id="policy-contact"
          required
          value={contact}
          onChange={(e) => setContact(e.target.value)}
        >
          <option value="">{t('chooseContact')}</option>
          {contact && !(contacts.data?.contacts ?? []).some((c) => c.id === contact) ? (
            <option value={contact}>{contact}</option>
          ) : null}
          {(contacts.data?.contacts ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.name || c.email || c.id}
            </option>
          ))}
        </NativeSelect>
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="policy-channel">{t('channel')}</Label>
        <NativeSelect
          id="policy-channel"
          value={channel}
          onChange={(e) => setChannel(e.target.value as 'chatwoot' | 'email')}
        >
          <option value="chatwoot">{t('channelChatwoot')}</option>
          <option value="email">{t('channelEmail')}</option>
        </NativeSelect>
      </div>
      <div className="flex items-center gap-2">
        <Switch id="policy-optout" checked={optedOut} onCheckedChange={setOptedOut} />
        <Label htmlFor="policy-optout">{t('optedOut')}</Label>
      </div>
      <div className="flex items-center gap-2">
        <Switch id="policy-stop" checked={stopOnReply} onCheckedChange={setStopOnReply} />
        <Label htmlFor="policy-stop">{t('stopOnReply')}</Label>
      </div>
      <div className="flex gap-2">
        <div className="flex flex-1 flex-col gap-1">
          <Label htmlFor="policy-cap">{t('maxSends')}</Label>
          <Input
            id="policy-cap"
            inputMode="numeric"
            pattern="[0-9]*"
            placeholder={t('noCap')}
            value={cap}
            onChange={(e) => setCap(e.target.value)}
          />
        </div>
        <div className="flex flex-1 flex-col gap-1">
          <Label htmlFor="policy-window">{t('perHours')}</Label>
          <Input
            id="policy-window"
            inputMode="numeric"
            pattern="[0-9]*"
            value={windowHours}
            disabled={!cap}
            onChange={(e) => setWindowHours(e.target.value)}
          />
        </div>
      </div>
      <div className="flex flex-col gap-2 sm:col-span-2 lg:col-span-3">
        <MutationError error={save.error} />
        {save.isSuccess ? (
          <p role="status" className="text-sm text-emerald-800">
            {t('saved')}
          </p>
        ) : null}
        <div>
          <Button type="submit" disabled={save.isPending || !contact}>
            {t('save')}
          </Button>
        </div>
      </div>
    </form>
  );
}

export function PoliciesPanel({
  projectId,
  initialContact,
}: {
  projectId: string;
  initialContact: string;
}) {
  const t = useTranslations('policies');
  const tCommon = useTranslations('common');
  const format = useFormat();
  const policies = useQuery({
    queryKey: ['outbound', projectId, 'policies'],
    queryFn: () => api.outbound.policies(),
  });
  const [editing, setEditing] = useState<ContactPolicy | null>(null);
  const contacts = useQuery({
    queryKey: ['contacts', projectId, '', 200],
    queryFn: () => api.contacts({ limit: 200 }),
  });
  const nameOf = (id: string) => {
    const contact = contacts.data?.contacts.find((c) => c.id === id);
    return contact?.name || contact?.email || null;
  };
  const list = policies.data?.policies ?? [];
  return (
    <div className="flex flex-col gap-5">
      <Card>
        <CardHeader>
          <CardTitle>{editing ? t('editTitle') : t('setTitle')}</CardTitle>
          <CardDescription>{t('description')}</CardDescription>
        </CardHeader>
        <CardContent>
          <PolicyForm
            key={editing ? `${editing.contact_global_id}:${editing.channel}` : initialContact}
            projectId={projectId}
            initialContact={initialContact}
            editing={editing}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>{t('listTitle')}</CardTitle>
        </CardHeader>
        <CardContent>
          {policies.isLoading ? (
            <LoadingState label={t('loading')} />
          ) : policies.isError ? (
            <ErrorState error={policies.error} onRetry={() => policies.refetch()} />
          ) : list.length === 0 ? (
            <EmptyState title={t('emptyTitle')}>{t('emptyBody')}</EmptyState>
          ) : (
            <Table aria-label={t('table')}>
              <TableHeader>
                <TableRow>
                  <TableHead>{t('columnContact')}</TableHead>
                  <TableHead>{t('columnChannel')}</TableHead>
                  <TableHead>{t('columnRules')}</TableHead>
                  <TableHead className="hidden sm:table-cell">{t('columnUpdated')}</TableHead>
                  <TableHead>
                    <span className="sr-only">{tCommon('actions')}</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {list.map((p) => (
                  <TableRow key={`${p.contact_global_id}:${p.channel}`}>
                    <TableCell className="break-words">
                      {nameOf(p.contact_global_id) ?? (
                        <span className="font-mono text-xs break-all">{p.contact_global_id}</span>
                      )}
                    </TableCell>
                    <TableCell>
                      {p.channel === 'email' ? t('channelEmail') : t('channelChatwoot')}
                    </TableCell>
                    <TableCell className="flex flex-wrap gap-1">
                      {p.opted_out ? (
                        <Badge variant="destructive">{t('ruleOptedOut')}</Badge>
                      ) : null}
                      {p.stop_on_reply ? (
                        <Badge variant="info">{t('ruleStopOnReply')}</Badge>
                      ) : null}
                      {p.max_per_window && p.window_hours ? (
                        <Badge variant="outline">
                          {t('ruleCap', { max: p.max_per_window, hours: p.window_hours })}
                        </Badge>
                      ) : null}
                    </TableCell>
                    <TableCell className="hidden whitespace-nowrap sm:table-cell">
                      {format.dateTime(p.updated_at)}
                    </TableCell>
                    <TableCell>
                      <Button size="sm" variant="ghost" onClick={() => setEditing(p)}>
                        {t('edit')}
                      </Button>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
