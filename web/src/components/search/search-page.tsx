'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { MessageSquareIcon, PenLineIcon, SearchIcon, SlidersHorizontalIcon } from 'lucide-react';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '@/lib/api-client';
import type {
  SearchFilters,
  SearchGroup,
  SearchHit,
  SearchSender,
  SearchSource,
} from '@/lib/api-types';
import { conversationHref, draftFromEvidenceHref, stripMarkers } from '@/lib/links';
import { useFormat } from '@/lib/format';
import { senderCode, useCodeLabel } from '@/lib/labels';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { HighlightedSnippet } from '@/components/highlighted-snippet';
import { OpenInChatwoot } from '@/components/open-in-chatwoot';
import { SearchOrAskFrame } from '@/components/search/search-tabs';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';

function EvidenceCard({ hit }: { hit: SearchHit }) {
  const t = useTranslations('search');
  const tCommon = useTranslations('common');
  const senderType = useCodeLabel('search.senderTypes');
  const format = useFormat();
  const formatScore = (value: number | null) =>
    value === null
      ? '—'
      : format.number(value, { minimumFractionDigits: 4, maximumFractionDigits: 4 });
  const [showScores, setShowScores] = useState(false);
  const scoresId = useId();
  const scores = hit.scores;
  const when = hit.message_created_at;
  return (
    <Card data-testid="evidence-card">
      <CardContent className="flex flex-col gap-3 pt-4 sm:pt-5">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="font-medium">{hit.contact_name || tCommon('unknownContact')}</span>
          {hit.sender_type ? (
            <Badge variant="outline">{senderType(senderCode(hit.sender_type))}</Badge>
          ) : null}
          <time className="text-muted-foreground" dateTime={when ?? undefined}>
            {format.dateTime(when)}
          </time>
        </div>
        <blockquote
          className="border-l-2 pl-3 text-sm leading-relaxed break-words whitespace-pre-wrap"
          data-testid="evidence-snippet"
        >
          <HighlightedSnippet snippet={hit.snippet} />
        </blockquote>
        <p className="text-xs break-all text-muted-foreground">
          {t.rich('evidenceOf', {
            id: hit.message_global_id,
            code: (chunks) => <span className="font-mono">{chunks}</span>,
          })}
        </p>
        <div className="flex flex-wrap gap-2">
          <Button size="sm" variant="outline" asChild>
            <Link href={conversationHref(hit.conversation_global_id, hit.message_global_id)}>
              <MessageSquareIcon aria-hidden />
              {t('openConversation')}
            </Link>
          </Button>
          <OpenInChatwoot href={hit.deep_link} />
          <Button size="sm" asChild>
            <Link
              href={draftFromEvidenceHref({
                conversationGlobalId: hit.conversation_global_id,
                messageGlobalId: hit.message_global_id,
                chunkId: hit.chunk_id,
                snippet: stripMarkers(hit.snippet),
              })}
            >
              <PenLineIcon aria-hidden />
              {t('draftReply')}
            </Link>
          </Button>
          <Button
            size="sm"
            variant="ghost"
            aria-expanded={showScores}
            aria-controls={scoresId}
            onClick={() => setShowScores((v) => !v)}
          >
            {showScores ? t('hideScores') : t('showScores')}
          </Button>
        </div>
        {showScores ? (
          <dl
            id={scoresId}
            className="grid grid-cols-3 gap-2 rounded-md bg-muted p-2 text-xs tabular-nums"
          >
            <div>
              <dt className="text-muted-foreground">{t('scoreVector')}</dt>
              <dd>{formatScore(scores.vector)}</dd>
            </div>
            <div>
              <dt className="text-muted-foreground">{t('scoreText')}</dt>
              <dd>{formatScore(scores.text)}</dd>
            </div>
            <div>
              <dt className="text-muted-foreground">{t('scoreFused')}</dt>
              <dd>{formatScore(scores.fused)}</dd>
            </div>
          </dl>
        ) : null}
      </CardContent>
    </Card>
  );
}

