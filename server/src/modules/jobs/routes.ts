import {
  EnqueueJobQuerySchema,
  EnqueueJobResponseSchema,
  IdParamsSchema,
  JobRunResponseSchema,
  JobRunsQuerySchema,
  JobRunsResponseSchema,
  JobStatusResponseSchema,
  PatchScheduledJobBodySchema,
  ScheduledJobResponseSchema,
  SchedulerResponseSchema,
  TickResponseSchema,
} from '@cairn/contract';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../http/errors.js';
import { recordAudit } from '../audit/service.js';
import { enqueueManualRun } from './enqueue-run.js';
import {
  findRun,
  iso,
  listRuns,
  toRunDto,
  toScheduleDto,
  toWorkerRunDto,
  waitForRun,
} from './runs.js';
import { listSchedules, tick, updateSchedule, type WorkerRunRow } from './scheduler.js';
import { jobStatus } from './status.js';
import type { JobType } from './types.js';

const tags = ['jobs'];

const actor = (request: FastifyRequest) => request.user?.username ?? 'system';

/** The jobs HTTP side; its state is `app.jobs` (plugin.ts), shared by the / and /v1 mounts. */
export const jobRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const jobs = app.jobs;

  const manualRun = (jobType: JobType, summary: string) =>
    app.post(
      `/jobs/${{ chatwoot_sync: 'chatwoot/sync', embeddings_run: 'embeddings/run', outbound_process: 'outbound/process', signals_run: 'signals/run', linear_sync: 'linear/sync', attio_sync: 'attio/sync' }[jobType]}`,
      {
        config: { access: 'project', permission: 'jobs:run' },
        schema: {
          tags,
          summary,
          description:
            'Answers 202 with the queued run at once (or the run already queued or running). ' +
            'With wait=true it answers 200 when the run has finished, or 202 at the timeout.',
          querystring: EnqueueJobQuerySchema,
          response: { 200: EnqueueJobResponseSchema, 202: EnqueueJobResponseSchema },
        },
      },
      async (request, reply) => {
        const { run, created } = await enqueueManualRun({
          database: app.database,
          queue: await jobs.queue(),
          scope: request.scope,
          jobType,
          actor: actor(request),
          requestId: request.id,
          staleAfterSeconds: jobs.staleAfterSeconds,
        });
        if (!request.query.wait) {
          return reply.status(202).send({ ok: true as const, run: toRunDto(run), created });
        }
        const aborted = new AbortController();
        // The response closing before we answered means the client went away.
        reply.raw.once('close', () => {
          if (!reply.raw.writableFinished) aborted.abort();
        });
        // Runs finish in any worker process: hear their `finished` notices too (server Postgres).
        await jobs.signals.listen();
        const finished = await waitForRun(app.database, request.scope, run.id, {
          timeoutMs: (request.query.timeout_seconds ?? 300) * 1000,
          signal: aborted.signal,
          signals: jobs.signals,
        });
        const done = finished.status === 'ok' || finished.status === 'failed';
        return reply
          .status(done ? 200 : 202)
          .send({ ok: true as const, run: toRunDto(finished), created });
      },
    );
  manualRun('chatwoot_sync', 'Sync the active project from Chatwoot (queued)');
  manualRun('linear_sync', 'Sync the active project from its Linear workspace (queued)');
  manualRun('attio_sync', 'Sync the active project from its Attio workspace (queued)');
  manualRun('embeddings_run', 'Embed the active project’s pending chunks (queued)');
  manualRun('signals_run', 'Re-run every signal detector over the active project (queued)');

  app.get(
    '/jobs/runs',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'Run history of the active project, newest first',
        querystring: JobRunsQuerySchema,
        response: { 200: JobRunsResponseSchema },
      },
    },
    async (request) => {
      const { runs, nextCursor } = await listRuns(app.database, request.scope, request.query);
      return { ok: true as const, runs: runs.map(toRunDto), next_cursor: nextCursor };
    },
  );

  app.get(
    '/jobs/runs/:id',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'One run with its progress',
        params: IdParamsSchema,
        response: { 200: JobRunResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      run: toRunDto(await findRun(app.database, request.scope, request.params.id)),
    }),
  );

  app.get(
    '/jobs/events',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'Server-Sent Events: run status changes and progress of the active project',
        description:
          'text/event-stream. `event: status` when a run appears or changes status, ' +
          '`event: progress` for progress; `data` is the run as in GET /jobs/runs/:id.',
      },
    },
    async (request, reply) => {
      // A stream never ends, so a client that did not ask for one (a script, a route crawler)
      // gets an answer instead of a request that hangs.
      if (!String(request.headers.accept ?? '').includes('text/event-stream')) {
        throw new AppError(
          'validation_error',
          'this is an event stream: send Accept: text/event-stream',
          [{ field: 'accept', message: 'must include text/event-stream' }],
        );
      }
      jobs.streams.open(request, reply, request.scope);
      return reply;
    },
  );

  app.get(
    '/jobs/scheduler',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'The active project’s scheduled jobs',
        response: { 200: SchedulerResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      jobs: (await listSchedules(app.database, request.scope)).map(toScheduleDto),
    }),
  );

  app.patch(
    '/jobs/scheduler/:id',
    {
      config: { access: 'project', permission: 'schedules:manage' },
      schema: {
        tags,
        summary: 'Change a scheduled job’s cadence or enable/disable it',
        params: IdParamsSchema,
        body: PatchScheduledJobBodySchema,
        response: { 200: ScheduledJobResponseSchema },
      },
    },
    async (request) => ({
      ok: true as const,
      job: toScheduleDto(
        await updateSchedule({
          database: app.database,
          scope: request.scope,
          id: request.params.id,
          patch: request.body,
          actor: actor(request),
          requestId: request.id,
        }),
      ),
    }),
  );

  app.post(
    '/jobs/scheduler/tick',
    {
      config: { access: 'project', permission: 'schedules:manage' },
      schema: {
        tags,
        summary: 'Enqueue the active project’s due jobs now and report what was done',
        response: { 200: TickResponseSchema },
      },
    },
    async (request) => {
      const [record] = await tick({
        database: app.database,
        queue: await jobs.queue(),
        workerId: `api:${request.id}`,
        limit: app.config.WORKER_TICK_LIMIT,
        trigger: 'manual',
        scope: request.scope,
      });
      const workerRun = record as WorkerRunRow;
      await recordAudit(app.database.db, {
        projectId: request.scope.projectId,
        accountScopeId: request.scope.accountScopeId,
        actor: actor(request),
        action: 'job.scheduler.tick',
        entityType: 'worker_run',
        entityId: workerRun.id,
        payload: { enqueued: workerRun.enqueued, skipped: workerRun.skipped },
        requestId: request.id,
      });
      return { ok: true as const, worker_run: toWorkerRunDto(workerRun) };
    },
  );

  app.get(
    '/jobs/status',
    {
      config: { access: 'project', permission: 'project:read' },
      schema: {
        tags,
        summary: 'Latest runs, schedule, chunk and entity counts, storage and watermarks',
        response: { 200: JobStatusResponseSchema },
      },
    },
    async (request) => {
      const status = await jobStatus(app.database, app.config, request.scope);
      return {
        ok: true as const,
        latest_runs: status.latest.map(toRunDto),
        scheduler: status.scheduler.map(toScheduleDto),
        rag_counts: status.rag_counts,
        entities: status.entities,
        storage: status.storage,
        watermarks: status.watermarks.map((w) => ({
          ...w,
          cursor_ts: iso(w.cursor_ts),
          updated_at: iso(w.updated_at),
        })),
      };
    },
  );
};
