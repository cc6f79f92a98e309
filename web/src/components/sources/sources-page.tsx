'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { PlugZapIcon, Trash2Icon } from 'lucide-react';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { api } from '@/lib/api-client';
import type { Source } from '@/lib/api-types';
import { useActiveProject } from '@/lib/active-project';
import { conversationHref } from '@/lib/links';
import { useFormat } from '@/lib/format';
import { useCodeLabel } from '@/lib/labels';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog';
import { Label } from '@/components/ui/label';
import { Progress } from '@/components/ui/progress';
import {
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@/components/ui/table';
import { PageHeader } from '@/components/page-header';
import { RequireProject } from '@/components/require-project';
import { EmptyState, ErrorState, LoadingState, MutationError } from '@/components/states';
import {
  BindFormCard,
  BoundSourceCard,
  CompletenessCardShell,
  FormField,
  webhookUrlFor,
} from './source-card';
import { WorkspaceSection } from './workspace-source';

export const sourceKeys = {
  list: (projectId: string) => ['sources', projectId] as const,
  completeness: (projectId: string, sourceId: string) =>
    ['sources', projectId, sourceId, 'completeness'] as const,
};

function BindSourceForm({ projectId }: { projectId: string }) {
  const t = useTranslations('sources');
  const queryClient = useQueryClient();
  const [baseUrl, setBaseUrl] = useState('');
  const [accountId, setAccountId] = useState('');
  const [apiToken, setApiToken] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const [urlToken, setUrlToken] = useState(false);
  const bind = useMutation({
    mutationFn: () =>
      api.sources.bind({
        base_url: baseUrl.trim(),
        account_id: Number(accountId),
        api_token: apiToken,
        webhook_secret: webhookSecret ? webhookSecret : undefined,
        webhook_url_token: urlToken || undefined,
      }),
    onSuccess: async (result) => {
      setApiToken('');
      setWebhookSecret('');
      if (result.webhook_url_token) shownOnceToken.set(result.source.id, result.webhook_url_token);
      await queryClient.invalidateQueries({ queryKey: sourceKeys.list(projectId) });
    },
  });
  return (
    <BindFormCard t={t} mutation={{ ...bind, mutate: () => bind.mutate() }}>
      <FormField
        id="cw-base-url"
        label={t('baseUrl')}
        wide
        type="url"
        required
        placeholder={t('baseUrlPlaceholder')}
        value={baseUrl}
        onValue={setBaseUrl}
      />
      <FormField
        id="cw-account-id"
        label={t('accountId')}
        inputMode="numeric"
        pattern="[0-9]+"
        required
        placeholder="1"
        value={accountId}
        onValue={setAccountId}
      />
      <FormField
        id="cw-api-token"
        label={t('apiToken')}
        type="password"
        autoComplete="off"
        required
        value={apiToken}
        onValue={setApiToken}
      />
      <FormField
        id="cw-webhook-secret"
        label={t('webhookSecret')}
        help={t('webhookSecretHelp')}
        wide
        type="password"
        autoComplete="off"
        minLength={16}
        value={webhookSecret}
        onValue={setWebhookSecret}
      />
      <div className="flex items-center gap-2 sm:col-span-2">
        <Checkbox
          id="cw-url-token"
          checked={urlToken}
          onCheckedChange={(v) => setUrlToken(v === true)}
        />
        <Label htmlFor="cw-url-token" className="font-normal">
          {t('urlToken')}
        </Label>
      </div>
    </BindFormCard>
  );
}

// The URL token is returned exactly once, at bind time; it lives only in this tab's memory.
const shownOnceToken = new Map<string, string>();

function chatwootWebhookUrl(source: Source): string {
  const path = source.webhook_path || `/webhooks/chatwoot/${source.id}`;
  const token = shownOnceToken.get(source.id);
  return webhookUrlFor(`${path}${token ? `?token=${encodeURIComponent(token)}` : ''}`);
}

function SourceCard({ source, projectId }: { source: Source; projectId: string }) {
  const t = useTranslations('sources');
  const format = useFormat();
  const queryClient = useQueryClient();
  const test = useMutation({ mutationFn: () => api.sources.test(source.id) });
  const remove = useMutation({
    mutationFn: () => api.sources.remove(source.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sourceKeys.list(projectId) }),
  });
  return (
    <BoundSourceCard
      title={t('accountTitle', { id: source.account_id ?? source.external_id })}
      boundLabel={t('bound')}
      baseUrl={source.base_url}
      facts={
        <>
          <dt className="text-muted-foreground">{t('apiTokenLabel')}</dt>
          <dd>{source.api_token_set ? t('storedEncrypted') : t('missing')}</dd>
          <dt className="text-muted-foreground">{t('webhookSecretLabel')}</dt>
          <dd>
            {source.webhook_secret_set
              ? t('storedEncrypted')
              : source.webhook_url_token_set
                ? t('urlTokenSet')
                : t('pollingOnly')}
          </dd>
          <dt className="text-muted-foreground">{t('boundAt')}</dt>
          <dd>{format.dateTime(source.created_at)}</dd>
        </>
      }
      webhook={{
        id: `webhook-${source.id}`,
        title: t('webhookTitle'),
        url: chatwootWebhookUrl(source),
        copyLabel: t('copyWebhookUrl'),
        urlTestId: 'webhook-url',
        help: (
          <ol className="mt-2 list-decimal pl-5 text-xs text-muted-foreground">
            <li>{t('webhookStep1')}</li>
            <li>{t('webhookStep2')}</li>
            <li>{t('webhookStep3')}</li>
            <li>{t('webhookStep4')}</li>
          </ol>
        ),
      }}
      actions={
        <>
          <Button variant="outline" onClick={() => test.mutate()} disabled={test.isPending}>
            <PlugZapIcon aria-hidden />
            {test.isPending ? t('testing') : t('test')}
          </Button>
          <Dialog>
            <DialogTrigger asChild>
              <Button variant="ghost">
                <Trash2Icon aria-hidden />
                {t('unbind')}
              </Button>
            </DialogTrigger>
            <DialogContent>
              <DialogHeader>
                <DialogTitle>{t('unbindTitle')}</DialogTitle>
                <DialogDescription>{t('unbindBody')}</DialogDescription>
              </DialogHeader>
              <MutationError error={remove.error} />
              <DialogFooter>
                <DialogClose asChild>
                  <Button variant="outline">{t('keep')}</Button>
                </DialogClose>
                <Button
                  variant="destructive"
                  onClick={() => remove.mutate()}
                  disabled={remove.isPending}
                >
                  {t('unbind')}
                </Button>
              </DialogFooter>
            </DialogContent>
          </Dialog>
        </>
      }
      outcome={
        <>
          {test.isSuccess ? (
            <Alert variant={test.data.warnings.length > 0 ? 'warning' : 'success'}>
              <AlertTitle>{t('connectionWorks')}</AlertTitle>
              <AlertDescription>
                <p>
                  {test.data.account_name
                    ? t('accountNamed', { name: test.data.account_name })
                    : t('accountNumbered', { id: test.data.account_id })}
                  {test.data.role ? ` ${t('signedInAsRole', { role: test.data.role })}` : ''}
                </p>
                {test.data.warnings.length > 0 ? (
                  // The one warning the server gives today is about the token's role; a newer
                  // one shows in the server's (English) words until the catalogue knows it.
                  test.data.role && test.data.role !== 'administrator' ? (
                    <p>{t('roleWarning', { role: test.data.role })}</p>
                  ) : (
                    test.data.warnings.map((warning) => (
                      <p key={warning} lang="en">
                        {warning}
                      </p>
                    ))
                  )
                ) : null}
              </AlertDescription>
            </Alert>
          ) : null}
          <MutationError error={test.error} />
        </>
      }
    />
  );
}

