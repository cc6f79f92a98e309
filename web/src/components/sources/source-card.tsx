'use client';
import { PlugZapIcon } from 'lucide-react';
import type { FormEvent, InputHTMLAttributes, ReactNode } from 'react';
import { API_BASE_URL } from '@/lib/api-client';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { ErrorState, LoadingState, MutationError } from '@/components/states';

// The one shape of a source on the sources page, whatever its kind (Chatwoot in sources-page.tsx,
// Linear and Attio in workspace-source.tsx): a bind form card, and once bound a card with its
// facts, its webhook URL, its actions and what the last action said. Each kind fills in the words
// and fields; the layout, ids and accessible names are made here once.

/** The catalogue keys every kind's bind form and completeness card share (sources, sources.*). */
type SharedWords = (
  key:
    | 'bindTitle'
    | 'bindDescription'
    | 'bindForm'
    | 'bind'
    | 'binding'
    | 'completeness'
    | 'completenessDescription'
    | 'loadingCompleteness',
) => string;

/** The bind form: title, description, the kind's fields, and the submit button with its error. */
export function BindFormCard({
  t,
  mutation,
  children,
}: {
  t: SharedWords;
  mutation: { isPending: boolean; error: unknown; mutate: () => void };
  children: ReactNode;
}) {
  function submit(event: FormEvent) {
    event.preventDefault();
    mutation.mutate();
  }
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('bindTitle')}</CardTitle>
        <CardDescription>{t('bindDescription')}</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="grid gap-4 sm:grid-cols-2" aria-label={t('bindForm')}>
          {children}
          <div className="flex flex-col gap-3 sm:col-span-2">
            <MutationError error={mutation.error} />
            <div>
              <Button type="submit" disabled={mutation.isPending}>
                <PlugZapIcon aria-hidden />
                {mutation.isPending ? t('binding') : t('bind')}
              </Button>
            </div>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

/** The completeness card around a kind's figures: its heading, loading and error states. */
export function CompletenessCardShell({
  t,
  query,
  children,
}: {
  t: SharedWords;
  query: { isLoading: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  /** The figures, once loaded. */
  children: ReactNode;
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('completeness')}</CardTitle>
        <CardDescription>{t('completenessDescription')}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {query.isLoading ? (
          <LoadingState label={t('loadingCompleteness')} />
        ) : query.isError ? (
          <ErrorState error={query.error} onRetry={() => query.refetch()} />
        ) : (
          children
        )}
      </CardContent>
    </Card>
  );
}

/** A labelled input of a bind form, with its help text linked by aria-describedby. */
export function FormField({
  id,
  label,
  help,
  describedBy,
  wide = false,
  value,
  onValue,
  ...input
}: {
  id: string;
  label: string;
  /** Shown under the input as `${id}-help`. */
  help?: string;
  /** A help paragraph elsewhere in the form (a shared one) that describes this input. */
  describedBy?: string;
  /** Spans both columns of the form. */
  wide?: boolean;
  value: string;
  onValue: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>) {
  const helpId = help ? `${id}-help` : describedBy;
  return (
    <div className={wide ? 'flex flex-col gap-2 sm:col-span-2' : 'flex flex-col gap-2'}>
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        aria-describedby={helpId}
        value={value}
        onChange={(e) => onValue(e.target.value)}
        {...input}
      />
      {help ? (
        <p id={helpId} className="text-xs text-muted-foreground">
          {help}
        </p>
      ) : null}
    </div>
  );
}

/** The API's public URL for a webhook path: absolute, as the other service must be given it. */
export function webhookUrlFor(path: string): string {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  const base = API_BASE_URL.startsWith('http') ? API_BASE_URL : `${origin}${API_BASE_URL}`;
  return `${base}${path}`;
}

/** A bound source: its facts, webhook URL with how to set it up, actions and their outcome. */
export function BoundSourceCard({
  title,
  boundLabel,
  baseUrl,
  facts,
  webhook,
  actions,
  outcome,
}: {
  title: string;
  boundLabel: string;
  baseUrl: string | null;
  /** `<dt>`/`<dd>` pairs. */
  facts: ReactNode;
  webhook: {
    /** The section heading's id. */
    id: string;
    title: string;
    url: string;
    copyLabel: string;
    urlTestId?: string;
    help: ReactNode;
  };
  actions: ReactNode;
  /** Announced as it changes: the test's result and the actions' errors. */
  outcome: ReactNode;
}) {
  return (
    <Card>
      <CardHeader>
        <div className="flex flex-wrap items-center gap-2">
          <CardTitle>{title}</CardTitle>
          <Badge variant="success">{boundLabel}</Badge>
        </div>
        <CardDescription className="break-all">{baseUrl}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">{facts}</dl>
        <section aria-labelledby={webhook.id} className="rounded-md border bg-muted/40 p-3">
          <h3 id={webhook.id} className="mb-2 text-sm font-medium">
            {webhook.title}
          </h3>
          <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
            <code
              className="flex-1 rounded bg-background px-2 py-1 text-xs break-all"
              data-testid={webhook.urlTestId}
            >
              {webhook.url}
            </code>
            <CopyButton text={webhook.url} label={webhook.copyLabel} />
          </div>
          {webhook.help}
        </section>
        <div className="flex flex-wrap items-center gap-2">{actions}</div>
        <div aria-live="polite">{outcome}</div>
      </CardContent>
    </Card>
  );
}
