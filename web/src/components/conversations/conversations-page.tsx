'use client';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { ClockIcon } from 'lucide-react';
import { useSearchParams } from 'next/navigation';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { api } from '@/lib/api-client';
import { senderCode, useCodeLabel } from '@/lib/labels';
import { conversationHref } from '@/lib/links';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@/components/ui/table';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/relative-time';
import { RequireProject } from '@/components/require-project';
import { StatusBadge } from '@/components/status-badge';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';

function ConversationList({
  projectId,
  initialContact,
}: {
  projectId: string;
  initialContact: string;
}) {
  const t = useTranslations('conversations');
  const tCommon = useTranslations('common');
  const senderLabel = useCodeLabel('search.senderTypes');
  const [status, setStatus] = useState('');
  const [contact, setContact] = useState(initialContact);
  const contacts = useQuery({
    queryKey: ['contacts', projectId, '', 500],
    queryFn: () => api.contacts({ limit: 500 }),
  });
  const conversations = useInfiniteQuery({
    queryKey: ['conversations', projectId, status, contact],
    queryFn: ({ pageParam }) =>
      api.conversations({
        limit: 50,
        cursor: pageParam,
        status: status || undefined,
        contact_global_id: contact || undefined,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const list = conversations.data?.pages.flatMap((p) => p.conversations) ?? [];
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4 sm:pt-5">
        <div className="flex flex-wrap gap-3">
          <div className="flex flex-col gap-1">
            <Label htmlFor="conv-status">{t('status')}</Label>
            <NativeSelect
              id="conv-status"
              className="w-36"
              value={status}
              onChange={(e) => setStatus(e.target.value)}
            >
              <option value="">{t('allStatuses')}</option>
              <option value="open">{t('open')}</option>
              <option value="pending">{t('pending')}</option>
              <option value="snoozed">{t('snoozed')}</option>
              <option value="resolved">{t('resolved')}</option>
            </NativeSelect>
          </div>
          <div className="flex min-w-48 flex-1 flex-col gap-1">
            <Label htmlFor="conv-contact">{t('contact')}</Label>
            <NativeSelect
              id="conv-contact"
              value={contact}
              onChange={(e) => setContact(e.target.value)}
            >
              <option value="">{tCommon('anyone')}</option>
              {(contacts.data?.contacts ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name || c.email || c.phone || c.id}
                </option>
              ))}
            </NativeSelect>
          </div>
        </div>
        {conversations.isLoading ? (
          <LoadingState label={t('loading')} />
        ) : conversations.isError ? (
          <ErrorState error={conversations.error} onRetry={() => conversations.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState title={t('emptyTitle')}>
            {status || contact ? t('emptyFiltered') : t('emptyBody')}
          </EmptyState>
        ) : (
          <Table aria-label={t('table')}>
            <TableHeader>
              <TableRow>
                <TableHead>{t('columnConversation')}</TableHead>
                <TableHead>{t('columnContact')}</TableHead>
                <TableHead>{t('columnLastMessage')}</TableHead>
                <TableHead className="text-right">{t('columnMessages')}</TableHead>
                <TableHead>{t('columnStatus')}</TableHead>
                <TableHead className="hidden sm:table-cell">{t('columnLastActivity')}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.map((c) => (
                <TableRow key={c.id} data-testid="conversation-row">
                  <TableCell>
                    <Link
                      className="font-medium underline-offset-4 hover:underline"
                      href={conversationHref(c.id)}
                    >
                      #{c.conversation_id ?? c.id}
                    </Link>
                  </TableCell>
                  <TableCell className="break-words">{c.contact_name || '—'}</TableCell>
                  <TableCell className="max-w-md" data-testid="conversation-preview">
                    {c.awaiting_reply ? (
                      <Badge variant="warning" className="mb-1" data-testid="awaiting-reply">
                        <ClockIcon aria-hidden />
                        {t('awaitingReply')}
                      </Badge>
                    ) : null}
                    <p className="line-clamp-2 text-sm break-words text-muted-foreground">
                      {c.last_message ? (
                        <>
                          {c.last_message.sender_type ? (
                            <span className="font-medium text-foreground">
                              {senderLabel(senderCode(c.last_message.sender_type))}:{' '}
                            </span>
                          ) : null}
                          {c.last_message.preview}
                        </>
                      ) : (
                        t('noMessages')
                      )}
                    </p>
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{c.message_count}</TableCell>
                  <TableCell>
                    <StatusBadge status={c.status} />
                  </TableCell>
                  <TableCell className="hidden whitespace-nowrap sm:table-cell">
                    <RelativeTime value={c.last_activity_at} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {conversations.hasNextPage ? (
          <Button
            variant="outline"
            onClick={() => conversations.fetchNextPage()}
            disabled={conversations.isFetchingNextPage}
          >
            {tCommon('loadMore')}
          </Button>
        ) : null}
      </CardContent>
    </Card>
  );
}

export function ConversationsPage() {
  const t = useTranslations('conversations');
  const contactParam = useSearchParams().get('contact') ?? '';
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <RequireProject>
        {(projectId) => (
          <ConversationList key={projectId} projectId={projectId} initialContact={contactParam} />
        )}
      </RequireProject>
    </>
  );
}
