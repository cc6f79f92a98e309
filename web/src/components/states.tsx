'use client';
import { AlertTriangleIcon, InboxIcon, Loader2Icon } from 'lucide-react';
import { useTranslations } from 'next-intl';
import type { ReactNode } from 'react';
import { useErrorText } from '@/lib/error-text';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Skeleton } from '@/components/ui/skeleton';

export function LoadingState({ label, rows = 3 }: { label?: string; rows?: number }) {
  const t = useTranslations('common');
  return (
    <div role="status" aria-live="polite" className="flex flex-col gap-2">
      <span className="sr-only">{label ?? t('loading')}</span>
      {Array.from({ length: rows }, (_, i) => (
        <Skeleton key={i} className="h-10 w-full" />
      ))}
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span role="status" className="inline-flex items-center gap-2 text-sm text-muted-foreground">
      <Loader2Icon className="size-4 animate-spin" aria-hidden />
      {label}
    </span>
  );
}

export function EmptyState({
  title,
  children,
  action,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="flex flex-col items-center gap-2 rounded-lg border border-dashed px-4 py-10 text-center">
      <InboxIcon className="size-6 text-muted-foreground" aria-hidden />
      <p className="font-medium">{title}</p>
      {children ? <div className="max-w-md text-sm text-muted-foreground">{children}</div> : null}
      {action}
    </div>
  );
}

/**
 * Shows why something failed in words of the user's language (chosen by the error's code), never
 * a stack trace, plus the id support can look up.
 */
export function ErrorState({
  error,
  title,
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  const t = useTranslations();
  const { text, detail, requestId } = useErrorText()(error);
  return (
    <Alert variant="destructive" role="alert">
      <div className="flex items-start gap-3">
        <AlertTriangleIcon className="mt-0.5 size-4 shrink-0" aria-hidden />
        <div className="flex-1">
          <AlertTitle>{title ?? t('states.somethingWentWrong')}</AlertTitle>
          <AlertDescription>
            <p>{text}</p>
            {detail ? (
              <p className="mt-1 text-xs break-words opacity-80" lang="en">
                {detail}
              </p>
            ) : null}
            {requestId ? (
              <p className="mt-1 text-xs opacity-80">
                {t.rich('common.requestId', {
                  id: requestId,
                  code: (chunks) => <span className="font-mono select-all">{chunks}</span>,
                })}
              </p>
            ) : null}
          </AlertDescription>
        </div>
        {onRetry ? (
          <Button size="sm" variant="outline" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        ) : null}
      </div>
    </Alert>
  );
}

/** A compact inline error for a mutation (a failed button press). */
export function MutationError({ error }: { error: unknown }) {
  const t = useTranslations('states');
  if (!error) return null;
  return <ErrorState error={error} title={t('thatDidNotWork')} />;
}
