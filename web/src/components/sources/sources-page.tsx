'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CheckCircle2Icon, CopyIcon, PlugZapIcon, Trash2Icon } from 'lucide-react';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { api, API_BASE_URL } from '@/lib/api-client';
import type { Source } from '@/lib/api-types';
import { useActiveProject } from '@/lib/active-project';
import { conversationHref } from '@/lib/links';
import { formatTime } from '@/lib/utils';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
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
import { Input } from '@/components/ui/input';
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

export const sourceKeys = {
  list: (projectId: string) => ['sources', projectId] as const,
  completeness: (projectId: string, sourceId: string) =>
    ['sources', projectId, sourceId, 'completeness'] as const,
};

function BindSourceForm({ projectId }: { projectId: string }) {
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
  function submit(event: FormEvent) {
    event.preventDefault();
    bind.mutate();
  }
  return (
    <Card>
      <CardHeader>
        <CardTitle>Bind a Chatwoot account</CardTitle>
        <CardDescription>
          Cairn reads conversations with an access token of a Chatwoot agent or administrator
          (Profile settings → Access token). The token is stored encrypted and never shown again.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form
          onSubmit={submit}
          className="grid gap-4 sm:grid-cols-2"
          aria-label="Bind Chatwoot account"
        >
          <div className="flex flex-col gap-2 sm:col-span-2">
            <Label htmlFor="cw-base-url">Chatwoot URL</Label>
            <Input
              id="cw-base-url"
              type="url"
              required
              placeholder="https://chat.example.com"
              value={baseUrl}
              onChange={(e) => setBaseUrl(e.target.value)}
            />
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor="cw-account-id">Account id</Label>
            <Input
              id="cw-account-id"
              inputMode="numeric"
              pattern="[0-9]+"
              required
              placeholder="1"
              value={accountId}
              onChange={(e) => setAccountId(e.target.value)}
            />
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor="cw-api-token">API access token</Label>
            <Input
              id="cw-api-token"
              type="password"
              autoComplete="off"
              required
              value={apiToken}
              onChange={(e) => setApiToken(e.target.value)}
            />
          </div>
          <div className="flex flex-col gap-2 sm:col-span-2">
            <Label htmlFor="cw-webhook-secret">
              Webhook secret (optional, at least 16 characters)
            </Label>
            <Input
              id="cw-webhook-secret"
              type="password"
              autoComplete="off"
              minLength={16}
              aria-describedby="cw-webhook-secret-help"
              value={webhookSecret}
              onChange={(e) => setWebhookSecret(e.target.value)}
            />
            <p id="cw-webhook-secret-help" className="text-xs text-muted-foreground">
              Paste the secret Chatwoot shows when you create the webhook (Settings → Integrations →
              Webhooks, Chatwoot 4.12 or newer). Without webhooks, Cairn still polls on schedule.
            </p>
          </div>
          <div className="flex items-center gap-2 sm:col-span-2">
            <Checkbox
              id="cw-url-token"
              checked={urlToken}
              onCheckedChange={(v) => setUrlToken(v === true)}
            />
            <Label htmlFor="cw-url-token" className="font-normal">
              My Chatwoot is older than 4.12 (no signed webhooks): use a secret token in the URL
            </Label>
          </div>
          <div className="flex flex-col gap-3 sm:col-span-2">
            <MutationError error={bind.error} />
            <div>
              <Button type="submit" disabled={bind.isPending}>
                <PlugZapIcon aria-hidden />
                {bind.isPending ? 'Binding…' : 'Bind account'}
              </Button>
            </div>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}

// The URL token is returned exactly once, at bind time; it lives only in this tab's memory.
const shownOnceToken = new Map<string, string>();

function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      size="sm"
      variant="outline"
      aria-label={label}
      onClick={async () => {
        await navigator.clipboard?.writeText(text).catch(() => undefined);
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
    >
      {copied ? <CheckCircle2Icon aria-hidden /> : <CopyIcon aria-hidden />}
      {copied ? 'Copied' : 'Copy'}
    </Button>
  );
}

function webhookUrlFor(source: Source): string {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  const base = API_BASE_URL.startsWith('http') ? API_BASE_URL : `${origin}${API_BASE_URL}`;
  const path = source.webhook_path || `/webhooks/chatwoot/${source.id}`;
  const token = shownOnceToken.get(source.id);
  return `${base}${path}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

function SourceCard({ source, projectId }: { source: Source; projectId: string }) {
  const queryClient = useQueryClient();
  const test = useMutation({ mutationFn: () => api.sources.test(source.id) });
  const remove = useMutation({
    mutationFn: () => api.sources.remove(source.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sourceKeys.list(projectId) }),
  });
  const webhookUrl = webhookUrlFor(source);
  return (
    <Card>
      <CardHeader>
        <div className="flex flex-wrap items-center gap-2">
          <CardTitle>Chatwoot account {source.account_id}</CardTitle>
          <Badge variant="success">Bound</Badge>
        </div>
        <CardDescription className="break-all">{source.base_url}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-muted-foreground">API token</dt>
          <dd>{source.api_token_set ? 'Stored (encrypted)' : 'Missing'}</dd>
          <dt className="text-muted-foreground">Webhook secret</dt>
          <dd>
            {source.webhook_secret_set
              ? 'Stored (encrypted)'
              : source.webhook_url_token_set
                ? 'URL token (unsigned Chatwoot)'
                : 'Not set — polling only'}
          </dd>
          <dt className="text-muted-foreground">Bound</dt>
          <dd>{formatTime(source.created_at)}</dd>
        </dl>
        <section
          aria-labelledby={`webhook-${source.id}`}
          className="rounded-md border bg-muted/40 p-3"
        >
          <h3 id={`webhook-${source.id}`} className="mb-2 text-sm font-medium">
            Webhook (optional, for near-instant updates)
          </h3>
          <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
            <code
              className="flex-1 rounded bg-background px-2 py-1 text-xs break-all"
              data-testid="webhook-url"
            >
              {webhookUrl}
            </code>
            <CopyButton text={webhookUrl} label="Copy webhook URL" />
          </div>
          <ol className="mt-2 list-decimal pl-5 text-xs text-muted-foreground">
            <li>In Chatwoot open Settings → Integrations → Webhooks → Add new webhook.</li>
            <li>Paste the URL above; tick message and conversation events and contact events.</li>
            <li>
              Chatwoot 4.12+ shows a signing secret: unbind and bind again with that secret in
              “Webhook secret”, or set it at bind time. Cairn refuses unsigned or stale deliveries.
            </li>
            <li>Webhooks are never retried by Chatwoot; the scheduled sync fills any gap.</li>
          </ol>
        </section>
        <div className="flex flex-wrap items-center gap-2">
          <Button variant="outline" onClick={() => test.mutate()} disabled={test.isPending}>
            <PlugZapIcon aria-hidden />
            {test.isPending ? 'Testing…' : 'Test connection'}
          </Button>
          <Dialog>
            <DialogTrigger asChild>
              <Button variant="ghost">
                <Trash2Icon aria-hidden />
                Unbind
              </Button>
            </DialogTrigger>
            <DialogContent>
              <DialogHeader>
                <DialogTitle>Unbind this Chatwoot account?</DialogTitle>
                <DialogDescription>
                  Synced conversations stay; new ones stop arriving until you bind again.
                </DialogDescription>
              </DialogHeader>
              <MutationError error={remove.error} />
              <DialogFooter>
                <DialogClose asChild>
                  <Button variant="outline">Keep</Button>
                </DialogClose>
                <Button
                  variant="destructive"
                  onClick={() => remove.mutate()}
                  disabled={remove.isPending}
                >
                  Unbind
                </Button>
              </DialogFooter>
            </DialogContent>
          </Dialog>
        </div>
        <div aria-live="polite">
          {test.isSuccess ? (
            <Alert variant={test.data.warnings.length > 0 ? 'warning' : 'success'}>
              <AlertTitle>Connection works</AlertTitle>
              <AlertDescription>
                <p>
                  Account{' '}
                  {test.data.account_name ? `“${test.data.account_name}”` : test.data.account_id}
                  {test.data.role ? `, signed in as ${test.data.role}` : ''}.
                </p>
                {test.data.warnings.map((warning) => (
                  <p key={warning}>{warning}</p>
                ))}
              </AlertDescription>
            </Alert>
          ) : null}
          <MutationError error={test.error} />
        </div>
      </CardContent>
    </Card>
  );
}

function CompletenessCard({ source, projectId }: { source: Source; projectId: string }) {
  const completeness = useQuery({
    queryKey: sourceKeys.completeness(projectId, source.id),
    queryFn: () => api.sources.completeness(source.id),
  });
  const data = completeness.data;
  const percent = data ? data.percentage : null;
  const neverSynced = data ? data.last_sync_at === null : false;
  const gaps = data?.gaps ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>Completeness</CardTitle>
        <CardDescription>
          What Chatwoot reports per conversation against what Cairn stores. Search sees only stored
          messages.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {completeness.isLoading ? (
          <LoadingState label="Loading completeness…" />
        ) : completeness.isError ? (
          <ErrorState error={completeness.error} onRetry={() => completeness.refetch()} />
        ) : (
          <>
            <div className="flex flex-col gap-2">
              <div className="flex items-baseline justify-between text-sm">
                <span>Conversations fully stored</span>
                <span className="font-semibold" data-testid="completeness-percent">
                  {neverSynced ? 'Not synced yet' : `${percent!.toFixed(1)}%`}
                </span>
              </div>
              <Progress value={neverSynced ? 0 : (percent ?? 0)} aria-label="Completeness" />
              {data ? (
                <p className="text-xs text-muted-foreground">
                  {data.conversations_complete} of {data.conversations_total} conversations complete
                  · {data.messages_stored} of {data.messages_reported} messages stored
                  {data.last_sync_at ? ` · last sync ${formatTime(data.last_sync_at)}` : ''}
                </p>
              ) : null}
            </div>
            {gaps.length === 0 ? (
              <EmptyState title={neverSynced ? 'No sync yet' : 'No gaps'}>
                {neverSynced
                  ? 'Run a sync from the Jobs page to fill the ledger.'
                  : 'Every conversation Chatwoot reports is fully stored.'}
              </EmptyState>
            ) : (
              <Table aria-label="Conversations with gaps">
                <TableCaption>
                  {data!.gaps_total > gaps.length
                    ? `Showing ${gaps.length} of ${data!.gaps_total} conversations with gaps, most missing first.`
                    : `${gaps.length} conversation${gaps.length === 1 ? '' : 's'} with gaps.`}
                </TableCaption>
                <TableHeader>
                  <TableRow>
                    <TableHead>Conversation</TableHead>
                    <TableHead>Messages (source / stored)</TableHead>
                    <TableHead>Why</TableHead>
                    <TableHead className="hidden sm:table-cell">Last fetched</TableHead>
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
                        {row.source_message_count ?? '?'} / {row.stored_message_count}
                        {row.missing_messages ? ` (${row.missing_messages} missing)` : ''}
                      </TableCell>
                      <TableCell className="max-w-xs text-xs break-words">
                        {row.reason.replaceAll('_', ' ')}
                        {row.last_error ? (
                          <span className="block text-red-800">{row.last_error}</span>
                        ) : null}
                      </TableCell>
                      <TableCell className="hidden whitespace-nowrap sm:table-cell">
                        {formatTime(row.last_fetched_at)}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}

function SourcesForProject({ projectId }: { projectId: string }) {
  const sources = useQuery({
    queryKey: sourceKeys.list(projectId),
    queryFn: () => api.sources.list(),
  });
  if (sources.isLoading) return <LoadingState label="Loading sources…" />;
  if (sources.isError)
    return <ErrorState error={sources.error} onRetry={() => sources.refetch()} />;
  const list = sources.data?.sources ?? [];
  if (list.length === 0) {
    return (
      <div className="flex flex-col gap-4">
        <EmptyState title="No source bound yet">
          Bind this project to its Chatwoot account to sync conversations, contacts and messages.
        </EmptyState>
        <BindSourceForm projectId={projectId} />
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
    </div>
  );
}

export function SourcesPage() {
  const { project } = useActiveProject();
  return (
    <>
      <PageHeader
        title="Sources"
        description={
          project ? (
            <>Where {project.name}’s conversations come from.</>
          ) : (
            'Where conversations come from.'
          )
        }
      />
      <RequireProject>{(projectId) => <SourcesForProject projectId={projectId} />}</RequireProject>
    </>
  );
}
