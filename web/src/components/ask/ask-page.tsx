'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  AlertTriangleIcon,
  CopyIcon,
  MessageCircleQuestionIcon,
  MessageSquareIcon,
  ThumbsDownIcon,
  ThumbsUpIcon,
} from 'lucide-react';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api } from '@/lib/api-client';
import type { AskAnswer, AskEvent, AskEvidence, AskSentence } from '@/lib/api-types';
import { streamAsk } from '@/lib/ask-stream';
import { useFormat } from '@/lib/format';
import { senderCode, useCodeLabel } from '@/lib/labels';
import { conversationHref } from '@/lib/links';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { OpenInChatwoot } from '@/components/open-in-chatwoot';
import { SearchOrAskFrame } from '@/components/search/search-tabs';
import { EmptyState, ErrorState, LoadingState, MutationError } from '@/components/states';

/** What the page shows of one answer: filled event by event while it streams, or all at once. */
interface AnswerView {
  status: 'streaming' | 'done' | 'error';
  question: string;
  answerId: string | null;
  heading: AskAnswer['heading'];
  evidence: AskEvidence[];
  text: string;
  sentences: AskSentence[];
  supportRate: number | null;
  supported: number;
  sentenceCount: number;
  feedback: AskAnswer['feedback'];
  error: unknown;
  errorCode: string | null;
}

function emptyView(question: string): AnswerView {
  return {
    status: 'streaming',
    question,
    answerId: null,
    heading: null,
    evidence: [],
    text: '',
    sentences: [],
    supportRate: null,
    supported: 0,
    sentenceCount: 0,
    feedback: null,
    error: null,
    errorCode: null,
  };
}

function viewOfStored(answer: AskAnswer): AnswerView {
  return {
    status: 'done',
    question: answer.question,
    answerId: answer.id,
    heading: answer.heading,
    evidence: answer.evidence,
    text: answer.answer,
    sentences: answer.sentences,
    supportRate: answer.totals.support_rate,
    supported: answer.totals.supported,
    sentenceCount: answer.totals.sentences,
    feedback: answer.feedback,
    error: null,
    errorCode: null,
  };
}

function applyEvent(view: AnswerView, event: AskEvent): AnswerView {
  switch (event.event) {
    case 'answer.started':
      return {
        ...view,
        answerId: event.data.answer_id,
        heading: event.data.heading,
        evidence: event.data.evidence,
      };
    case 'answer.delta':
      return { ...view, text: view.text + event.data.text };
    case 'sentence.verdict':
      return { ...view, sentences: [...view.sentences, event.data] };
    case 'done':
      return {
        ...view,
        status: 'done',
        supportRate: event.data.support_rate,
        supported: event.data.supported,
        sentenceCount: event.data.sentences,
      };
    case 'error':
      return {
        ...view,
        status: 'error',
        errorCode: event.data.code,
        error: new Error(event.data.message),
      };
    default:
      // `citation` events repeat what the verdict of their sentence carries.
      return view;
  }
}

/** The answer cut into paragraphs of verified sentences, the unverified tail as plain text. */
interface Piece {
  gap: string;
  sentence: AskSentence | null;
}
function paragraphsOf(text: string, sentences: AskSentence[]): Piece[][] {
  const sorted = [...sentences].sort((a, b) => a.start - b.start);
  const paragraphs: Piece[][] = [[]];
  let at = 0;
  const pushGap = (gap: string, sentence: AskSentence | null) => {
    const parts = gap.split(/\n\s*\n/);
    parts.forEach((part, i) => {
      if (i > 0) paragraphs.push([]);
      const isLast = i === parts.length - 1;
      paragraphs[paragraphs.length - 1]!.push({ gap: part, sentence: isLast ? sentence : null });
    });
  };
  for (const sentence of sorted) {
    pushGap(text.slice(at, sentence.start), sentence);
    at = Math.max(at, sentence.end);
  }
  const tail = text.slice(at);
  if (tail) pushGap(tail, null);
  return paragraphs.filter((p) => p.some((piece) => piece.gap.trim() || piece.sentence));
}

/**
 * How many messages an extract quotes: the heading carries it only in its English text (its
 * `evidence_count` is the evidence given, compose-extractive.ts), so it is read from there.
 */
function quotedMessages(heading: NonNullable<AskAnswer['heading']>): number {
  const match = /\d+/.exec(heading.text);
  return match ? Number(match[0]) : heading.evidence_count;
}

