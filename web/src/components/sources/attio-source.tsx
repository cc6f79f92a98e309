'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { PlugZapIcon, RefreshCwIcon, Trash2Icon } from 'lucide-react';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { api, API_BASE_URL } from '@/lib/api-client';
import type { Source } from '@/lib/api-types';
import { useFormat } from '@/lib/format';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Progress } from '@/components/ui/progress';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@/components/ui/table';
import { ErrorState, LoadingState, MutationError } from '@/components/states';

// An Attio workspace on the sources page (docs/connectors-attio.md), as linear-source.tsx shows
// Linear's: bind, test, last run, webhook URL, completeness per entity kind.

export const attioKeys = {
  completeness: (projectId: string, sourceId: string) =>
    ['sources', projectId, sourceId, 'attio-completeness'] as const,
  lastRun: (projectId: string) => ['jobs', projectId, 'runs', 'attio_sync', 'last'] as const,
};

// The server's default base URL (docs/connectors-attio.md), shown as the field's placeholder.
const ATTIO_DEFAULT_URL = 'https://api.attio.com';

/** `a, b c` → ['a', 'b', 'c']: record ids pasted from Attio's URLs. */
const idList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter(Boolean);

export function AttioBindForm({
  projectId,
  sourcesKey,
}: {
  projectId: string;
  sourcesKey: readonly unknown[];
}) {
  const t = useTranslations('sources.attio');
  const queryClient = useQueryClient();
  const [apiToken, setApiToken] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [companyIds, setCompanyIds] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const bind = useMutation({
    mutationFn: () =>
      api.sources.bindAttio({
        api_token: apiToken,
        base_url: baseUrl.trim() || undefined,
        company_record_ids: idList(companyIds).length > 0 ? idList(companyIds) : undefined,
        webhook_secret: webhookSecret || undefined,
      }),
    onSuccess: async () => {
      setApiToken('');
      setWebhookSecret('');
      await queryClient.invalidateQueries({ queryKey: sourcesKey });
      await queryClient.invalidateQueries({ queryKey: attioKeys.lastRun(projectId) });
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    bind.mutate();
  }
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('bindTitle')}</CardTitle>
        <CardDescription>{t('bindDescription')}</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="grid gap-4 sm:grid-cols-2" aria-label={t('bindForm')}>
          <div className="flex flex-col gap-2 sm:col-span-2">
            <Label htmlFor="att-api-token">{t('apiToken')}</Label>
            <Input
              id="att-api-token"
              type="password"
              autoComplete="off"
              required
              value={apiToken}
              onChange={(e) => setApiToken(e.target.value)}
            />
          </div>
          <div className="flex flex-col gap-2 sm:col-span-2">
            <Label htmlFor="att-base-url">{t('baseUrl')}</Label>
            <Input
              id="att-base-url"
              type="url"
              placeholder={ATTIO_DEFAULT_URL}
              aria-describedby="att-base-url-help"
              value={baseUrl}
              onChange={(e) => setBaseUrl(e.target.value)}
            />
            <p id="att-base-url-help" className="text-xs text-muted-foreground">
              {t('baseUrlHelp')}
            </p>
          </div>
          <div className="flex flex-col gap-2 sm:col-span-2">
            <Label htmlFor="att-company-ids">{t('companyIds')}</Label>
            <Input
              id="att-company-ids"
              aria-describedby="att-scope-help"
              value={companyIds}
              onChange={(e) => setCompanyIds(e.target.value)}
            />
          </div>
          <p id="att-scope-help" className="text-xs text-muted-foreground sm:col-span-2">
            {t('scopeHelp')}
          </p>
          <div className="flex flex-col gap-2 sm:col-span-2">
            <Label htmlFor="att-webhook-secret">{t('webhookSecret')}</Label>
            <Input
              id="att-webhook-secret"
              type="password"
              autoComplete="off"
              minLength={16}
              aria-describedby="att-webhook-secret-help"
              value={webhookSecret}
              onChange={(e) => setWebhookSecret(e.target.value)}
            />
            <p id="att-webhook-secret-help" className="text-xs text-muted-foreground">
              {t('webhookSecretHelp')}
            </p>
          </div>
          <div className="flex flex-col gap-3 sm:col-span-2">
            <MutationError error={bind.error} />
            <div>
              <Button type="submit" disabled={bind.isPending}>
                <PlugZapIcon aria-hidden />
                {bind.isPending ? t('binding') : t('bind')}
              </Button>
            </div>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

function webhookUrlOf(source: Source): string {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  const base = API_BASE_URL.startsWith('http') ? API_BASE_URL : `${origin}${API_BASE_URL}`;
  return `${base}${source.webhook_path}`;
}

export function AttioSourceCard({
  source,
  projectId,
  sourcesKey,
}: {
  source: Source;
  projectId: string;
  sourcesKey: readonly unknown[];
}) {
  const t = useTranslations('sources.attio');
  const format = useFormat();
  const queryClient = useQueryClient();
  const test = useMutation({ mutationFn: () => api.sources.testAttio(source.id) });
  const lastRun = useQuery({
    queryKey: attioKeys.lastRun(projectId),
    queryFn: () => api.jobs.runs({ job: 'attio_sync', limit: 1 }),
  });
  const sync = useMutation({
    mutationFn: () => api.jobs.runAttioSync(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: attioKeys.lastRun(projectId) }),
  });
  const remove = useMutation({
    mutationFn: () => api.sources.remove(source.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sourcesKey }),
  });
  const run = lastRun.data?.runs[0];
  const scope = source.company_record_ids ?? [];
  const webhookUrl = webhookUrlOf(source);
  return (
    <Card>
      <CardHeader>
        <div className="flex flex-wrap items-center gap-2">
          <CardTitle>{t('title')}</CardTitle>
          <Badge variant="success">{t('bound')}</Badge>
        </div>
        <CardDescription className="break-all">{source.base_url}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-muted-foreground">{t('workspace')}</dt>
          <dd className="break-all">{source.external_id}</dd>
          <dt className="text-muted-foreground">{t('apiToken')}</dt>
          <dd>{t('storedEncrypted')}</dd>
          <dt className="text-muted-foreground">{t('webhookSecret')}</dt>
          <dd>{source.webhook_secret_set ? t('storedEncrypted') : t('pollingOnly')}</dd>
          <dt className="text-muted-foreground">{t('scope')}</dt>
          <dd className="break-all">{scope.length > 0 ? scope.join(', ') : t('wholeWorkspace')}</dd>
          <dt className="text-muted-foreground">{t('lastRun')}</dt>
          <dd data-testid="attio-last-run">
            {run
              ? t('lastRunValue', {
                  status: run.status,
                  when: format.dateTime(run.finished_at ?? run.created_at),
                })
              : t('neverRun')}
            {run?.error ? <span className="block text-red-800">{run.error}</span> : null}
          </dd>
        </dl>
        <section
          aria-labelledby={`attio-webhook-${source.id}`}
          className="rounded-md border bg-muted/40 p-3"
        >
          <h3 id={`attio-webhook-${source.id}`} className="mb-2 text-sm font-medium">
            {t('webhookTitle')}
          </h3>
          <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
            <code className="flex-1 rounded bg-background px-2 py-1 text-xs break-all">
              {webhookUrl}
            </code>
            <CopyButton text={webhookUrl} label={t('copyWebhookUrl')} />
          </div>
          <p className="mt-2 text-xs text-muted-foreground">{t('webhookHelp')}</p>
        </section>
        <div className="flex flex-wrap items-center gap-2">
          <Button variant="outline" onClick={() => test.mutate()} disabled={test.isPending}>
            <PlugZapIcon aria-hidden />
            {test.isPending ? t('testing') : t('test')}
          </Button>
          <Button variant="outline" onClick={() => sync.mutate()} disabled={sync.isPending}>
            <RefreshCwIcon aria-hidden />
            {t('syncNow')}
          </Button>
          <Button variant="ghost" onClick={() => remove.mutate()} disabled={remove.isPending}>
            <Trash2Icon aria-hidden />
            {t('unbind')}
          </Button>
        </div>
        <div aria-live="polite">
          {test.isSuccess ? (
            <Alert variant={test.data.warnings.length > 0 ? 'warning' : 'success'}>
              <AlertTitle>{t('connectionWorks')}</AlertTitle>
              <AlertDescription>
                <p>
                  {t('connectedAs', {
                    workspace: test.data.workspace_name,
                    slug: test.data.workspace_slug,
                  })}
                </p>
                {test.data.warnings.map((warning) => (
                  <p key={warning} lang="en">
                    {warning}
                  </p>
                ))}
              </AlertDescription>
            </Alert>
          ) : null}
          <MutationError error={test.error} />
          <MutationError error={sync.error} />
          <MutationError error={remove.error} />
        </div>
      </CardContent>
    </Card>
  );
}

