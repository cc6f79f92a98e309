'use client';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import Link from 'next/link';
import { useState } from 'react';
import { api } from '@/lib/api-client';
import { conversationHref } from '@/lib/links';
import { formatTime } from '@/lib/utils';
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
            <Label htmlFor="conv-status">Status</Label>
            <NativeSelect
              id="conv-status"
              className="w-36"
              value={status}
              onChange={(e) => setStatus(e.target.value)}
            >
              <option value="">All</option>
              <option value="open">Open</option>
              <option value="pending">Pending</option>
              <option value="snoozed">Snoozed</option>
              <option value="resolved">Resolved</option>
            </NativeSelect>
          </div>
          <div className="flex min-w-48 flex-1 flex-col gap-1">
            <Label htmlFor="conv-contact">Contact</Label>
            <NativeSelect
              id="conv-contact"
              value={contact}
              onChange={(e) => setContact(e.target.value)}
            >
              <option value="">Anyone</option>
              {(contacts.data?.contacts ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name || c.email || c.phone || c.id}
                </option>
              ))}
            </NativeSelect>
          </div>
        </div>
        {conversations.isLoading ? (
          <LoadingState label="Loading conversations…" />
        ) : conversations.isError ? (
          <ErrorState error={conversations.error} onRetry={() => conversations.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState title="No conversations">
            {status || contact
              ? 'Nothing matches these filters.'
              : 'Bind a source and run a sync to see conversations here.'}
          </EmptyState>
        ) : (
          <Table aria-label="Conversations">
            <TableHeader>
              <TableRow>
                <TableHead>Conversation</TableHead>
                <TableHead>Contact</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="hidden sm:table-cell">Last activity</TableHead>
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
                  <TableCell>
                    <StatusBadge status={c.status} />
                  </TableCell>
                  <TableCell className="hidden whitespace-nowrap sm:table-cell">
                    {formatTime(c.last_activity_at)}
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
            Load more
          </Button>
        ) : null}
      </CardContent>
    </Card>
  );
}

export function ConversationsPage() {
  const contactParam = useSearchParams().get('contact') ?? '';
  return (
    <>
      <PageHeader
        title="Conversations"
        description="Everything synced from Chatwoot for this project."
      />
      <RequireProject>
        {(projectId) => (
          <ConversationList key={projectId} projectId={projectId} initialContact={contactParam} />
        )}
      </RequireProject>
    </>
  );
}