function EvidenceCard({ item, id }: { item: AskEvidence; id: string }) {
  const t = useTranslations('ask');
  const tCommon = useTranslations('common');
  const tSearch = useTranslations('search');
  const senderLabel = useCodeLabel('search.senderTypes');
  const format = useFormat();
  return (
    <Card
      id={id}
      data-testid="ask-evidence-card"
      className="my-2"
      role="region"
      aria-label={t('evidenceLabel', { n: item.n })}
    >
      <CardContent className="flex flex-col gap-2 pt-4 text-sm">
        <div className="flex flex-wrap items-center gap-2">
          <Badge variant="secondary">[{item.n}]</Badge>
          <span className="font-medium">{item.contact_name || tCommon('unknownContact')}</span>
          {item.sender_type ? (
            <Badge variant="outline">{senderLabel(senderCode(item.sender_type))}</Badge>
          ) : null}
          <time className="text-muted-foreground" dateTime={item.message_created_at ?? undefined}>
            {format.dateTime(item.message_created_at)}
          </time>
        </div>
        <blockquote className="border-l-2 pl-3 leading-relaxed break-words whitespace-pre-wrap">
          {item.quote}
        </blockquote>
        <div className="flex flex-wrap gap-2">
          <Button size="sm" variant="outline" asChild>
            <Link href={conversationHref(item.conversation_global_id, item.message_global_id)}>
              <MessageSquareIcon aria-hidden />
              {tSearch('openConversation')}
            </Link>
          </Button>
          <OpenInChatwoot href={item.deep_link} />
        </div>
      </CardContent>
    </Card>
  );
}

function Sentence({
  sentence,
  open,
  onToggle,
  cardId,
}: {
  sentence: AskSentence;
  open: number | null;
  onToggle: (n: number) => void;
  cardId: (n: number) => string;
}) {
  const t = useTranslations('ask');
  return (
    <span
      data-testid="ask-sentence"
      data-supported={sentence.supported}
      className={
        sentence.supported
          ? undefined
          : 'bg-amber-50 underline decoration-amber-600 decoration-wavy underline-offset-4 dark:bg-amber-950'
      }
    >
      {sentence.supported ? null : (
        <span className="mr-1 inline-flex items-center gap-1 text-xs font-medium text-amber-800 dark:text-amber-200">
          <AlertTriangleIcon className="size-3" aria-hidden />
          {t(`unsupported.${sentence.reason ?? 'weak_support'}`)}
        </span>
      )}
      {sentence.text}
      {sentence.citations.map((c) => (
        <button
          key={`${c.n}-${c.chunk_id}`}
          type="button"
          data-testid="citation-chip"
          className="mx-0.5 inline-flex min-w-6 items-center justify-center rounded border border-primary/40 bg-primary/5 px-1 align-baseline text-xs font-medium text-primary hover:bg-primary/15 focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
          aria-expanded={open === c.n}
          aria-controls={open === c.n ? cardId(c.n) : undefined}
          aria-label={t('citationLabel', { n: c.n })}
          onClick={() => onToggle(c.n)}
        >
          {c.n}
        </button>
      ))}{' '}
    </span>
  );
}