export function AttioCompletenessCard({
  source,
  projectId,
}: {
  source: Source;
  projectId: string;
}) {
  const t = useTranslations('sources.attio');
  const format = useFormat();
  const completeness = useQuery({
    queryKey: attioKeys.completeness(projectId, source.id),
    queryFn: () => api.sources.attioCompleteness(source.id),
  });
  const data = completeness.data;
  const neverSynced = data ? data.last_sync_at === null : false;
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('completeness')}</CardTitle>
        <CardDescription>{t('completenessDescription')}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {completeness.isLoading ? (
          <LoadingState label={t('loadingCompleteness')} />
        ) : completeness.isError ? (
          <ErrorState error={completeness.error} onRetry={() => completeness.refetch()} />
        ) : data ? (
          <>
            <div className="flex items-baseline justify-between text-sm">
              <span>{t('stored')}</span>
              <span className="font-semibold">
                {neverSynced ? t('notSynced') : format.percent(data.percentage)}
              </span>
            </div>
            <Progress value={neverSynced ? 0 : data.percentage} aria-label={t('completeness')} />
            <Table aria-label={t('kindsTable')}>
              <TableHeader>
                <TableRow>
                  <TableHead>{t('columnKind')}</TableHead>
                  <TableHead>{t('columnReported')}</TableHead>
                  <TableHead>{t('columnStored')}</TableHead>
                  <TableHead>{t('columnPercent')}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {data.kinds.map((row) => (
                  <TableRow key={row.kind}>
                    <TableCell>{t(`kinds.${row.kind}` as 'kinds.notes')}</TableCell>
                    <TableCell className="tabular-nums">{row.reported ?? '—'}</TableCell>
                    <TableCell className="tabular-nums">{row.stored}</TableCell>
                    <TableCell className="tabular-nums">
                      {row.percentage === null ? '—' : format.percent(row.percentage)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {data.last_sync_at ? (
              <p className="text-xs text-muted-foreground">
                {t('lastSync', { when: format.dateTime(data.last_sync_at) })}
              </p>
            ) : null}
          </>
        ) : null}
      </CardContent>
    </Card>
  );
}
