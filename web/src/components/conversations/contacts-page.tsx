'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { api } from '@/lib/api-client';
import { useDebounced } from '@/lib/use-debounced';
import { useFormat } from '@/lib/format';
import { Card, CardContent } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from '@/components/ui/table';
import { PageHeader } from '@/components/page-header';
import { RequireProject } from '@/components/require-project';
import { EmptyState, ErrorState, LoadingState } from '@/components/states';

function ContactList({ projectId }: { projectId: string }) {
  const t = useTranslations('contacts');
  const tCommon = useTranslations('common');
  const format = useFormat();
  const [text, setText] = useState('');
  const q = useDebounced(text.trim());
  const contacts = useQuery({
    queryKey: ['contacts', projectId, q, 200],
    queryFn: () => api.contacts({ q: q || undefined, limit: 200 }),
  });
  const list = contacts.data?.contacts ?? [];
  return (
    <Card>
      <CardContent className="flex flex-col gap-3 pt-4 sm:pt-5">
        <div className="flex max-w-md flex-col gap-1">
          <Label htmlFor="contacts-q">{t('filter')}</Label>
          <Input
            id="contacts-q"
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        {contacts.isLoading ? (
          <LoadingState label={t('loading')} />
        ) : contacts.isError ? (
          <ErrorState error={contacts.error} onRetry={() => contacts.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState title={t('emptyTitle')}>{q ? t('emptyFiltered') : t('emptyBody')}</EmptyState>
        ) : (
          <Table aria-label={t('table')}>
            <TableHeader>
              <TableRow>
                <TableHead>{t('columnName')}</TableHead>
                <TableHead>{t('columnEmail')}</TableHead>
                <TableHead className="hidden sm:table-cell">{t('columnPhone')}</TableHead>
                <TableHead className="hidden md:table-cell">{t('columnUpdated')}</TableHead>
                <TableHead>
                  <span className="sr-only">{tCommon('actions')}</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.map((c) => (
                <TableRow key={c.id} data-testid="contact-row">
                  <TableCell className="font-medium break-words">{c.name || '—'}</TableCell>
                  <TableCell className="break-all">{c.email || '—'}</TableCell>
                  <TableCell className="hidden sm:table-cell">{c.phone ?? '—'}</TableCell>
                  <TableCell className="hidden whitespace-nowrap md:table-cell">
                    {format.dateTime(c.updated_at)}
                  </TableCell>
                  <TableCell>
                    <Link
                      className="text-sm underline-offset-4 hover:underline"
                      href={`/outbound?tab=policies&contact=${encodeURIComponent(c.id)}`}
                      aria-label={t('policyFor', { name: c.name || c.email || c.id })}
                    >
                      {t('policy')}
                    </Link>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

export function ContactsPage() {
  const t = useTranslations('contacts');
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <RequireProject>{(projectId) => <ContactList projectId={projectId} />}</RequireProject>
    </>
  );
}