function Answer({ view, onFeedbackSaved }: { view: AnswerView; onFeedbackSaved: () => void }) {
  const t = useTranslations('ask');
  const format = useFormat();
  const baseId = useId();
  // Which evidence card is open, and in which paragraph (where its chip was pressed).
  const [open, setOpen] = useState<{ n: number; paragraph: number } | null>(null);
  const [copied, setCopied] = useState(false);
  const paragraphs = paragraphsOf(view.text, view.sentences);
  const cardId = (n: number) => `${baseId}-evidence-${n}`;
  const evidenceByN = new Map(view.evidence.map((e) => [e.n, e]));

  async function copy() {
    const body = view.sentences
      .map((s) => `${s.text}${s.citations.map((c) => ` [${c.n}]`).join('')}`)
      .join(' ');
    const cited = new Set(view.sentences.flatMap((s) => s.citations.map((c) => c.n)));
    const sources = view.evidence
      .filter((e) => cited.has(e.n))
      .map(
        (e) =>
          `[${e.n}] ${e.contact_name ?? ''} ${e.message_created_at ?? ''}: “${e.quote}”${e.deep_link ? ` ${e.deep_link}` : ''}`,
      );
    const text = sources.length ? `${body}\n\n${t('sources')}:\n${sources.join('\n')}` : body;
    await navigator.clipboard.writeText(text);
    setCopied(true);
  }

  return (
    <section
      aria-label={t('answerLabel')}
      aria-busy={view.status === 'streaming'}
      data-answer-id={view.answerId ?? undefined}
      data-status={view.status}
      className="flex flex-col gap-3"
    >
      {view.heading ? (
        <p className="text-sm text-muted-foreground" data-testid="ask-heading">
          {view.heading.code === 'extractive'
            ? t('headingExtractive', { count: quotedMessages(view.heading) })
            : t('headingNoEvidence')}
        </p>
      ) : null}
      <div data-testid="ask-answer" className="flex flex-col gap-3 leading-relaxed">
        {paragraphs.map((pieces, p) => (
          <div key={p}>
            <p className="whitespace-pre-wrap">
              {pieces.map((piece, i) => (
                <span key={i}>
                  {piece.sentence ? null : piece.gap}
                  {piece.sentence ? (
                    <Sentence
                      sentence={piece.sentence}
                      open={open?.paragraph === p ? open.n : null}
                      cardId={cardId}
                      onToggle={(n) =>
                        setOpen((o) =>
                          o?.n === n && o.paragraph === p ? null : { n, paragraph: p },
                        )
                      }
                    />
                  ) : null}
                </span>
              ))}
            </p>
            {open?.paragraph === p && evidenceByN.get(open.n) ? (
              <EvidenceCard item={evidenceByN.get(open.n)!} id={cardId(open.n)} />
            ) : null}
          </div>
        ))}
        {view.status === 'streaming' ? (
          <p className="text-sm text-muted-foreground" role="status">
            {t('writing')}
          </p>
        ) : null}
      </div>
      {view.status === 'error' ? (
        <ErrorState
          error={view.error}
          title={t(`errors.${(view.errorCode ?? 'internal_error') as 'internal_error'}`)}
        />
      ) : null}
      {view.status === 'done' ? (
        <div className="flex flex-col gap-3 border-t pt-3">
          <div className="flex flex-wrap items-center gap-3 text-sm">
            <span data-testid="support-rate">
              {view.supportRate === null
                ? t('supportNone')
                : t('supportRate', {
                    rate: format.number(view.supportRate, { style: 'percent' }),
                    supported: view.supported,
                    total: view.sentenceCount,
                  })}
            </span>
            <Button
              size="sm"
              variant="outline"
              onClick={() => void copy()}
              disabled={!view.sentences.length}
            >
              <CopyIcon aria-hidden />
              {t('copy')}
            </Button>
            <span role="status" className="text-xs text-muted-foreground">
              {copied ? t('copied') : null}
            </span>
          </div>
          {view.answerId ? (
            <Feedback
              key={view.answerId}
              answerId={view.answerId}
              initial={view.feedback}
              onSaved={onFeedbackSaved}
            />
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function Feedback({
  answerId,
  initial,
  onSaved,
}: {
  answerId: string;
  initial: AskAnswer['feedback'];
  onSaved: () => void;
}) {
  const t = useTranslations('ask');
  const [helpful, setHelpful] = useState<boolean | null>(initial?.helpful ?? null);
  const [note, setNote] = useState(initial?.note ?? '');
  const noteId = useId();
  const save = useMutation({
    mutationFn: (input: { helpful: boolean; note?: string }) => api.ask.feedback(answerId, input),
    onSuccess: onSaved,
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (helpful === null) return;
    save.mutate({ helpful, ...(note.trim() ? { note: note.trim() } : {}) });
  }
  return (
    <form onSubmit={submit} className="flex flex-col gap-2" aria-label={t('feedbackLabel')}>
      <fieldset className="flex flex-wrap items-center gap-2">
        <legend className="mb-1 text-sm font-medium">{t('feedbackQuestion')}</legend>
        <Button
          type="button"
          size="sm"
          variant={helpful === true ? 'default' : 'outline'}
          aria-pressed={helpful === true}
          onClick={() => setHelpful(true)}
        >
          <ThumbsUpIcon aria-hidden />
          {t('helpful')}
        </Button>
        <Button
          type="button"
          size="sm"
          variant={helpful === false ? 'default' : 'outline'}
          aria-pressed={helpful === false}
          onClick={() => setHelpful(false)}
        >
          <ThumbsDownIcon aria-hidden />
          {t('notHelpful')}
        </Button>
      </fieldset>
      <Label htmlFor={noteId}>{t('note')}</Label>
      <textarea
        id={noteId}
        className="min-h-16 rounded-md border bg-background px-3 py-2 text-sm"
        maxLength={2000}
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <div className="flex items-center gap-3">
        <Button type="submit" size="sm" disabled={helpful === null || save.isPending}>
          {t('sendFeedback')}
        </Button>
        <span role="status" className="text-sm text-muted-foreground">
          {save.isSuccess ? t('feedbackSaved') : null}
        </span>
      </div>
      {save.isError ? <MutationError error={save.error} /> : null}
    </form>
  );
}

function AskForProject({ projectId }: { projectId: string }) {
  const t = useTranslations('ask');
  const queryClient = useQueryClient();
  const format = useFormat();
  const [question, setQuestion] = useState('');
  const [view, setView] = useState<AnswerView | null>(null);
  const controller = useRef<AbortController | null>(null);
  const recentKey = ['ask', 'recent', projectId];
  const recent = useQuery({ queryKey: recentKey, queryFn: () => api.ask.recent(10) });

  // Leaving the page ends the stream (and the server's model call with it).
  useEffect(() => () => controller.current?.abort(), []);

  function ask(text: string) {
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setView(emptyView(text));
    streamAsk(
      { question: text },
      (event) => setView((v) => (v ? applyEvent(v, event) : v)),
      current.signal,
    )
      .then(() => {
        setView((v) => (v && v.status === 'streaming' ? { ...v, status: 'done' } : v));
        void queryClient.invalidateQueries({ queryKey: recentKey });
      })
      .catch((error: unknown) => {
        if (current.signal.aborted) return;
        setView((v) => (v ? { ...v, status: 'error', error } : v));
      });
  }

  async function openStored(id: string) {
    controller.current?.abort();
    try {
      const { answer } = await api.ask.get(id);
      setQuestion(answer.question);
      setView(viewOfStored(answer));
    } catch (error) {
      setView({ ...emptyView(''), status: 'error', error });
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const text = question.trim();
    if (text) ask(text);
  }

  return (
    <div className="grid gap-6 lg:grid-cols-[1fr_16rem]">
      <div className="flex flex-col gap-4">
        <form onSubmit={submit} className="flex gap-2">
          <Label htmlFor="ask-question" className="sr-only">
            {t('formLabel')}
          </Label>
          <Input
            id="ask-question"
            className="h-10 flex-1 text-base"
            placeholder={t('placeholder')}
            value={question}
            maxLength={2000}
            autoFocus
            onChange={(e) => setQuestion(e.target.value)}
          />
          <Button type="submit" className="h-10" disabled={!question.trim()}>
            <MessageCircleQuestionIcon aria-hidden />
            {t('submit')}
          </Button>
        </form>
        <div aria-live="polite">
          {view ? (
            <Answer
              key={view.answerId ?? view.question}
              view={view}
              onFeedbackSaved={() => void queryClient.invalidateQueries({ queryKey: recentKey })}
            />
          ) : (
            <EmptyState title={t('emptyTitle')}>{t('emptyBody')}</EmptyState>
          )}
        </div>
      </div>
      <aside aria-labelledby="ask-recent-title" className="flex flex-col gap-2">
        <h2 id="ask-recent-title" className="text-sm font-medium">
          {t('recent')}
        </h2>
        {recent.isPending ? (
          <LoadingState rows={2} />
        ) : recent.isError ? (
          <Alert variant="destructive">
            <AlertTitle>{t('recentFailed')}</AlertTitle>
            <AlertDescription>{t('recentFailedBody')}</AlertDescription>
          </Alert>
        ) : recent.data.items.length === 0 ? (
          <p className="text-sm text-muted-foreground">{t('recentEmpty')}</p>
        ) : (
          <ul className="flex flex-col gap-1" data-testid="ask-recent">
            {recent.data.items.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  className="w-full rounded px-2 py-1 text-left text-sm hover:bg-muted focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
                  onClick={() => void openStored(item.id)}
                >
                  <span className="line-clamp-2">{item.question}</span>
                  <span className="block text-xs text-muted-foreground">
                    {format.dateTime(item.created_at)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </aside>
    </div>
  );
}

export function AskPage() {
  return (
    <SearchOrAskFrame namespace="ask">
      {(projectId) => <AskForProject key={projectId} projectId={projectId} />}
    </SearchOrAskFrame>
  );
}
