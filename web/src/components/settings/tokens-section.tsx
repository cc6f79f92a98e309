'use client';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { useMyTokens } from '@/lib/my-tokens';
import { useFormat } from '@/lib/format';
import { useProjects } from '@/lib/session';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input, NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { OneTimeSecret } from '@/components/ui/one-time-secret';
import { EmptyState, ErrorState, LoadingState, MutationError } from '@/components/states';
import { SettingsSection } from './settings-section';

const ALL = 'all';

/** Personal API tokens: create (the secret shown once, with a copy button), list, revoke. */
export function TokensSection() {
  const t = useTranslations('settings.tokens');
  const format = useFormat();
  const projects = useProjects();
  const { list, create, revoke } = useMyTokens();
  const [name, setName] = useState('');
  const [project, setProject] = useState(ALL);
  const [permission, setPermission] = useState<'read' | 'draft'>('read');
  const [days, setDays] = useState('90');
  const projectName = (id: string) =>
    projects.data?.projects.find((p) => p.id === id)?.name ?? id.slice(0, 8);

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(
      {
        name: name.trim(),
        permission,
        project_ids: project === ALL ? 'all' : [project],
        expires_in_days: Number(days),
      },
      { onSuccess: () => setName('') },
    );
  }

  return (
    <SettingsSection title={t('title')} description={t('description')}>
      <form className="grid gap-3 sm:grid-cols-2" onSubmit={submit} aria-label={t('create')}>
        <div className="flex flex-col gap-2">
          <Label htmlFor="token-name">{t('name')}</Label>
          <Input
            id="token-name"
            required
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="token-project">{t('projects')}</Label>
          <NativeSelect
            id="token-project"
            value={project}
            onChange={(e) => setProject(e.target.value)}
          >
            <option value={ALL}>{t('allProjects')}</option>
            {projects.data?.projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="token-permission">{t('permission')}</Label>
          <NativeSelect
            id="token-permission"
            value={permission}
            onChange={(e) => setPermission(e.target.value === 'draft' ? 'draft' : 'read')}
          >
            <option value="read">{t('permissions.read')}</option>
            <option value="draft">{t('permissions.draft')}</option>
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="token-days">{t('expiresInDays')}</Label>
          <Input
            id="token-days"
            type="number"
            min={1}
            max={365}
            required
            value={days}
            onChange={(e) => setDays(e.target.value)}
          />
        </div>
        <div className="sm:col-span-2">
          <Button type="submit" disabled={create.isPending || !name.trim()}>
            {t('create')}
          </Button>
        </div>
      </form>
      <div className="mt-3" aria-live="polite">
        {create.data ? (
          <OneTimeSecret
            label={t('secretLabel', { name: create.data.token.name })}
            value={create.data.secret}
            copyLabel={t('copy')}
            testId="token-secret"
            warning={t('secretWarning')}
          />
        ) : null}
        <MutationError error={create.error ?? revoke.error} />
      </div>
      <div className="mt-4">
        {list.isLoading ? (
          <LoadingState label={t('loading')} />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => list.refetch()} />
        ) : list.data!.tokens.length === 0 ? (
          <EmptyState title={t('empty')} />
        ) : (
          <ul className="flex flex-col divide-y" aria-label={t('listLabel')}>
            {list.data!.tokens.map((token) => (
              <li
                key={token.id}
                className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm"
                data-testid="token-row"
              >
                <div className="min-w-0">
                  <p className="font-medium">
                    <span className="break-all">{token.name}</span>{' '}
                    <code className="text-xs text-muted-foreground">{token.prefix}…</code>{' '}
                    <Badge variant="outline">{t(`permissions.${token.permission}`)}</Badge>
                  </p>
                  <p className="text-xs text-muted-foreground">
                    {t('details', {
                      projects:
                        token.project_ids === 'all'
                          ? t('allProjects')
                          : format.list(token.project_ids.map(projectName)),
                      expires: format.dateTime(token.expires_at),
                      lastUsed: token.last_used_at
                        ? format.dateTime(token.last_used_at)
                        : t('neverUsed'),
                    })}
                  </p>
                </div>
                <Button
                  size="sm"
                  variant="destructive"
                  disabled={revoke.isPending}
                  onClick={() => revoke.mutate(token.id)}
                  aria-label={t('revokeLabel', { name: token.name })}
                >
                  {t('revoke')}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </SettingsSection>
  );
}
