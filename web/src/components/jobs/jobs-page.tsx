'use client';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { PlayIcon, RefreshCwIcon, TimerIcon } from 'lucide-react';
import { useTranslations } from 'next-intl';
import { useState } from 'react';
import { api } from '@/lib/api-client';
import type { JobRun, JobsStatus, ScheduledJob } from '@/lib/api-types';
import { useJobEvents, type JobEvent, type StreamState } from '@/lib/job-events';
import { useFormat } from '@/lib/format';
import { useCodeLabel } from '@/lib/labels';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { NativeSelect } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Progress } from '@/components/ui/progress';
import { Switch } from '@/components/ui/switch';
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
import { EmptyState, ErrorState, LoadingState, MutationError } from '@/components/states';

/** The jobs the run-history filter offers; their names are keys of `jobs.names`. */
const JOB_NAMES = [
  'chatwoot_sync',
  'linear_sync',
  'attio_sync',
  'embeddings_run',
  'outbound_process',
  'signals_run',
] as const;
/** The run statuses the history filter offers; their words are in `status`. */
const RUN_STATUSES = ['running', 'ok', 'failed'] as const;

const CADENCES = [60, 300, 600, 900, 1800, 3600, 6 * 3600, 86_400];

const jobKeys = {
  status: (p: string) => ['jobs', p, 'status'] as const,
  scheduler: (p: string) => ['jobs', p, 'scheduler'] as const,
  runs: (p: string, job: string, status: string) => ['jobs', p, 'runs', job, status] as const,
};

function RunProgress({ event }: { event: JobEvent }) {
  const t = useTranslations('jobs');
  const jobLabel = useCodeLabel('jobs.names');
  const phaseLabel = useCodeLabel('jobs.phases');
  const format = useFormat();
  const total = event.total;
  const processed = event.processed;
  const percent = total ? Math.min(100, (processed / total) * 100) : null;
  return (
    <div className="flex flex-col gap-1" aria-live="polite">
      <div className="flex items-center justify-between gap-2 text-xs">
        <span>
          {jobLabel(event.job_name)} <StatusBadge status={event.status} />
          {event.phase ? (
            <span className="ml-1 text-muted-foreground">{phaseLabel(event.phase)}</span>
          ) : null}
        </span>
        <span className="tabular-nums text-muted-foreground">
          {total
            ? t('progressCount', {
                processed: format.number(processed),
                total: format.number(total),
              })
            : format.number(processed)}
        </span>
      </div>
      <Progress
        value={percent ?? (event.status === 'ok' ? 100 : 0)}
        aria-label={t('progress', { job: jobLabel(event.job_name) })}
      />
      {event.error ? <p className="text-xs text-red-700">{event.error}</p> : null}
    </div>
  );
}

