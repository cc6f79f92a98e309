'use client';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import type { ProjectRole } from '@/lib/api-types';
import { useMembers } from '@/lib/members';
import { useProjects } from '@/lib/session';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { NativeSelect } from '@/components/ui/input';
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
import { EmptyState, ErrorState, LoadingState, MutationError } from '@/components/states';
import { SettingsSection } from '@/components/settings/settings-section';

const ROLES: ProjectRole[] = ['manager', 'contributor', 'viewer'];

/** Project → Members (the project's managers, and owners): who works here, in which role. */
export function MembersPage({ projectId }: { projectId: string }) {
  const t = useTranslations('members');
  const tCommon = useTranslations('common');
  const projects = useProjects();
  const project = projects.data?.projects.find((p) => p.id === projectId);
  const allowed = project?.permissions.includes('members:manage') ?? false;
  if (projects.isLoading) return <LoadingState label={t('loading')} />;
  if (!project || !allowed) {
    return (
      <>
        <PageHeader title={t('title')} />
        <EmptyState title={t('notAllowed')}>{t('notAllowedBody')}</EmptyState>
      </>
    );
  }
  return <MembersOf projectId={projectId} name={project.name} actionsLabel={tCommon('actions')} />;
}

function MembersOf({
  projectId,
  name,
  actionsLabel,
}: {
  projectId: string;
  name: string;
  actionsLabel: string;
}) {
  const t = useTranslations('members');
  const tTeam = useTranslations('team');
  const { list, set, remove } = useMembers(projectId);
  return (
    <>
      <PageHeader title={t('title')} description={t('description', { project: name })} />
      <div className="flex max-w-4xl flex-col gap-5">
        <AddMember projectId={projectId} candidates={list.data?.candidates ?? []} />
        <SettingsSection title={t('listTitle')}>
          {list.isLoading ? (
            <LoadingState label={t('loading')} />
          ) : list.isError ? (
            <ErrorState error={list.error} onRetry={() => list.refetch()} />
          ) : list.data!.members.length === 0 ? (
            <EmptyState title={t('empty')} />
          ) : (
            <Table aria-label={t('listTitle')}>
              <TableHeader>
                <TableRow>
                  <TableHead>{t('name')}</TableHead>
                  <TableHead>{t('role')}</TableHead>
                  <TableHead>
                    <span className="sr-only">{actionsLabel}</span>
                  </TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {list.data!.members.map((member) => (
                  <TableRow key={member.user_id} data-testid="member-row">
                    <TableCell className="font-medium">
                      <span className="break-all">{member.username}</span>{' '}
                      {!member.active ? (
                        <Badge variant="destructive">{tTeam('users.deactivated')}</Badge>
                      ) : null}
                    </TableCell>
                    <TableCell>
                      <NativeSelect
                        aria-label={t('roleOf', { username: member.username })}
                        value={member.role}
                        disabled={set.isPending}
                        onChange={(e) =>
                          set.mutate({
                            userId: member.user_id,
                            role: e.target.value as ProjectRole,
                          })
                        }
                      >
                        {ROLES.map((role) => (
                          <option key={role} value={role}>
                            {t(`roles.${role}`)}
                          </option>
                        ))}
                      </NativeSelect>
                    </TableCell>
                    <TableCell>
                      <div className="flex justify-end">
                        <Button
                          size="sm"
                          variant="ghost"
                          disabled={remove.isPending}
                          aria-label={t('removeLabel', { username: member.username })}
                          onClick={() => remove.mutate(member.user_id)}
                        >
                          {t('remove')}
                        </Button>
                      </div>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          {list.data && list.data.owners.length > 0 ? (
            <p className="mt-3 text-sm text-muted-foreground">
              {t('owners', { names: list.data.owners.map((o) => o.username).join(', ') })}
            </p>
          ) : null}
          <MutationError error={set.error ?? remove.error} />
        </SettingsSection>
      </div>
    </>
  );
}

/** Adds one of the workspace's active members who is not in the project yet (the list names them). */
function AddMember({
  projectId,
  candidates,
}: {
  projectId: string;
  candidates: { user_id: string; username: string }[];
}) {
  const t = useTranslations('members');
  const { set } = useMembers(projectId);
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<ProjectRole>('viewer');
  function submit(event: FormEvent) {
    event.preventDefault();
    if (userId) set.mutate({ userId, role }, { onSuccess: () => setUserId('') });
  }
  return (
    <SettingsSection title={t('addTitle')} description={t('addDescription')}>
      <form className="flex flex-wrap items-end gap-3" onSubmit={submit} aria-label={t('addTitle')}>
        <div className="flex flex-col gap-2">
          <Label htmlFor="member-user">{t('user')}</Label>
          <NativeSelect id="member-user" value={userId} onChange={(e) => setUserId(e.target.value)}>
            <option value="">{t('chooseUser')}</option>
            {candidates.map((u) => (
              <option key={u.user_id} value={u.user_id}>
                {u.username}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-2">
          <Label htmlFor="member-role">{t('role')}</Label>
          <NativeSelect
            id="member-role"
            value={role}
            onChange={(e) => setRole(e.target.value as ProjectRole)}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </NativeSelect>
        </div>
        <Button type="submit" disabled={!userId || set.isPending}>
          {t('add')}
        </Button>
      </form>
      <MutationError error={set.error} />
    </SettingsSection>
  );
}
