'use client';
import { useInfiniteQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { api } from '@/lib/api-client';
import { useFormat } from '@/lib/format';
import { useCodeLabel } from '@/lib/labels';
import { cn } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { PageHeader } from '@/components/page-header';
import { RequireProject } from '@/components/require-project';
import { StatusBadge } from '@/components/status-badge';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';
import { Composer, type ComposerSeed } from './composer';
import { OutboundDetail } from './outbound-detail';
import { PoliciesPanel } from './policies';

const STATUSES = ['', 'draft', 'approved', 'sent', 'failed', 'blocked_opt_out', 'cancelled'];

function useUrlState() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const set = (changes: Record<string, string | null>, replaceAll = false) => {
    const next = new URLSearchParams(replaceAll ? undefined : params.toString());
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, value);
    }
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
  };
  return { params, set };
}

function MessageList({
  projectId,
  status,
  selectedId,
  onSelect,
}: {
  projectId: string;
  status: string;
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  const t = useTranslations('outbound');
  const tCommon = useTranslations('common');
  const statusLabel = useCodeLabel('status');
  const reasonLabel = useCodeLabel('outbound.reasons');
  const format = useFormat();
  const messages = useInfiniteQuery({
    queryKey: ['outbound', projectId, 'list', status],
    queryFn: ({ pageParam }) =>
      api.outbound.list({ status: status || undefined, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const list = messages.data?.pages.flatMap((p) => p.items) ?? [];
  if (messages.isLoading) return <LoadingState label={t('loading')} />;
  if (messages.isError)
    return <ErrorState error={messages.error} onRetry={() => messages.refetch()} />;
  if (list.length === 0)
    return (
      <EmptyState
        title={status ? t('emptyWithStatus', { status: statusLabel(status) }) : t('emptyTitle')}
      >
        {t('emptyBody')}
      </EmptyState>
    );
  return (
    <>
      <ul aria-label={t('list')} className="flex flex-col divide-y rounded-md border">
        {list.map((m) => (
          <li key={m.id} data-testid="outbound-row">
            <button
              type="button"
              className={cn(
                'flex w-full flex-col gap-1 px-3 py-2 text-left hover:bg-muted/60 focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none',
                m.id === selectedId && 'bg-accent',
              )}
              onClick={() => onSelect(m.id)}
              aria-current={m.id === selectedId ? 'true' : undefined}
            >
              <span className="flex items-center gap-2 text-xs text-muted-foreground">
                <StatusBadge status={m.status} />
                {m.channel === 'chatwoot' ? t('channelChatwoot') : t('channelEmail')} ·{' '}
                {format.dateTime(m.created_at)}
              </span>
              <span className="line-clamp-2 text-sm break-words">{m.payload.content}</span>
              {m.block_reason ? (
                <span className="text-xs text-amber-900">
                  {t('held', { reason: reasonLabel(m.block_reason) })}
                </span>
              ) : null}
            </button>
          </li>
        ))}
      </ul>
      {messages.hasNextPage ? (
        <Button
          variant="outline"
          className="mt-2"
          onClick={() => messages.fetchNextPage()}
          disabled={messages.isFetchingNextPage}
        >
          {tCommon('loadMore')}
        </Button>
      ) : null}
    </>
  );
}

function OutboundForProject({ projectId }: { projectId: string }) {
  const t = useTranslations('outbound');
  const statusLabel = useCodeLabel('status');
  const { params, set } = useUrlState();
  const tab = params.get('tab') === 'policies' ? 'policies' : 'messages';
  const status = params.get('status') ?? '';
  const selectedId = params.get('id');
  const seed: ComposerSeed | null =
    params.get('compose') === '1' && params.get('conversation')
      ? {
          conversationGlobalId: params.get('conversation')!,
          messageGlobalId: params.get('message') ?? undefined,
          chunkId: params.get('chunk') ?? undefined,
          snippet: params.get('snippet') ?? undefined,
        }
      : null;
  const closeComposer = () =>
    set({ compose: null, conversation: null, message: null, chunk: null, snippet: null });

  return (
    <Tabs value={tab} onValueChange={(value) => set({ tab: value === 'messages' ? null : value })}>
      <TabsList aria-label={t('sections')}>
        <TabsTrigger value="messages">{t('tabMessages')}</TabsTrigger>
        <TabsTrigger value="policies">{t('tabPolicies')}</TabsTrigger>
      </TabsList>
      <TabsContent value="messages" className="flex flex-col gap-5">
        {seed ? (
          <Composer
            key={`${seed.conversationGlobalId}:${seed.chunkId ?? seed.messageGlobalId ?? ''}`}
            projectId={projectId}
            seed={seed}
            onClose={closeComposer}
            onCreated={(message) =>
              set({
                compose: null,
                conversation: null,
                message: null,
                chunk: null,
                snippet: null,
                id: message.id,
              })
            }
          />
        ) : null}
        <div className="grid gap-5 xl:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
          <Card>
            <CardContent className="flex flex-col gap-3 pt-4 sm:pt-5">
              <nav aria-label={t('filterByStatus')} className="flex flex-wrap gap-1">
                {STATUSES.map((s) => (
                  <Button
                    key={s || 'all'}
                    size="sm"
                    variant={status === s ? 'secondary' : 'ghost'}
                    aria-pressed={status === s}
                    onClick={() => set({ status: s || null })}
                  >
                    {s ? statusLabel(s) : t('allStatuses')}
                  </Button>
                ))}
              </nav>
              <MessageList
                projectId={projectId}
                status={status}
                selectedId={selectedId}
                onSelect={(id) => set({ id })}
              />
            </CardContent>
          </Card>
          {selectedId ? (
            <OutboundDetail
              key={selectedId}
              id={selectedId}
              projectId={projectId}
              onClose={() => set({ id: null })}
            />
          ) : null}
        </div>
      </TabsContent>
      <TabsContent value="policies">
        <PoliciesPanel projectId={projectId} initialContact={params.get('contact') ?? ''} />
      </TabsContent>
    </Tabs>
  );
}

export function OutboundPage() {
  const t = useTranslations('outbound');
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <RequireProject>
        {(projectId) => <OutboundForProject key={projectId} projectId={projectId} />}
      </RequireProject>
    </>
  );
}