function CompletenessCard({ source, projectId }: { source: Source; projectId: string }) {
  const t = useTranslations('sources');
  const format = useFormat();
  const gapReason = useCodeLabel('sources.gapReasons');
  const completeness = useQuery({
    queryKey: sourceKeys.completeness(projectId, source.id),
    queryFn: () => api.sources.completeness(source.id),
  });
  const data = completeness.data;
  const percent = data ? data.percentage : null;
  const neverSynced = data ? data.last_sync_at === null : false;
  const gaps = data?.gaps ?? [];
  return (
    <CompletenessCardShell t={t} query={completeness}>
      {
        <>
          <div className="flex flex-col gap-2">
            <div className="flex items-baseline justify-between text-sm">
              <span>{t('fullyStored')}</span>
              <span className="font-semibold" data-testid="completeness-percent">
                {neverSynced ? t('notSynced') : format.percent(percent ?? 0)}
              </span>
            </div>
            <Progress value={neverSynced ? 0 : (percent ?? 0)} aria-label={t('completeness')} />
            {data ? (
              <p className="text-xs text-muted-foreground">
                {t('completenessSummary', {
                  complete: data.conversations_complete,
                  total: data.conversations_total,
                  stored: data.messages_stored,
                  reported: data.messages_reported,
                })}
                {data.last_sync_at
                  ? ` · ${t('lastSync', { when: format.dateTime(data.last_sync_at) })}`
                  : ''}
              </p>
            ) : null}
          </div>
          {gaps.length === 0 ? (
            <EmptyState title={neverSynced ? t('noSyncTitle') : t('noGapsTitle')}>
              {neverSynced ? t('noSyncBody') : t('noGapsBody')}
            </EmptyState>
          ) : (
            <Table aria-label={t('gapsTable')}>
              <TableCaption>
                {data!.gaps_total > gaps.length
                  ? t('gapsShowing', { shown: gaps.length, total: data!.gaps_total })
                  : t('gapsAll', { count: gaps.length })}
              </TableCaption>
              <TableHeader>
                <TableRow>
                  <TableHead>{t('columnConversation')}</TableHead>
                  <TableHead>{t('columnMessages')}</TableHead>
                  <TableHead>{t('columnWhy')}</TableHead>
                  <TableHead className="hidden sm:table-cell">{t('columnLastFetched')}</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {gaps.map((row) => (
                  <TableRow key={row.conversation_global_id} data-testid="completeness-gap">
                    <TableCell>
                      <Link
                        className="underline-offset-4 hover:underline"
                        href={conversationHref(row.conversation_global_id)}
                      >
                        #{row.conversation_id}
                      </Link>
                    </TableCell>
                    <TableCell className="tabular-nums">
                      {t('gapCounts', {
                        source: row.source_message_count ?? '?',
                        stored: row.stored_message_count,
                      })}
                      {row.missing_messages
                        ? ` ${t('missingCount', { count: row.missing_messages })}`
                        : ''}
                    </TableCell>
                    <TableCell className="max-w-xs text-xs break-words">
                      {gapReason(row.reason)}
                      {row.last_error ? (
                        <span className="block text-red-800">{row.last_error}</span>
                      ) : null}
                    </TableCell>
                    <TableCell className="hidden whitespace-nowrap sm:table-cell">
                      {format.dateTime(row.last_fetched_at)}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </>
      }
    </CompletenessCardShell>
  );
}

function SourcesForProject({ projectId }: { projectId: string }) {
  const t = useTranslations('sources');
  const sources = useQuery({
    queryKey: sourceKeys.list(projectId),
    queryFn: () => api.sources.list(),
  });
  if (sources.isLoading) return <LoadingState label={t('loadingSources')} />;
  if (sources.isError)
    return <ErrorState error={sources.error} onRetry={() => sources.refetch()} />;
  const all = sources.data?.sources ?? [];
  const list = all.filter((source) => source.source_kind === 'chatwoot_account');
  const workspaces = (['linear', 'attio'] as const).map((kind) => (
    <WorkspaceSection
      key={kind}
      kind={kind}
      source={all.find((source) => source.source_kind === `${kind}_workspace`)}
      projectId={projectId}
      sourcesKey={sourceKeys.list(projectId)}
    />
  ));
  if (list.length === 0) {
    return (
      <div className="flex flex-col gap-4">
        <EmptyState title={t('noSourceTitle')}>{t('noSourceBody')}</EmptyState>
        <BindSourceForm projectId={projectId} />
        {workspaces}
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-5">
      {list.map((source) => (
        <div key={source.id} className="grid gap-5 xl:grid-cols-2">
          <SourceCard source={source} projectId={projectId} />
          <CompletenessCard source={source} projectId={projectId} />
        </div>
      ))}
      {workspaces}
    </div>
  );
}

export function SourcesPage() {
  const t = useTranslations('sources');
  const { project } = useActiveProject();
  return (
    <>
      <PageHeader
        title={t('title')}
        description={
          project ? t('description', { project: project.name }) : t('descriptionNoProject')
        }
      />
      <RequireProject>{(projectId) => <SourcesForProject projectId={projectId} />}</RequireProject>
    </>
  );
}