function ManualRuns({
  projectId,
  events,
  streamState,
}: {
  projectId: string;
  events: Record<string, JobEvent>;
  streamState: StreamState;
}) {
  const t = useTranslations('jobs');
  const queryClient = useQueryClient();
  const [startedRunIds, setStartedRunIds] = useState<string[]>([]);
  const onStarted = ({ run }: { run: JobRun }) => {
    setStartedRunIds((ids) => [run.id, ...ids.filter((x) => x !== run.id)].slice(0, 4));
    void queryClient.invalidateQueries({ queryKey: ['jobs', projectId] });
  };
  const sync = useMutation({ mutationFn: () => api.jobs.runSync(), onSuccess: onStarted });
  const embed = useMutation({ mutationFn: () => api.jobs.runEmbeddings(), onSuccess: onStarted });
  const live = Object.values(events).filter(
    (e) => e.status === 'running' || e.status === 'queued' || startedRunIds.includes(e.id),
  );
  return (
    <Card>
      <CardHeader>
        <div className="flex items-center justify-between gap-2">
          <CardTitle>{t('runNow')}</CardTitle>
          <Badge variant={streamState === 'live' ? 'success' : 'secondary'} aria-live="polite">
            {streamState === 'live'
              ? t('live')
              : streamState === 'connecting'
                ? t('connecting')
                : t('reconnecting')}
          </Badge>
        </div>
        <CardDescription>{t('runNowDescription')}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <div className="flex flex-wrap gap-2">
          <Button onClick={() => sync.mutate()} disabled={sync.isPending}>
            <RefreshCwIcon aria-hidden />
            {t('runSync')}
          </Button>
          <Button variant="secondary" onClick={() => embed.mutate()} disabled={embed.isPending}>
            <PlayIcon aria-hidden />
            {t('runEmbeddings')}
          </Button>
        </div>
        <MutationError error={sync.error ?? embed.error} />
        {startedRunIds.length > 0 && live.length === 0 ? (
          <p className="text-sm text-muted-foreground" role="status">
            {t('queued')}
          </p>
        ) : null}
        {live.length > 0 ? (
          <div className="flex flex-col gap-3" data-testid="live-runs">
            {live.map((event) => (
              <RunProgress key={event.id} event={event} />
            ))}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

function countEntries(status: JobsStatus): [string, number][] {
  return Object.entries(status.entities);
}

function StatusCounters({ projectId }: { projectId: string }) {
  const t = useTranslations('jobs');
  const entityLabel = useCodeLabel('jobs.entities');
  const format = useFormat();
  const status = useQuery({
    queryKey: jobKeys.status(projectId),
    queryFn: () => api.jobs.status(),
  });
  const storage = status.data?.storage;
  const usage = storage?.usage_pct ?? null;
  const budgetBytes = storage?.budget_bytes;
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('status')}</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {status.isLoading ? (
          <LoadingState label={t('loadingStatus')} rows={2} />
        ) : status.isError ? (
          <ErrorState error={status.error} onRetry={() => status.refetch()} />
        ) : (
          <>
            <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
              {countEntries(status.data!).map(([name, value]) => (
                <div key={name} className="rounded-md border p-2">
                  <dt className="text-xs text-muted-foreground">{entityLabel(name)}</dt>
                  <dd className="text-lg font-semibold tabular-nums">{format.number(value)}</dd>
                </div>
              ))}
            </dl>
            {status.data!.rag_counts ? (
              <div>
                <h3 className="mb-1 text-sm font-medium">{t('chunksByStatus')}</h3>
                <ul className="flex flex-wrap gap-2 text-sm">
                  {Object.entries(status.data!.rag_counts).map(([name, value]) => (
                    <li key={name} className="flex items-center gap-1">
                      <StatusBadge status={name} />
                      <span className="tabular-nums">{format.number(value)}</span>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            {storage ? (
              <div className="flex flex-col gap-1">
                <div className="flex justify-between text-sm">
                  <span>{t('storage')}</span>
                  <span className="tabular-nums">
                    {t('storageUsage', {
                      used: format.bytes(storage.database_bytes),
                      budget: format.bytes(budgetBytes),
                    })}
                    {usage !== null
                      ? ` ${t('storagePercent', { percent: format.percent(usage) })}`
                      : ''}
                  </span>
                </div>
                <Progress value={usage ?? 0} aria-label={t('storageUsed')} />
                {storage.alert ? (
                  <p role="alert" className="text-xs font-medium text-red-800">
                    {t('storageAlert', { threshold: storage.alert_threshold_pct })}
                  </p>
                ) : null}
                {storage.largest_tables?.length ? (
                  <p className="text-xs text-muted-foreground">
                    {t('largest', {
                      tables: format.list(
                        storage.largest_tables.slice(0, 3).map((table) =>
                          t('largestTable', {
                            table: table.table,
                            size: format.bytes(table.bytes),
                          }),
                        ),
                      ),
                    })}
                  </p>
                ) : null}
              </div>
            ) : null}
          </>
        )}
      </CardContent>
    </Card>
  );
}

function ScheduleRow({ job, projectId }: { job: ScheduledJob; projectId: string }) {
  const t = useTranslations('jobs');
  const jobLabel = useCodeLabel('jobs.names');
  const format = useFormat();
  const queryClient = useQueryClient();
  const update = useMutation({
    mutationFn: (input: { cadence_seconds?: number; enabled?: boolean }) =>
      api.jobs.updateSchedule(job.id, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: jobKeys.scheduler(projectId) }),
  });
  const cadences = CADENCES.includes(job.cadence_seconds)
    ? CADENCES
    : [...CADENCES, job.cadence_seconds].sort((a, b) => a - b);
  const label = jobLabel(job.job_type);
  return (
    <TableRow>
      <TableCell className="font-medium">{label}</TableCell>
      <TableCell>
        <NativeSelect
          aria-label={t('cadenceOf', { job: label })}
          className="w-auto min-w-28"
          value={job.cadence_seconds}
          disabled={update.isPending}
          onChange={(e) => update.mutate({ cadence_seconds: Number(e.target.value) })}
        >
          {cadences.map((c) => (
            <option key={c} value={c}>
              {t('every', { duration: format.duration(c) })}
            </option>
          ))}
        </NativeSelect>
      </TableCell>
      <TableCell>
        <Switch
          checked={job.enabled}
          aria-label={t('enabledLabel', { job: label })}
          disabled={update.isPending}
          onCheckedChange={(enabled) => update.mutate({ enabled })}
        />
      </TableCell>
      <TableCell className="whitespace-nowrap">
        {job.enabled ? format.dateTime(job.next_run_at) : t('paused')}
      </TableCell>
      <TableCell className="whitespace-nowrap">
        <StatusBadge status={job.last_status} />{' '}
        {job.last_run_at ? (
          <span className="text-xs text-muted-foreground">
            <RelativeTime value={job.last_run_at} />
          </span>
        ) : null}
      </TableCell>
      <TableCell className="max-w-xs text-xs break-words text-red-800">
        {job.last_error ?? ''}
        {update.error ? <MutationError error={update.error} /> : null}
      </TableCell>
    </TableRow>
  );
}

function SchedulerTable({ projectId }: { projectId: string }) {
  const t = useTranslations('jobs');
  const queryClient = useQueryClient();
  const scheduler = useQuery({
    queryKey: jobKeys.scheduler(projectId),
    queryFn: () => api.jobs.scheduler(),
  });
  const tick = useMutation({
    mutationFn: () => api.jobs.tick(),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['jobs', projectId] }),
  });
  const jobs = scheduler.data?.jobs ?? [];
  return (
    <Card>
      <CardHeader>
        <div className="flex items-center justify-between gap-2">
          <CardTitle>{t('schedule')}</CardTitle>
          <Button
            size="sm"
            variant="outline"
            onClick={() => tick.mutate()}
            disabled={tick.isPending}
          >
            <TimerIcon aria-hidden />
            {t('runDue')}
          </Button>
        </div>
      </CardHeader>
      <CardContent>
        <MutationError error={tick.error} />
        {scheduler.isLoading ? (
          <LoadingState label={t('loadingSchedule')} />
        ) : scheduler.isError ? (
          <ErrorState error={scheduler.error} onRetry={() => scheduler.refetch()} />
        ) : jobs.length === 0 ? (
          <EmptyState title={t('noScheduleTitle')}>{t('noScheduleBody')}</EmptyState>
        ) : (
          <Table aria-label={t('scheduleTable')}>
            <TableHeader>
              <TableRow>
                <TableHead>{t('columnJob')}</TableHead>
                <TableHead>{t('columnCadence')}</TableHead>
                <TableHead>{t('columnEnabled')}</TableHead>
                <TableHead>{t('columnNextRun')}</TableHead>
                <TableHead>{t('columnLastRun')}</TableHead>
                <TableHead>{t('columnLastError')}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {jobs.map((job) => (
                <ScheduleRow key={job.id} job={job} projectId={projectId} />
              ))}
            </TableBody>
          </Table>
        )}
      </CardContent>
    </Card>
  );
}

/** "messages inserted 12 · chunks created 12": the non-zero counts a run reported. */
function useCountsSummary() {
  const t = useTranslations('jobs');
  const countLabel = useCodeLabel('jobs.counts');
  const format = useFormat();
  return (counts: Record<string, unknown> | null | undefined): string =>
    Object.entries(counts ?? {})
      .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] !== 0)
      .map(([name, value]) =>
        t('countEntry', { name: countLabel(name), value: format.number(value) }),
      )
      .join(' · ');
}

function RunHistory({
  projectId,
  events,
}: {
  projectId: string;
  events: Record<string, JobEvent>;
}) {
  const t = useTranslations('jobs');
  const jobLabel = useCodeLabel('jobs.names');
  const statusLabel = useCodeLabel('status');
  const countsSummary = useCountsSummary();
  const format = useFormat();
  const [job, setJob] = useState('');
  const [status, setStatus] = useState('');
  const runs = useInfiniteQuery({
    queryKey: jobKeys.runs(projectId, job, status),
    queryFn: ({ pageParam }) =>
      api.jobs.runs({
        job: job || undefined,
        status: status || undefined,
        limit: 25,
        cursor: pageParam,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const list = runs.data?.pages.flatMap((p) => p.runs) ?? [];
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t('history')}</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <div className="flex flex-wrap gap-3">
          <div className="flex flex-col gap-1">
            <Label htmlFor="runs-job">{t('job')}</Label>
            <NativeSelect
              id="runs-job"
              value={job}
              onChange={(e) => setJob(e.target.value)}
              className="w-44"
            >
              <option value="">{t('allJobs')}</option>
              {JOB_NAMES.map((name) => (
                <option key={name} value={name}>
                  {jobLabel(name)}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1">
            <Label htmlFor="runs-status">{t('runStatus')}</Label>
            <NativeSelect
              id="runs-status"
              value={status}
              onChange={(e) => setStatus(e.target.value)}
              className="w-36"
            >
              <option value="">{t('anyStatus')}</option>
              {RUN_STATUSES.map((value) => (
                <option key={value} value={value}>
                  {statusLabel(value)}
                </option>
              ))}
            </NativeSelect>
          </div>
        </div>
        {runs.isLoading ? (
          <LoadingState label={t('loadingRuns')} />
        ) : runs.isError ? (
          <ErrorState error={runs.error} onRetry={() => runs.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState title={t('noRunsTitle')}>{t('noRunsBody')}</EmptyState>
        ) : (
          <Table aria-label={t('historyTable')}>
            <TableHeader>
              <TableRow>
                <TableHead>{t('columnJob')}</TableHead>
                <TableHead>{t('columnStatus')}</TableHead>
                <TableHead>{t('columnStarted')}</TableHead>
                <TableHead className="hidden sm:table-cell">{t('columnFinished')}</TableHead>
                <TableHead>{t('columnResult')}</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.map((run) => {
                const live = events[run.id];
                return (
                  <TableRow key={run.id} data-testid="run-row">
                    <TableCell>{jobLabel(run.job_name)}</TableCell>
                    <TableCell>
                      <StatusBadge status={live?.status ?? run.status} />
                    </TableCell>
                    <TableCell className="whitespace-nowrap">
                      {format.dateTime(run.started_at)}
                    </TableCell>
                    <TableCell className="hidden whitespace-nowrap sm:table-cell">
                      {format.dateTime(run.finished_at)}
                    </TableCell>
                    <TableCell className="max-w-md text-xs break-words">
                      {run.error ? (
                        <span className="text-red-800">{run.error}</span>
                      ) : (
                        countsSummary(run.counts)
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
        {runs.hasNextPage ? (
          <Button
            variant="outline"
            onClick={() => runs.fetchNextPage()}
            disabled={runs.isFetchingNextPage}
          >
            {t('loadOlder')}
          </Button>
        ) : null}
      </CardContent>
    </Card>
  );
}

function JobsForProject({ projectId }: { projectId: string }) {
  const { events, state } = useJobEvents(projectId);
  return (
    <div className="flex flex-col gap-5">
      <div className="grid gap-5 xl:grid-cols-2">
        <ManualRuns projectId={projectId} events={events} streamState={state} />
        <StatusCounters projectId={projectId} />
      </div>
      <SchedulerTable projectId={projectId} />
      <RunHistory projectId={projectId} events={events} />
    </div>
  );
}

export function JobsPage() {
  const t = useTranslations('jobs');
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      <RequireProject>{(projectId) => <JobsForProject projectId={projectId} />}</RequireProject>
    </>
  );
}
