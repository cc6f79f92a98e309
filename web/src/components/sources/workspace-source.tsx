'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { PlugZapIcon, RefreshCwIcon, Trash2Icon } from 'lucide-react';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { api } from '@/lib/api-client';
import type { Source } from '@/lib/api-types';
import { useFormat } from '@/lib/format';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Progress } from '@/components/ui/progress';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@/components/ui/table';
import { MutationError } from '@/components/states';
import {
  BindFormCard,
  BoundSourceCard,
  CompletenessCardShell,
  FormField,
  webhookUrlFor,
} from './source-card';

// A Linear or Attio workspace on the sources page (docs/connectors-linear.md,
// docs/connectors-attio.md): bind with its scope, test, last run, webhook URL, completeness per
// entity kind. The two kinds differ only in what WORKSPACES below says about them.

export type WorkspaceKind = 'linear' | 'attio';

interface ScopeField {
  /** The request field: team_ids, project_ids, company_record_ids. */
  name: 'team_ids' | 'project_ids' | 'company_record_ids';
  /** Its catalogue key and input id suffix. */
  label: 'teamIds' | 'projectIds' | 'companyIds';
  wide: boolean;
}

interface Completeness {
  last_sync_at: string | null;
  percentage: number;
  kinds: {
    kind: string;
    reported: number | null;
    stored: number;
    archived?: number;
    percentage: number | null;
  }[];
}

interface WorkspaceSpec {
  /** The input ids' prefix, kept from before the two kinds shared this file (e2e and links). */
  idPrefix: string;
  job: 'linear_sync' | 'attio_sync';
  /** The server's default endpoint (the docs above), shown as the field's placeholder. */
  defaultUrl: string;
  /** The credential's request field and catalogue key. */
  credential: { name: 'api_key' | 'api_token'; label: 'apiKey' | 'apiToken'; id: string };
  /** Catalogue key of the external id's name. */
  externalLabel: 'organization' | 'workspace';
  scopeFields: ScopeField[];
  /** Attio: a list of companies (its id or slug) may scope the binding too (docs/api.md). */
  listField: boolean;
  /** Archived entities are stored and counted (Linear); Attio has none. */
  archivedColumn: boolean;
  bind(body: Record<string, unknown>): Promise<unknown>;
  test(id: string): Promise<{ warnings: string[]; connectedAs: Record<string, string> }>;
  sync(): Promise<unknown>;
  completeness(id: string): Promise<Completeness>;
}

const WORKSPACES: Record<WorkspaceKind, WorkspaceSpec> = {
  linear: {
    idPrefix: 'lin',
    job: 'linear_sync',
    defaultUrl: 'https://api.linear.app/graphql',
    credential: { name: 'api_key', label: 'apiKey', id: 'api-key' },
    externalLabel: 'organization',
    scopeFields: [
      { name: 'team_ids', label: 'teamIds', wide: false },
      { name: 'project_ids', label: 'projectIds', wide: false },
    ],
    listField: false,
    archivedColumn: true,
    bind: (body) => api.sources.bindLinear(body as Parameters<typeof api.sources.bindLinear>[0]),
    test: (id) =>
      api.sources.testLinear(id).then((data) => ({
        warnings: data.warnings,
        connectedAs: { organization: data.organization_name, user: data.viewer.name },
      })),
    sync: () => api.jobs.runLinearSync(),
    completeness: (id) => api.sources.linearCompleteness(id),
  },
  attio: {
    idPrefix: 'att',
    job: 'attio_sync',
    defaultUrl: 'https://api.attio.com',
    credential: { name: 'api_token', label: 'apiToken', id: 'api-token' },
    externalLabel: 'workspace',
    scopeFields: [{ name: 'company_record_ids', label: 'companyIds', wide: true }],
    listField: true,
    archivedColumn: false,
    bind: (body) => api.sources.bindAttio(body as Parameters<typeof api.sources.bindAttio>[0]),
    test: (id) =>
      api.sources.testAttio(id).then((data) => ({
        warnings: data.warnings,
        connectedAs: { workspace: data.workspace_name, slug: data.workspace_slug },
      })),
    sync: () => api.jobs.runAttioSync(),
    completeness: (id) => api.sources.attioCompleteness(id),
  },
};

