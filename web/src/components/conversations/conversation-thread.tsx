'use client';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { ArrowLeftIcon, LockIcon, PenLineIcon, SearchIcon } from 'lucide-react';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect } from 'react';
import { api } from '@/lib/api-client';
import type { Message } from '@/lib/api-types';
import { draftFromEvidenceHref } from '@/lib/links';
import { useFormat } from '@/lib/format';
import { cn } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/relative-time';
import { RequireProject } from '@/components/require-project';
import { StatusBadge } from '@/components/status-badge';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';
import { OpenInChatwoot } from '@/components/open-in-chatwoot';

type Kind = 'incoming' | 'outgoing' | 'activity' | 'private';

function kindOf(message: Message): Kind {
  if (message.private) return 'private';
  if (message.message_type === 'activity') return 'activity';
  if (message.message_type === 'incoming') return 'incoming';
  return 'outgoing';
}

function MessageItem({ message, highlighted }: { message: Message; highlighted: boolean }) {
  const t = useTranslations('thread');
  const format = useFormat();
  const kind = kindOf(message);
  if (kind === 'activity') {
    return (
      <li
        id={`m-${message.id}`}
        className="mx-auto max-w-prose px-2 text-center text-xs text-muted-foreground italic"
        data-kind="activity"
      >
        {message.content}
        <span className="ml-2 not-italic">{format.dateTime(message.source_created_at)}</span>
      </li>
    );
  }
  return (
    <li
      id={`m-${message.id}`}
      data-kind={kind}
      data-testid="thread-message"
      className={cn('flex flex-col gap-1', kind === 'incoming' ? 'items-start' : 'items-end')}
    >
      <div
        className={cn(
          'max-w-[85%] rounded-lg border px-3 py-2 text-sm break-words whitespace-pre-wrap sm:max-w-[70%]',
          kind === 'incoming' && 'bg-card',
          kind === 'outgoing' && 'border-sky-200 bg-sky-50',
          kind === 'private' && 'border-dashed border-amber-400 bg-amber-50',
          highlighted && 'ring-2 ring-amber-400',
        )}
      >
        {kind === 'private' ? (
          <p className="mb-1 flex items-center gap-1 text-xs font-medium text-amber-900">
            <LockIcon className="size-3" aria-hidden />
            {t('privateNote')}
          </p>
        ) : null}
        {message.content ?? <span className="text-muted-foreground italic">{t('noText')}</span>}
      </div>
      <p className="text-xs text-muted-foreground">
        {message.sender_name || (kind === 'incoming' ? t('client') : t('studio'))} ·{' '}
        {format.dateTime(message.source_created_at)}
      </p>
    </li>
  );
}

