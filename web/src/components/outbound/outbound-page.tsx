'use client';
import { useInfiniteQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { api } from '@/lib/api-client';
import { formatTime } from '@/lib/utils';
import { cn } from '@/lib/utils';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@/components/ui/table';
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
  const messages = useInfiniteQuery({
    queryKey: ['outbound', projectId, 'list', status],
    queryFn: ({ pageParam }) =>
      api.outbound.list({ status: status || undefined, limit: 50, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const list = messages.data?.pages.flatMap((p) => p.items) ?? [];
  if (messages.isLoading) return <LoadingState label="Loading messages…" />;
  if (messages.isError)
    return <ErrorState error={messages.error} onRetry={() => messages.refetch()} />;
  if (list.length === 0)
    return (
      <EmptyState
        title={status ? `No ${status.replaceAll('_', ' ')} messages` : 'No outbound messages yet'}
      >
        Find evidence in Search and choose “Draft a reply from this”.
      </EmptyState>
    );
  return (
    <>
      <Table aria-label="Outbound messages">
        <TableHeader>
          <TableRow>
            <TableHead>Message</TableHead>
            <TableHead>Status</TableHead>
            <TableHead className="hidden sm:table-cell">Created</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {list.map((m) => (
            <TableRow
              key={m.id}
              data-testid="outbound-row"
              className={cn(m.id === selectedId && 'bg-accent')}
            >
              <TableCell className="max-w-[16rem] sm:max-w-md">
                <button
                  type="button"
                  className="block w-full truncate text-left underline-offset-4 hover:underline focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
                  onClick={() => onSelect(m.id)}
                  aria-current={m.id === selectedId ? 'true' : undefined}
                >
                  {m.payload.content}
                </button>
              </TableCell>
              <TableCell>
                <StatusBadge status={m.status} />
              </TableCell>
              <TableCell className="hidden whitespace-nowrap sm:table-cell">
                {formatTime(m.created_at)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {messages.hasNextPage ? (
        <Button
          variant="outline"
          className="mt-2"
          onClick={() => messages.fetchNextPage()}
          disabled={messages.isFetchingNextPage}
        >
          Load more
        </Button>
      ) : null}
    </>
  );
}

function OutboundForProject({ projectId }: { projectId: string }) {
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
      <TabsList aria-label="Outbound sections">
        <TabsTrigger value="messages">Messages</TabsTrigger>
        <TabsTrigger value="policies">Contact policies</TabsTrigger>
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
        <div className="grid gap-5 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
          <Card>
            <CardContent className="flex flex-col gap-3 pt-4 sm:pt-5">
              <nav aria-label="Filter by status" className="flex flex-wrap gap-1">
                {STATUSES.map((s) => (
                  <Button
                    key={s || 'all'}
                    size="sm"
                    variant={status === s ? 'secondary' : 'ghost'}
                    aria-pressed={status === s}
                    onClick={() => set({ status: s || null })}
                  >
                    {s ? s.replaceAll('_', ' ') : 'all'}
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
  return (
    <>
      <PageHeader
        title="Outbound"
        description="Drafts built on evidence, approved by a person, sent once, within each contact’s rules."
      />
      <RequireProject>
        {(projectId) => <OutboundForProject key={projectId} projectId={projectId} />}
      </RequireProject>
    </>
  );
}