export const workspaceKeys = {
  completeness: (kind: WorkspaceKind, projectId: string, sourceId: string) =>
    ['sources', projectId, sourceId, `${kind}-completeness`] as const,
  lastRun: (kind: WorkspaceKind, projectId: string) =>
    ['jobs', projectId, 'runs', WORKSPACES[kind].job, 'last'] as const,
};

/**
 * The kind's catalogue (sources.linear or sources.attio): the same keys in both but for the
 * credential, external id and scope fields, which WORKSPACES names per kind.
 */
function useWorkspaceWords(kind: WorkspaceKind) {
  return useTranslations(`sources.${kind}` as 'sources.linear') as unknown as (
    key: string,
    values?: Record<string, string | number>,
  ) => string;
}

/** `a, b c` → ['a', 'b', 'c']: ids pasted from the service's URLs or settings. */
const idList = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter(Boolean);

export function WorkspaceBindForm({
  kind,
  projectId,
  sourcesKey,
}: {
  kind: WorkspaceKind;
  projectId: string;
  sourcesKey: readonly unknown[];
}) {
  const spec = WORKSPACES[kind];
  const t = useWorkspaceWords(kind);
  const queryClient = useQueryClient();
  const [credential, setCredential] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [scope, setScope] = useState<Partial<Record<ScopeField['name'], string>>>({});
  const [list, setList] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const bind = useMutation({
    mutationFn: () =>
      spec.bind({
        [spec.credential.name]: credential,
        base_url: baseUrl.trim() || undefined,
        ...Object.fromEntries(
          spec.scopeFields.map(({ name }) => {
            const ids = idList(scope[name] ?? '');
            return [name, ids.length > 0 ? ids : undefined];
          }),
        ),
        list: (spec.listField && list.trim()) || undefined,
        webhook_secret: webhookSecret || undefined,
      }),
    onSuccess: async () => {
      setCredential('');
      setWebhookSecret('');
      await queryClient.invalidateQueries({ queryKey: sourcesKey });
      await queryClient.invalidateQueries({ queryKey: workspaceKeys.lastRun(kind, projectId) });
    },
  });
  const id = (suffix: string) => `${spec.idPrefix}-${suffix}`;
  return (
    <BindFormCard t={t} mutation={{ ...bind, mutate: () => bind.mutate() }}>
      <FormField
        id={id(spec.credential.id)}
        label={t(spec.credential.label)}
        wide
        type="password"
        autoComplete="off"
        required
        value={credential}
        onValue={setCredential}
      />
      <FormField
        id={id('base-url')}
        label={t('baseUrl')}
        help={t('baseUrlHelp')}
        wide
        type="url"
        placeholder={spec.defaultUrl}
        value={baseUrl}
        onValue={setBaseUrl}
      />
      {spec.scopeFields.map((field) => (
        <FormField
          key={field.name}
          id={id(
            field.name === 'company_record_ids' ? 'company-ids' : field.name.replace('_', '-'),
          )}
          label={t(field.label)}
          describedBy={id('scope-help')}
          wide={field.wide}
          value={scope[field.name] ?? ''}
          onValue={(value) => setScope((s) => ({ ...s, [field.name]: value }))}
        />
      ))}
      {spec.listField ? (
        <FormField
          id={id('list')}
          label={t('list')}
          describedBy={id('scope-help')}
          wide
          value={list}
          onValue={setList}
        />
      ) : null}
      <p id={id('scope-help')} className="text-xs text-muted-foreground sm:col-span-2">
        {t('scopeHelp')}
      </p>
      <FormField
        id={id('webhook-secret')}
        label={t('webhookSecret')}
        help={t('webhookSecretHelp')}
        wide
        type="password"
        autoComplete="off"
        minLength={16}
        value={webhookSecret}
        onValue={setWebhookSecret}
      />
    </BindFormCard>
  );
}

