'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { useState, type FormEvent } from 'react';
import { api } from '@/lib/api-client';
import type { Project } from '@/lib/api-types';
import { sessionKeys, useMe, useProjects } from '@/lib/session';
import { useFormat } from '@/lib/format';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
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
import { EmptyState, ErrorState, LoadingState, MutationError } from '@/components/states';
import { PageHeader } from '@/components/page-header';

function CreateProjectForm() {
  const t = useTranslations('projects');
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: async (projectName: string) => {
      const created = await api.projects.create(projectName);
      // A new project becomes the active one: that is what its creator wants to work in next.
      await api.projects.select(created.project.id);
      return created;
    },
    onSuccess: async () => {
      setName('');
      await queryClient.invalidateQueries();
    },
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (name.trim().length >= 2) create.mutate(name.trim());
  }
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('newTitle')}</CardTitle>
      </CardHeader>
      <CardContent>
        <form
          onSubmit={submit}
          className="flex flex-col gap-3 sm:flex-row sm:items-end"
          aria-label={t('createForm')}
        >
          <div className="flex flex-1 flex-col gap-2">
            <Label htmlFor="new-project-name">{t('name')}</Label>
            <Input
              id="new-project-name"
              value={name}
              minLength={2}
              maxLength={160}
              required
              placeholder={t('namePlaceholder')}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <Button type="submit" disabled={create.isPending || name.trim().length < 2}>
            {create.isPending ? t('creating') : t('create')}
          </Button>
        </form>
        <div className="mt-3">
          <MutationError error={create.error} />
        </div>
      </CardContent>
    </Card>
  );
}

function RenameDialog({ project, onClose }: { project: Project | null; onClose: () => void }) {
  const t = useTranslations('projects');
  const tCommon = useTranslations('common');
  const queryClient = useQueryClient();
  const [name, setName] = useState(project?.name ?? '');
  const rename = useMutation({
    mutationFn: () => api.projects.rename(project!.id, name.trim()),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: sessionKeys.projects });
      onClose();
    },
  });
  return (
    <Dialog open={project !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{t('renameTitle')}</DialogTitle>
          <DialogDescription>{t('renameDescription')}</DialogDescription>
        </DialogHeader>
        <form
          className="flex flex-col gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            rename.mutate();
          }}
        >
          <Label htmlFor="rename-project">{t('name')}</Label>
          <Input
            id="rename-project"
            value={name}
            minLength={2}
            maxLength={160}
            required
            onChange={(e) => setName(e.target.value)}
          />
          <MutationError error={rename.error} />
          <DialogFooter>
            <Button variant="outline" onClick={onClose}>
              {tCommon('cancel')}
            </Button>
            <Button type="submit" disabled={rename.isPending || name.trim().length < 2}>
              {tCommon('save')}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function ProjectsPage() {
  const t = useTranslations('projects');
  const tCommon = useTranslations('common');
  const format = useFormat();
  const queryClient = useQueryClient();
  const projects = useProjects();
  const [renaming, setRenaming] = useState<Project | null>(null);
  const select = useMutation({
    mutationFn: (id: string) => api.projects.select(id),
    onSuccess: () => queryClient.invalidateQueries(),
  });
  const activeId = projects.data?.active_project_id ?? null;
  const me = useMe();
  const canCreate =
    me.data?.authenticated === true && me.data.permissions.includes('projects:create');

  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <div className="flex flex-col gap-5">
        {canCreate ? <CreateProjectForm /> : null}
        <Card>
          <CardHeader>
            <CardTitle>{t('allTitle')}</CardTitle>
          </CardHeader>
          <CardContent>
            {projects.isLoading ? (
              <LoadingState label={t('loading')} />
            ) : projects.isError ? (
              <ErrorState error={projects.error} onRetry={() => projects.refetch()} />
            ) : projects.data!.projects.length === 0 ? (
              <EmptyState title={t('emptyTitle')}>{t('emptyBody')}</EmptyState>
            ) : (
              <Table aria-label={t('table')}>
                <TableHeader>
                  <TableRow>
                    <TableHead>{t('columnName')}</TableHead>
                    <TableHead className="hidden sm:table-cell">{t('columnCreated')}</TableHead>
                    <TableHead>
                      <span className="sr-only">{tCommon('actions')}</span>
                    </TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {projects.data!.projects.map((project) => (
                    <TableRow key={project.id} data-testid="project-row">
                      <TableCell className="font-medium">
                        <span className="break-all">{project.name}</span>{' '}
                        {project.id === activeId ? (
                          <Badge variant="success">{t('active')}</Badge>
                        ) : null}
                      </TableCell>
                      <TableCell className="hidden text-muted-foreground sm:table-cell">
                        {format.dateTime(project.created_at)}
                      </TableCell>
                      <TableCell>
                        <div className="flex justify-end gap-2">
                          {project.id !== activeId ? (
                            <Button
                              size="sm"
                              variant="outline"
                              disabled={select.isPending}
                              onClick={() => select.mutate(project.id)}
                              aria-label={t('selectLabel', { name: project.name })}
                            >
                              {t('select')}
                            </Button>
                          ) : null}
                          {project.permissions.includes('members:manage') ? (
                            <Button size="sm" variant="ghost" asChild>
                              <Link
                                href={`/projects/${project.id}/members`}
                                aria-label={t('membersLabel', { name: project.name })}
                              >
                                {t('members')}
                              </Link>
                            </Button>
                          ) : null}
                          <Button size="sm" variant="ghost" asChild>
                            <Link
                              href={`/projects/${project.id}/signals`}
                              aria-label={t('signalsLabel', { name: project.name })}
                            >
                              {t('signals')}
                            </Link>
                          </Button>
                          {project.permissions.includes('project:manage') ? (
                            <Button
                              size="sm"
                              variant="ghost"
                              onClick={() => setRenaming(project)}
                              aria-label={t('renameLabel', { name: project.name })}
                            >
                              {t('rename')}
                            </Button>
                          ) : null}
                        </div>
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
            <MutationError error={select.error} />
          </CardContent>
        </Card>
      </div>
      {renaming ? (
        <RenameDialog key={renaming.id} project={renaming} onClose={() => setRenaming(null)} />
      ) : null}
    </>
  );
}