/**
 * One result as people scan it: the best member's card, and the near-identical others (the same
 * template in other conversations) behind "+N similar", each with its own evidence and links.
 */
function GroupCard({ group }: { group: SearchGroup }) {
  const t = useTranslations('search');
  const [expanded, setExpanded] = useState(false);
  const listId = useId();
  const [first, ...similar] = group.members;
  if (!first) return null;
  return (
    <div className="flex flex-col gap-2" data-testid="search-group">
      <EvidenceCard hit={first} />
      {similar.length > 0 ? (
        <div className="flex flex-col gap-2 pl-4">
          <Button
            type="button"
            size="sm"
            variant="ghost"
            className="self-start"
            aria-expanded={expanded}
            aria-controls={listId}
            data-testid="similar-toggle"
            onClick={() => setExpanded((v) => !v)}
          >
            {expanded
              ? t('hideSimilar')
              : t('similar', {
                  count: similar.length,
                  conversations: group.similar_conversation_count,
                })}
          </Button>
          {expanded ? (
            <ul id={listId} aria-label={t('similarList')} className="flex flex-col gap-2">
              {similar.map((hit) => (
                <li key={hit.chunk_id}>
                  <EvidenceCard hit={hit} />
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function toIsoStart(date: string): string | undefined {
  return date ? new Date(`${date}T00:00:00`).toISOString() : undefined;
}
function toIsoEnd(date: string): string | undefined {
  return date ? new Date(`${date}T23:59:59.999`).toISOString() : undefined;
}

function SearchForProject({ projectId }: { projectId: string }) {
  const t = useTranslations('search');
  const tCommon = useTranslations('common');
  const router = useRouter();
  const params = useSearchParams();
  const initialQuery = params.get('q') ?? '';
  const [query, setQuery] = useState(initialQuery);
  // Arriving with a filter (e.g. “search this conversation”) shows the filters it set.
  const [showFilters, setShowFilters] = useState(params.has('conversation'));
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [contact, setContact] = useState('');
  const [conversation, setConversation] = useState(params.get('conversation') ?? '');
  const [sender, setSender] = useState<SearchSender | ''>('');
  const [source, setSource] = useState<SearchSource | ''>('');
  const [topK, setTopK] = useState(10);

  const contacts = useQuery({
    queryKey: ['contacts', projectId, '', 200],
    queryFn: () => api.contacts({ limit: 200 }),
    enabled: showFilters,
  });

  const search = useMutation({
    mutationFn: (input: {
      query: string;
      filters: SearchFilters;
      topK: number;
      source?: SearchSource;
    }) => api.search(input.query, input.topK, input.filters, input.source),
  });

  const run = (text: string) => {
    const filters: SearchFilters = {
      from: toIsoStart(from),
      to: toIsoEnd(to),
      contact_global_id: contact || undefined,
      conversation_global_id: conversation || undefined,
      sender: sender || undefined,
    };
    search.mutate({ query: text, filters, topK, source: source || undefined });
  };

  // A shared link (?q=…) runs its search once, and again when the project changes.
  useEffect(() => {
    if (initialQuery) run(initialQuery);
    else search.reset();
  }, [projectId]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const text = query.trim();
    if (!text) return;
    router.replace(`/search?${new URLSearchParams({ q: text }).toString()}`, { scroll: false });
    run(text);
  }

  const hits = search.data?.hits ?? [];
  return (
    <div className="flex flex-col gap-4">
      <form
        role="search"
        aria-label={t('formLabel')}
        onSubmit={submit}
        className="flex flex-col gap-3"
      >
        <div className="flex gap-2">
          <Label htmlFor="search-query" className="sr-only">
            {t('formLabel')}
          </Label>
          <Input
            id="search-query"
            type="search"
            className="h-10 flex-1 text-base"
            placeholder={t('placeholder')}
            value={query}
            maxLength={2000}
            autoFocus
            onChange={(e) => setQuery(e.target.value)}
          />
          <Button type="submit" className="h-10" disabled={search.isPending || !query.trim()}>
            <SearchIcon aria-hidden />
            <span className="hidden sm:inline">{t('submit')}</span>
          </Button>
          <Button
            type="button"
            variant="outline"
            className="h-10"
            aria-expanded={showFilters}
            aria-controls="search-filters"
            onClick={() => setShowFilters((v) => !v)}
          >
            <SlidersHorizontalIcon aria-hidden />
            <span className="hidden sm:inline">{t('filters')}</span>
          </Button>
        </div>
        {showFilters ? (
          <fieldset
            id="search-filters"
            className="grid gap-3 rounded-lg border p-3 sm:grid-cols-3 lg:grid-cols-6"
          >
            <legend className="px-1 text-sm font-medium">{t('filters')}</legend>
            <div className="flex flex-col gap-1">
              <Label htmlFor="filter-from">{t('from')}</Label>
              <Input
                id="filter-from"
                type="date"
                value={from}
                onChange={(e) => setFrom(e.target.value)}
              />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="filter-to">{t('to')}</Label>
              <Input
                id="filter-to"
                type="date"
                value={to}
                onChange={(e) => setTo(e.target.value)}
              />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="filter-contact">{t('contact')}</Label>
              <NativeSelect
                id="filter-contact"
                value={contact}
                onChange={(e) => setContact(e.target.value)}
              >
                <option value="">{tCommon('anyone')}</option>
                {(contacts.data?.contacts ?? []).map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name || c.email || c.id}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="filter-conversation">{t('conversation')}</Label>
              <Input
                id="filter-conversation"
                placeholder={t('conversationPlaceholder')}
                value={conversation}
                onChange={(e) => setConversation(e.target.value)}
              />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="filter-sender">{t('sender')}</Label>
              <NativeSelect
                id="filter-sender"
                value={sender}
                onChange={(e) => setSender(e.target.value as SearchSender | '')}
              >
                <option value="">{t('anySender')}</option>
                <option value="client">{t('senderClient')}</option>
                <option value="studio">{t('senderStudio')}</option>
              </NativeSelect>
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="filter-source">{t('source')}</Label>
              <NativeSelect
                id="filter-source"
                value={source}
                onChange={(e) => setSource(e.target.value as SearchSource | '')}
              >
                <option value="">{t('anySource')}</option>
                <option value="chatwoot">{t('sourceChatwoot')}</option>
                <option value="linear">{t('sourceLinear')}</option>
                <option value="attio">{t('sourceAttio')}</option>
              </NativeSelect>
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="filter-topk">{t('results')}</Label>
              <NativeSelect
                id="filter-topk"
                value={topK}
                onChange={(e) => setTopK(Number(e.target.value))}
              >
                {[5, 10, 20, 50].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </NativeSelect>
            </div>
          </fieldset>
        ) : null}
      </form>
      <section aria-label={t('results')} aria-live="polite" aria-busy={search.isPending}>
        {search.isPending ? (
          <LoadingState label={t('searching')} rows={3} />
        ) : search.isError ? (
          <ErrorState error={search.error} title={t('failed')} />
        ) : !search.data ? (
          <EmptyState title={t('emptyTitle')}>{t('emptyBody')}</EmptyState>
        ) : hits.length === 0 ? (
          <EmptyState title={t('noneTitle')}>{t('noneBody')}</EmptyState>
        ) : (
          <div className="flex flex-col gap-3">
            <p className="text-sm text-muted-foreground" data-testid="evidence-count">
              {t('count', { count: hits.length })}
            </p>
            {search.data.degraded ? (
              <Alert variant="warning">
                <AlertDescription>
                  {search.data.degraded === 'embeddings_pending'
                    ? t('degradedPending')
                    : t('degradedUnavailable')}
                </AlertDescription>
              </Alert>
            ) : null}
            {search.data.groups.map((group) => (
              <GroupCard key={group.key} group={group} />
            ))}
          </div>
        )}
      </section>
    </div>
  );
}

export function SearchPage() {
  return (
    <SearchOrAskFrame namespace="search">
      {(projectId) => <SearchForProject key={projectId} projectId={projectId} />}
    </SearchOrAskFrame>
  );
}