export function WorkspaceSourceCard({
  kind,
  source,
  projectId,
  sourcesKey,
}: {
  kind: WorkspaceKind;
  source: Source;
  projectId: string;
  sourcesKey: readonly unknown[];
}) {
  const spec = WORKSPACES[kind];
  const t = useWorkspaceWords(kind);
  const format = useFormat();
  const queryClient = useQueryClient();
  const test = useMutation({ mutationFn: () => spec.test(source.id) });
  const lastRun = useQuery({
    queryKey: workspaceKeys.lastRun(kind, projectId),
    queryFn: () => api.jobs.runs({ job: spec.job, limit: 1 }),
  });
  const sync = useMutation({
    mutationFn: () => spec.sync(),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: workspaceKeys.lastRun(kind, projectId) }),
  });
  const remove = useMutation({
    mutationFn: () => api.sources.remove(source.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sourcesKey }),
  });
  const run = lastRun.data?.runs[0];
  const scope = [
    ...spec.scopeFields.flatMap((field) => source[field.name] ?? []),
    ...(source.list ? [t('inList', { list: source.list })] : []),
  ];
  return (
    <BoundSourceCard
      title={t('title')}
      boundLabel={t('bound')}
      baseUrl={source.base_url}
      facts={
        <>
          <dt className="text-muted-foreground">{t(spec.externalLabel)}</dt>
          <dd className="break-all">{source.external_id}</dd>
          <dt className="text-muted-foreground">{t(spec.credential.label)}</dt>
          <dd>{t('storedEncrypted')}</dd>
          <dt className="text-muted-foreground">{t('webhookSecret')}</dt>
          <dd>{source.webhook_secret_set ? t('storedEncrypted') : t('pollingOnly')}</dd>
          <dt className="text-muted-foreground">{t('scope')}</dt>
          <dd className="break-all">{scope.length > 0 ? scope.join(', ') : t('wholeWorkspace')}</dd>
          <dt className="text-muted-foreground">{t('lastRun')}</dt>
          <dd data-testid={`${kind}-last-run`}>
            {run
              ? t('lastRunValue', {
                  status: run.status,
                  when: format.dateTime(run.finished_at ?? run.created_at),
                })
              : t('neverRun')}
            {run?.error ? <span className="block text-red-800">{run.error}</span> : null}
          </dd>
        </>
      }
      webhook={{
        id: `${kind}-webhook-${source.id}`,
        title: t('webhookTitle'),
        url: webhookUrlFor(source.webhook_path),
        copyLabel: t('copyWebhookUrl'),
        help: <p className="mt-2 text-xs text-muted-foreground">{t('webhookHelp')}</p>,
      }}
      actions={
        <>
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
        </>
      }
      outcome={
        <>
          {test.isSuccess ? (
            <Alert variant={test.data.warnings.length > 0 ? 'warning' : 'success'}>
              <AlertTitle>{t('connectionWorks')}</AlertTitle>
              <AlertDescription>
                <p>{t('connectedAs', test.data.connectedAs)}</p>
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
        </>
      }
    />
  );
}

export function WorkspaceCompletenessCard({
  kind,
  source,
  projectId,
}: {
  kind: WorkspaceKind;
  source: Source;
  projectId: string;
}) {
  const spec = WORKSPACES[kind];
  const t = useWorkspaceWords(kind);
  const format = useFormat();
  const completeness = useQuery({
    queryKey: workspaceKeys.completeness(kind, projectId, source.id),
    queryFn: () => spec.completeness(source.id),
  });
  const data = completeness.data;
  const neverSynced = data ? data.last_sync_at === null : false;
  return (
    <CompletenessCardShell t={t} query={completeness}>
      {data ? (
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
                {spec.archivedColumn ? <TableHead>{t('columnArchived')}</TableHead> : null}
                <TableHead>{t('columnPercent')}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {data.kinds.map((row) => (
                <TableRow key={row.kind}>
                  <TableCell>{t(`kinds.${row.kind}`)}</TableCell>
                  <TableCell className="tabular-nums">{row.reported ?? '—'}</TableCell>
                  <TableCell className="tabular-nums">{row.stored}</TableCell>
                  {spec.archivedColumn ? (
                    <TableCell className="tabular-nums">{row.archived}</TableCell>
                  ) : null}
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
    </CompletenessCardShell>
  );
}

/** The kind's section: its source with completeness once bound, else its bind form. */
export function WorkspaceSection({
  kind,
  source,
  projectId,
  sourcesKey,
}: {
  kind: WorkspaceKind;
  source: Source | undefined;
  projectId: string;
  sourcesKey: readonly unknown[];
}) {
  if (!source)
    return <WorkspaceBindForm kind={kind} projectId={projectId} sourcesKey={sourcesKey} />;
  return (
    <div className="grid gap-5 xl:grid-cols-2">
      <WorkspaceSourceCard
        kind={kind}
        source={source}
        projectId={projectId}
        sourcesKey={sourcesKey}
      />
      <WorkspaceCompletenessCard kind={kind} source={source} projectId={projectId} />
    </div>
  );
}