function Thread({
  projectId,
  conversationId,
  focusMessageId,
}: {
  projectId: string;
  conversationId: string;
  focusMessageId: string | null;
}) {
  const t = useTranslations('thread');
  const messages = useInfiniteQuery({
    queryKey: ['messages', projectId, conversationId],
    queryFn: ({ pageParam }) =>
      api.messages({ conversation_global_id: conversationId, limit: 200, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const list = messages.data?.pages.flatMap((p) => p.messages) ?? [];
  // The API returns a thread oldest first, page after page.
  const sorted = list.filter((m) => !m.deleted);

  useEffect(() => {
    if (focusMessageId && sorted.some((m) => m.id === focusMessageId)) {
      document.getElementById(`m-${focusMessageId}`)?.scrollIntoView({ block: 'center' });
    }
  }, [focusMessageId, sorted.length]);

  if (messages.isLoading) return <LoadingState label={t('loading')} rows={5} />;
  if (messages.isError)
    return <ErrorState error={messages.error} onRetry={() => messages.refetch()} />;
  if (sorted.length === 0) return <EmptyState title={t('empty')} />;
  const lastIncoming = [...sorted].reverse().find((m) => kindOf(m) === 'incoming');
  return (
    <div className="flex flex-col gap-4">
      {messages.hasNextPage ? (
        <Button
          variant="outline"
          onClick={() => messages.fetchNextPage()}
          disabled={messages.isFetchingNextPage}
        >
          {t('loadMore')}
        </Button>
      ) : null}
      <ol aria-label={t('messages')} className="flex flex-col gap-3">
        {sorted.map((m) => (
          <MessageItem key={m.id} message={m} highlighted={m.id === focusMessageId} />
        ))}
      </ol>
      <div>
        <Button asChild>
          <Link
            href={draftFromEvidenceHref({
              conversationGlobalId: conversationId,
              messageGlobalId: (focusMessageId ?? lastIncoming?.id) || undefined,
              snippet:
                (sorted.find((m) => m.id === focusMessageId) ?? lastIncoming)?.content ?? undefined,
            })}
          >
            <PenLineIcon aria-hidden />
            {t('draftReply')}
          </Link>
        </Button>
      </div>
    </div>
  );
}

/** Who the conversation is with, where it stands, and the way back to it in Chatwoot. */
function ConversationSummary({
  projectId,
  conversationId,
}: {
  projectId: string;
  conversationId: string;
}) {
  const t = useTranslations('thread');
  const tCommon = useTranslations('common');
  const conversation = useQuery({
    queryKey: ['conversation', projectId, conversationId],
    queryFn: () => api.conversation(conversationId),
    select: (body) => body.conversation,
  });
  // The thread below shows loading and error states; a missing summary must not hide it.
  if (!conversation.data) return null;
  const c = conversation.data;
  return (
    <div
      className="mb-4 flex flex-wrap items-center gap-x-3 gap-y-2 text-sm"
      data-testid="conversation-summary"
    >
      {c.contact_global_id ? (
        <Link
          className="font-medium underline-offset-4 hover:underline"
          href={`/people/view?${new URLSearchParams({ contact: c.contact_global_id }).toString()}`}
          title={t('openPerson')}
          data-testid="conversation-contact"
        >
          {c.contact_name || tCommon('unknownContact')}
        </Link>
      ) : (
        <span className="font-medium">{c.contact_name || tCommon('unknownContact')}</span>
      )}
      <StatusBadge status={c.status} />
      <span className="text-muted-foreground">
        {t('number', { id: c.conversation_id })} ·{' '}
        <span data-testid="message-count">{t('messageCount', { count: c.message_count })}</span>
        {c.last_activity_at ? (
          <>
            {' · '}
            {t.rich('lastActivity', {
              when: () => <RelativeTime value={c.last_activity_at} />,
            })}
          </>
        ) : null}
      </span>
      <OpenInChatwoot href={c.deep_link} />
    </div>
  );
}

export function ConversationThreadPage() {
  const t = useTranslations('thread');
  const params = useSearchParams();
  const conversationId = params.get('id');
  const focus = params.get('message');
  return (
    <>
      <div className="mb-2 flex flex-wrap gap-2">
        <Button variant="ghost" size="sm" asChild>
          <Link href="/conversations">
            <ArrowLeftIcon aria-hidden />
            {t('allConversations')}
          </Link>
        </Button>
        {conversationId ? (
          <Button variant="ghost" size="sm" asChild>
            <Link
              href={`/search?${new URLSearchParams({ conversation: conversationId }).toString()}`}
            >
              <SearchIcon aria-hidden />
              {t('searchThis')}
            </Link>
          </Button>
        ) : null}
      </div>
      <PageHeader
        title={t('title')}
        description={
          conversationId ? (
            <span className="font-mono text-xs break-all">{conversationId}</span>
          ) : undefined
        }
      />
      <RequireProject>
        {(projectId) =>
          conversationId ? (
            <div key={`${projectId}:${conversationId}`}>
              <ConversationSummary projectId={projectId} conversationId={conversationId} />
              <Thread
                projectId={projectId}
                conversationId={conversationId}
                focusMessageId={focus}
              />
            </div>
          ) : (
            <EmptyState title={t('noneChosenTitle')}>{t('noneChosenBody')}</EmptyState>
          )
        }
      </RequireProject>
    </>
  );
}
