'use client';
import { useQueries, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { api } from '@/lib/api-client';
import type { Person, PersonDetail } from '@/lib/api-types';
import { useCodeLabel } from '@/lib/labels';
import { conversationHref } from '@/lib/links';
import { Card, CardContent } from '@/components/ui/card';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@/components/ui/table';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/relative-time';
import { RequireProject } from '@/components/require-project';
import { StatusBadge } from '@/components/status-badge';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';

/** `?id=<person>` or `?contact=<cwc:…>` (from a conversation's contact). */
function usePersonId(projectId: string) {
  const params = useSearchParams();
  const id = params.get('id');
  const contact = params.get('contact');
  const found = useQuery({
    queryKey: ['people', projectId, 'contact', contact],
    queryFn: () => api.people.list({ contact_global_id: contact!, limit: 1 }),
    enabled: !id && !!contact,
  });
  return {
    id: id ?? found.data?.people[0]?.id ?? null,
    resolving: !id && !!contact && found.isLoading,
    missing: !id && (!contact || (found.isSuccess && found.data.people.length === 0)),
    error: found.error,
  };
}

function ContactPoints({ person }: { person: Person }) {
  const t = useTranslations('person');
  const organization = useQuery({
    queryKey: ['organization', person.organization_id],
    queryFn: () => api.people.organization(person.organization_id!),
    enabled: !!person.organization_id,
    select: (body) => body.organization,
  });
  return (
    <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
      <dt className="text-muted-foreground">{t('emails')}</dt>
      <dd className="break-all" data-testid="person-emails">
        {person.emails.join(', ') || '—'}
      </dd>
      <dt className="text-muted-foreground">{t('phones')}</dt>
      <dd>{person.phones.join(', ') || '—'}</dd>
      <dt className="text-muted-foreground">{t('organization')}</dt>
      <dd data-testid="person-organization">
        {person.organization ? (
          <>
            {person.organization.name || t('unnamedOrganization')}
            {organization.data?.domains.length ? (
              <span className="text-muted-foreground">
                {' '}
                · {organization.data.domains.join(', ')}
              </span>
            ) : null}
          </>
        ) : (
          t('noOrganization')
        )}
      </dd>
    </dl>
  );
}

function Links({ person }: { person: Person }) {
  const t = useTranslations('person');
  const source = useCodeLabel('person.sources');
  const entity = useCodeLabel('person.entities');
  const matched = useCodeLabel('person.matchedOn');
  return (
    <Table aria-label={t('links')}>
      <TableHeader>
        <TableRow>
          <TableHead>{t('columnSource')}</TableHead>
          <TableHead>{t('columnRecord')}</TableHead>
          <TableHead>{t('columnMatchedOn')}</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {person.links.map((link) => (
          <TableRow key={link.id} data-testid="person-link">
            <TableCell>
              {source(link.source_kind)} · {entity(link.entity)}
            </TableCell>
            <TableCell className="font-mono text-xs break-all">{link.external_id}</TableCell>
            <TableCell>
              {link.matched_on ? (
                <>
                  {matched(link.matched_on)}
                  {link.value ? (
                    <span className="text-muted-foreground"> · {link.value}</span>
                  ) : null}
                </>
              ) : (
                <span className="text-muted-foreground">{t('standsAlone')}</span>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function RecentConversations({ projectId, person }: { projectId: string; person: Person }) {
  const t = useTranslations('person');
  const tCommon = useTranslations('common');
  const contacts = person.links
    .filter((l) => l.source_kind === 'chatwoot_account' && l.entity === 'contact')
    .map((l) => l.external_id);
  const results = useQueries({
    queries: contacts.map((contact) => ({
      queryKey: ['conversations', projectId, 'contact', contact, 10],
      queryFn: () => api.conversations({ contact_global_id: contact, limit: 10 }),
    })),
  });
  if (results.some((r) => r.isLoading)) return <LoadingState label={t('loadingConversations')} />;
  const failed = results.find((r) => r.isError);
  if (failed) return <ErrorState error={failed.error} onRetry={() => failed.refetch()} />;
  const conversations = results
    .flatMap((r) => r.data?.conversations ?? [])
    .sort((a, b) => (b.last_activity_at ?? '').localeCompare(a.last_activity_at ?? ''))
    .slice(0, 10);
  if (conversations.length === 0) return <EmptyState title={t('noConversations')} />;
  return (
    <ul className="flex flex-col gap-2 text-sm" aria-label={t('conversations')}>
      {conversations.map((c) => (
        <li
          key={c.id}
          className="flex flex-wrap items-center gap-2"
          data-testid="person-conversation"
        >
          <Link className="underline-offset-4 hover:underline" href={conversationHref(c.id)}>
            {t('conversationNumber', { id: c.conversation_id })}
          </Link>
          <StatusBadge status={c.status} />
          <span className="text-muted-foreground">
            {c.contact_name || tCommon('unknownContact')}
            {c.last_activity_at ? (
              <>
                {' · '}
                <RelativeTime value={c.last_activity_at} />
              </>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Their Attio records (and their organisation's company), with the deals that name them. */
function Crm({ person }: { person: PersonDetail }) {
  const t = useTranslations('person');
  const object = useCodeLabel('person.crmObjects');
  if (person.crm_records.length === 0) return <EmptyState title={t('noCrm')} />;
  return (
    <div className="flex flex-col gap-3 text-sm">
      <ul className="flex flex-col gap-1" aria-label={t('crm')}>
        {person.crm_records.map((r) => (
          <li key={r.id} data-testid="person-crm-record">
            <span className="text-muted-foreground">{object(r.object)} · </span>
            <a className="underline-offset-4 hover:underline" href={r.web_url}>
              {r.name || r.id}
            </a>
          </li>
        ))}
      </ul>
      <h4 className="font-medium">{t('deals')}</h4>
      {person.deals.length === 0 ? (
        <p className="text-muted-foreground">{t('noDeals')}</p>
      ) : (
        <ul className="flex flex-col gap-1" aria-label={t('deals')}>
          {person.deals.map((d) => (
            <li key={d.id} data-testid="person-deal">
              <a className="underline-offset-4 hover:underline" href={d.web_url}>
                {d.name || d.id}
              </a>
              <span className="text-muted-foreground">
                {' · '}
                {d.stage ? t('dealStage', { stage: d.stage }) : t('noStage')}
                {d.value !== null ? ` · ${d.value} ${d.currency ?? ''}` : null}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function OpenTasks({ person }: { person: PersonDetail }) {
  const t = useTranslations('person');
  if (person.open_tasks.length === 0) return <EmptyState title={t('noOpenTasks')} />;
  return (
    <ul className="flex flex-col gap-2 text-sm" aria-label={t('openTasks')}>
      {person.open_tasks.map((task) => (
        <li key={task.id} data-testid="person-task">
          {task.content}
          <span className="text-muted-foreground">
            {' · '}
            {task.deadline_at ? (
              <>
                {t('deadline')} <RelativeTime value={task.deadline_at} />
              </>
            ) : (
              t('noDeadline')
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}

function LinearIssues({ person }: { person: PersonDetail }) {
  const t = useTranslations('person');
  const state = useCodeLabel('person.issueStates');
  if (person.linear_issues.length === 0) return <EmptyState title={t('noLinearIssues')} />;
  return (
    <ul className="flex flex-col gap-1 text-sm" aria-label={t('linearIssues')}>
      {person.linear_issues.map((issue) => (
        <li key={issue.id} data-testid="person-linear-issue">
          <a className="underline-offset-4 hover:underline" href={issue.url}>
            <span className="font-mono text-xs">{issue.identifier}</span> {issue.title}
          </a>
          <span className="text-muted-foreground"> · {state(issue.state_type)}</span>
        </li>
      ))}
    </ul>
  );
}

function PersonView({ projectId }: { projectId: string }) {
  const t = useTranslations('person');
  const target = usePersonId(projectId);
  const person = useQuery({
    queryKey: ['person', projectId, target.id],
    queryFn: () => api.people.get(target.id!),
    enabled: !!target.id,
    select: (body) => body.person,
  });
  if (target.error) return <ErrorState error={target.error} />;
  if (target.missing)
    return <EmptyState title={t('notFoundTitle')}>{t('notFoundBody')}</EmptyState>;
  if (target.resolving || person.isLoading) return <LoadingState label={t('loading')} />;
  if (person.isError) return <ErrorState error={person.error} onRetry={() => person.refetch()} />;
  if (!person.data) return null;
  const p = person.data;
  return (
    <div className="flex flex-col gap-4">
      <h2 className="text-xl font-semibold" data-testid="person-name">
        {p.name || t('unnamed')}
      </h2>
      <Card>
        <CardContent className="pt-4 sm:pt-5">
          <ContactPoints person={p} />
        </CardContent>
      </Card>
      <section className="flex flex-col gap-2">
        <h3 className="font-medium">{t('links')}</h3>
        <p className="text-sm text-muted-foreground">{t('linksHelp')}</p>
        <Links person={p} />
      </section>
      <section className="flex flex-col gap-2">
        <h3 className="font-medium">{t('conversations')}</h3>
        <RecentConversations projectId={projectId} person={p} />
      </section>
      <section className="flex flex-col gap-2">
        <h3 className="font-medium">{t('crm')}</h3>
        <p className="text-sm text-muted-foreground">{t('crmHelp')}</p>
        <Crm person={p} />
      </section>
      <section className="flex flex-col gap-2">
        <h3 className="font-medium">{t('openTasks')}</h3>
        <OpenTasks person={p} />
      </section>
      <section className="flex flex-col gap-2">
        <h3 className="font-medium">{t('linearIssues')}</h3>
        <p className="text-sm text-muted-foreground">{t('linearIssuesHelp')}</p>
        <LinearIssues person={p} />
      </section>
    </div>
  );
}

export function PersonPage() {
  const t = useTranslations('person');
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <RequireProject>{(projectId) => <PersonView projectId={projectId} />}</RequireProject>
    </>
  );
}
