import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueInTransaction } from '../../src/modules/jobs/enqueue-run.js';
import { startJobs, type JobsRuntime } from '../../src/modules/jobs/runtime.js';
import { useTestApp } from '../support/app.js';
import { signInWithProject, type Session } from '../support/factories.js';
import {
  createInvocationsTable,
  fastWorker,
  invocations,
  recordingHandlers,
  slowly,
  type Behaviour,
} from './recording-handlers.js';
import { openEventStream } from './sse-client.js';

const silent = pino({ level: 'silent' });

describe('jobs', () => {
  const ctx = useTestApp({ STORAGE_BUDGET_GB: '0.001', STORAGE_ALERT_THRESHOLD_PCT: '50' });
  let behaviour: Behaviour = async () => ({ recorded: 1 });
  const workers: JobsRuntime[] = [];
  const startWorker = async (workerId: string) => {
    const runtime = await startJobs({
      config: ctx.config,
      database: ctx.database,
      logger: silent,
      handlers: recordingHandlers(ctx.database, workerId, (context) => behaviour(context)),
      metrics: ctx.app.metrics,
      workerId,
      // The app's signal hub, as main.ts wires it: a request's enqueue wakes these workers.
      signals: ctx.app.jobs.signals,
      ...fastWorker,
    });
    workers.push(runtime);
    return runtime;
  };

  beforeAll(async () => {
    await createInvocationsTable(ctx.database);
    await startWorker('worker-1');
  });
  afterAll(async () => {
    if (process.env.DEBUG_JOBS)
      for (const l of ctx.logs) if (/"level":(40|50)/.test(l)) console.error(l.slice(0, 1500));
    for (const worker of workers) await worker.stop();
  });

  /** Schedules of the session's project, all pushed far out so only what a test sets is due. */
  async function quietSchedules(projectId: string) {
    await sql`update scheduled_jobs set next_run_at = now() + interval '1 day'
              where project_id = ${projectId}::uuid`.execute(ctx.database.db);
  }

  async function schedules(session: Session) {
    const res = await session.request('GET', '/jobs/scheduler');
    expect(res.statusCode).toBe(200);
    return res.json().jobs as Array<Record<string, unknown> & { id: string; job_type: string }>;
  }

  describe('schedules', () => {
    it('creates every job type with the project, with the configured cadences', async () => {
      const { session } = await signInWithProject(ctx.app, ctx.database);
      const jobs = await schedules(session);
      expect(jobs.map((j) => [j.job_type, j.cadence_seconds, j.enabled])).toEqual([
        ['chatwoot_sync', 900, true],
        ['embeddings_run', 300, true],
        ['outbound_process', 60, true],
        ['signals_run', 900, true],
      ]);
    });

    it('changes cadence and enabled, refusing a cadence under 10 s and an empty patch', async () => {
      const { session } = await signInWithProject(ctx.app, ctx.database);
      const [sync] = await schedules(session);
      const tooFast = await session.request('PATCH', `/jobs/scheduler/${sync!.id}`, {
        cadence_seconds: 5,
      });
      expect(tooFast.statusCode).toBe(400);
      expect(tooFast.body).toContain('cadence_seconds');
      const empty = await session.request('PATCH', `/jobs/scheduler/${sync!.id}`, {});
      expect(empty.statusCode).toBe(400);
      const notBoolean = await session.request('PATCH', `/jobs/scheduler/${sync!.id}`, {
        enabled: 'sometimes',
      });
      expect(notBoolean.statusCode).toBe(400);

      const res = await session.request('PATCH', `/jobs/scheduler/${sync!.id}`, {
        cadence_seconds: 120,
        enabled: false,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().job).toMatchObject({ cadence_seconds: 120, enabled: false });
    });

    it("answers 404 for another project's scheduled job and run", async () => {
      const a = await signInWithProject(ctx.app, ctx.database);
      const b = await signInWithProject(ctx.app, ctx.database);
      const [bSync] = await schedules(b.session);
      const patch = await a.session.request('PATCH', `/jobs/scheduler/${bSync!.id}`, {
        enabled: false,
      });
      expect(patch.statusCode).toBe(404);
      const run = await b.session.request('POST', '/jobs/embeddings/run?wait=true');
      const runId = run.json().run.id;
      expect((await a.session.request('GET', `/jobs/runs/${runId}`)).statusCode).toBe(404);
      expect((await b.session.request('GET', `/jobs/runs/${runId}`)).statusCode).toBe(200);
    });
  });

  describe('manual runs', () => {
    it('answers 202 with the queued run, and with wait=true the finished run', async () => {
      behaviour = async ({ onProgress }) => {
        onProgress({ phase: 'syncing', processed: 3, total: 3 });
        return { messages_inserted: 3 };
      };
      const { session, project } = await signInWithProject(ctx.app, ctx.database);
      const queued = await session.request('POST', '/jobs/chatwoot/sync');
      expect(queued.statusCode).toBe(202);
      expect(queued.json()).toMatchObject({ created: true, run: { status: 'queued' } });

      const waited = await session.request('POST', '/jobs/chatwoot/sync?wait=true');
      expect(waited.statusCode).toBe(200);
      const run = waited.json().run;
      expect(run.status).toBe('ok');
      expect(run.counts).toEqual({ messages_inserted: 3 });
      expect(run.processed).toBe(3);
      expect(run.attempt).toBe(1);
      const mine = (await invocations(ctx.database)).filter(
        (i) => i.project_id === project.projectId,
      );
      expect(mine.length).toBe(run.id === queued.json().run.id ? 1 : 2);

      const audit = await sql<{ n: number }>`
        select count(*)::int as n from audit_events
        where project_id = ${project.projectId}::uuid and action = 'job.run'`.execute(
        ctx.database.db,
      );
      expect(audit.rows[0]!.n).toBe(2);
    });

    it('returns the active run to a second request instead of starting another', async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      behaviour = async () => {
        await released;
      };
      const { session, project } = await signInWithProject(ctx.app, ctx.database);
      const first = (await session.request('POST', '/jobs/embeddings/run')).json();
      const second = (await session.request('POST', '/jobs/embeddings/run')).json();
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(second.run.id).toBe(first.run.id);
      release();
      const done = await session.request('POST', '/jobs/embeddings/run?wait=true');
      // Either the same run (still finishing) or, once it finished, a fresh one.
      expect(done.statusCode, done.body).toBe(200);
      const runs = (await session.request('GET', '/jobs/runs?job=embeddings_run')).json().runs;
      expect(runs.filter((r: { status: string }) => r.status === 'ok').length).toBe(runs.length);
      const mine = (await invocations(ctx.database)).filter(
        (i) => i.project_id === project.projectId,
      );
      expect(new Set(mine.map((i) => i.run_id)).size).toBe(mine.length);
    });

    it('pages the run history newest first with a cursor, filtered by job and status', async () => {
      behaviour = async () => ({ recorded: 1 });
      const { session } = await signInWithProject(ctx.app, ctx.database);
      for (let i = 0; i < 3; i++) await session.request('POST', '/jobs/chatwoot/sync?wait=true');
      await session.request('POST', '/jobs/embeddings/run?wait=true');
      const page1 = (await session.request('GET', '/jobs/runs?job=chatwoot_sync&limit=2')).json();
      expect(page1.runs).toHaveLength(2);
      expect(page1.next_cursor).toBeTruthy();
      const page2 = (
        await session.request(
          'GET',
          `/jobs/runs?job=chatwoot_sync&limit=2&cursor=${page1.next_cursor}`,
        )
      ).json();
      expect(page2.runs).toHaveLength(1);
      expect(page2.next_cursor).toBeNull();
      const ids = [...page1.runs, ...page2.runs].map((r: { id: string }) => r.id);
      expect(new Set(ids).size).toBe(3);
      const failed = (await session.request('GET', '/jobs/runs?status=failed')).json();
      expect(failed.runs).toHaveLength(0);
      const bad = await session.request('GET', '/jobs/runs?cursor=nonsense');
      expect(bad.statusCode).toBe(400);
    });
  });

  describe('scheduler tick', () => {
    it('enqueues due jobs and advances next_run_at; not-due and disabled jobs stay', async () => {
      behaviour = async () => ({ recorded: 1 });
      const { session, project } = await signInWithProject(ctx.app, ctx.database);
      await quietSchedules(project.projectId);
      await sql`update scheduled_jobs set
          next_run_at = case job_type when 'chatwoot_sync' then now() - interval '1 minute'
                                      when 'outbound_process' then now() - interval '1 minute'
                                      else next_run_at end,
          enabled = job_type <> 'outbound_process'
        where project_id = ${project.projectId}::uuid`.execute(ctx.database.db);
      const before = await schedules(session);

      const res = await session.request('POST', '/jobs/scheduler/tick');
      expect(res.statusCode).toBe(200);
      const workerRun = res.json().worker_run;
      expect(workerRun.due.map((d: { job_type: string }) => d.job_type)).toEqual(['chatwoot_sync']);
      expect(workerRun.enqueued.map((d: { job_type: string }) => d.job_type)).toEqual([
        'chatwoot_sync',
      ]);
      expect(workerRun.skipped).toEqual([]);

      const after = await schedules(session);
      const byType = (rows: typeof before, type: string) => rows.find((r) => r.job_type === type)!;
      const advanced = new Date(byType(after, 'chatwoot_sync').next_run_at as string).getTime();
      expect(advanced).toBeGreaterThan(Date.now() + 800_000);
      expect(byType(after, 'embeddings_run').next_run_at).toBe(
        byType(before, 'embeddings_run').next_run_at,
      );
      expect(byType(after, 'outbound_process').next_run_at).toBe(
        byType(before, 'outbound_process').next_run_at,
      );

      const runId = workerRun.enqueued[0].run_id;
      // The tick's commit wakes the worker; no polling interval to wait out.
      await waitFor(async () => {
        const run = (await session.request('GET', `/jobs/runs/${runId}`)).json().run;
        return run.status === 'ok';
      });
      const mine = (await invocations(ctx.database)).filter(
        (i) => i.project_id === project.projectId,
      );
      expect(mine.map((i) => i.job_type)).toEqual(['chatwoot_sync']);
      const second = (await session.request('POST', '/jobs/scheduler/tick')).json().worker_run;
      expect(second.due).toEqual([]);
    });

    it('never enqueues the same job twice from two ticks at once', async () => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      behaviour = async () => {
        await released;
      };
      const { session, project } = await signInWithProject(ctx.app, ctx.database);
      await sql`update scheduled_jobs set next_run_at = case
                  when project_id = ${project.projectId}::uuid then now() - interval '1 minute'
                  else now() + interval '1 day' end`.execute(ctx.database.db);
      const ticks = await Promise.all([
        session.request('POST', '/jobs/scheduler/tick'),
        session.request('POST', '/jobs/scheduler/tick'),
        workers[0]!.tickAll(),
      ]);
      const records = [
        ticks[0].json().worker_run ?? ticks[0].body,
        ticks[1].json().worker_run,
        ...ticks[2].filter((r) => r.project_id === project.projectId),
      ];
      const enqueued = records.flatMap((r) => r.enqueued as { job_type: string }[]);
      expect(enqueued.map((e) => e.job_type).sort()).toEqual([
        'chatwoot_sync',
        'embeddings_run',
        'outbound_process',
        'signals_run',
      ]);
      // Due again while the runs are still going: skipped as already active, not enqueued.
      await sql`update scheduled_jobs set next_run_at = now() - interval '1 minute'
                where project_id = ${project.projectId}::uuid`.execute(ctx.database.db);
      const again = (await session.request('POST', '/jobs/scheduler/tick')).json().worker_run;
      expect(again.enqueued).toEqual([]);
      expect(again.skipped).toHaveLength(4);
      release();
      const runs = await sql<{ n: number }>`select count(*)::int as n from job_runs
        where project_id = ${project.projectId}::uuid`.execute(ctx.database.db);
      expect(runs.rows[0]!.n).toBe(4);
    });

    it("keeps ticking other jobs when the queue refuses one project's job", async () => {
      behaviour = async () => ({ recorded: 1 });
      const { session, project } = await signInWithProject(ctx.app, ctx.database);
      await quietSchedules(project.projectId);
      // A stray waiting job for this project (not yet startable) makes the queue refuse another.
      await workers[0]!.queue.boss.send(
        'chatwoot_sync',
        {},
        { singletonKey: project.projectId, startAfter: 3600 },
      );
      await sql`update scheduled_jobs set next_run_at = now() - interval '1 minute'
                where project_id = ${project.projectId}::uuid
                  and job_type in ('chatwoot_sync', 'embeddings_run')`.execute(ctx.database.db);
      const workerRun = (await session.request('POST', '/jobs/scheduler/tick')).json().worker_run;
      expect(workerRun.enqueued.map((e: { job_type: string }) => e.job_type)).toEqual([
        'embeddings_run',
      ]);
      expect(workerRun.skipped).toEqual([
        {
          job_type: 'chatwoot_sync',
          run_id: null,
          reason: expect.stringContaining('already holds a waiting job'),
        },
      ]);
    });

    it('shows a job failing three times as failed with its error, retries it within a minute, then backs it off', async () => {
      behaviour = async () => {
        throw new Error('Chatwoot answered 401: the API token was revoked');
      };
      const { session, project } = await signInWithProject(ctx.app, ctx.database);
      const syncSchedule = async () =>
        (await schedules(session)).find((j) => j.job_type === 'chatwoot_sync')!;
      const nextRuns: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await session.request('POST', '/jobs/chatwoot/sync?wait=true');
        expect(res.json().run).toMatchObject({
          status: 'failed',
          error: expect.stringContaining('401'),
        });
        const { next_run_at } = await syncSchedule();
        nextRuns.push(new Date(next_run_at as string).getTime() - Date.now());
      }
      const sync = await syncSchedule();
      expect(sync.last_status).toBe('failed');
      expect(sync.last_error).toContain('API token was revoked');
      expect(sync.consecutive_failures).toBe(3);
      // The first failure is retried within a minute; then the 900 s cadence doubles per failure:
      // 2 × 900 s out after the second, 4 × 900 s after the third.
      expect(nextRuns[0]).toBeLessThanOrEqual(60_000);
      expect(nextRuns[1]).toBeGreaterThan(2 * 900_000 - 60_000);
      expect(nextRuns[2]).toBeGreaterThan(4 * 900_000 - 60_000);
      // Handler errors are the scheduler's to retry, not the queue's: one invocation per run.
      const mine = (await invocations(ctx.database)).filter(
        (i) => i.project_id === project.projectId,
      );
      expect(mine).toHaveLength(3);

      behaviour = async () => ({ recorded: 1 });
      await session.request('POST', '/jobs/chatwoot/sync?wait=true');
      const healed = (await schedules(session)).find((j) => j.job_type === 'chatwoot_sync')!;
      expect(healed).toMatchObject({
        last_status: 'ok',
        last_error: null,
        consecutive_failures: 0,
      });
    });
  });

  describe('live events', () => {
    it("streams a run's progress and completion to its project only", async () => {
      const address = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
      const base =
        typeof address === 'string'
          ? address
          : `http://127.0.0.1:${(ctx.app.server.address() as AddressInfo).port}`;
      const a = await signInWithProject(ctx.app, ctx.database);
      const b = await signInWithProject(ctx.app, ctx.database);
      const streamA = await openEventStream(`${base}/jobs/events`, a.session.cookie);
      const streamB = await openEventStream(`${base}/jobs/events`, b.session.cookie);
      expect(streamA.status).toBe(200);
      await Promise.all([streamA.untilListening(), streamB.untilListening()]);

      behaviour = slowly(6, 400);
      const started = (await a.session.request('POST', '/jobs/chatwoot/sync')).json().run;
      const ofRun = (events: typeof streamA.events) =>
        events.filter((e) => e.data.id === started.id);
      await streamA.waitFor((events) =>
        ofRun(events).some((e) => e.event === 'status' && e.data.status === 'ok'),
      );
      const seen = ofRun(streamA.events);
      expect(seen.some((e) => e.data.status === 'running' && e.data.processed > 0)).toBe(true);
      expect(seen.at(-1)!.data).toMatchObject({ status: 'ok', processed: 6, total: 6 });
      // B's own run reaching B's stream shows the stream was delivering all along; A's run never did.
      behaviour = async () => ({ recorded: 1 });
      const bRun = (await b.session.request('POST', '/jobs/chatwoot/sync')).json().run;
      await streamB.waitFor((events) =>
        events.some((e) => e.data.id === bRun.id && e.data.status === 'ok'),
      );
      expect(ofRun(streamB.events)).toEqual([]);

      // Over real HTTP too, wait=true holds the answer until the run has finished.
      behaviour = slowly(3, 200);
      const waited = await fetch(`${base}/jobs/embeddings/run?wait=true`, {
        method: 'POST',
        headers: a.session.headers,
      });
      expect(waited.status).toBe(200);
      expect(((await waited.json()) as { run: { status: string } }).run.status).toBe('ok');
      streamA.close();
      streamB.close();
    });

    it('answers 400 to a client that does not accept an event stream', async () => {
      const a = await signInWithProject(ctx.app, ctx.database);
      const res = await a.session.request('GET', '/jobs/events');
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('text/event-stream');
    });

    it('closes open streams when the server shuts down', async () => {
      // Exercised by afterAll: app.close() would hang on an open stream. Open one and leave it.
      const a = await signInWithProject(ctx.app, ctx.database);
      const port = (ctx.app.server.address() as AddressInfo).port;
      const stream = await openEventStream(
        `http://127.0.0.1:${port}/jobs/events`,
        a.session.cookie,
      );
      expect(stream.status).toBe(200);
    });
  });

  describe('status and metrics', () => {
    it('reports latest runs, counts and storage with the budget alert', async () => {
      behaviour = async () => ({ recorded: 1 });
      const { session } = await signInWithProject(ctx.app, ctx.database);
      await session.request('POST', '/jobs/embeddings/run?wait=true');
      const res = await session.request('GET', '/jobs/status');
      expect(res.statusCode).toBe(200);
      const status = res.json();
      expect(status.latest_runs.map((r: { job_name: string }) => r.job_name)).toEqual([
        'embeddings_run',
      ]);
      expect(status.rag_counts).toEqual({ pending: 0, processing: 0, ready: 0, failed: 0 });
      expect(status.entities).toEqual({ contacts: 0, conversations: 0, messages: 0, chunks: 0 });
      expect(status.storage.database_bytes).toBeGreaterThan(1_048_576);
      // A 1 MiB budget with a 50% threshold is exceeded by any database.
      expect(status.storage.alert).toBe(true);
      expect(status.storage.largest_tables.length).toBeGreaterThan(0);
    });

    it('exposes run counters, durations and queue depth in /metrics', async () => {
      const { session } = await signInWithProject(ctx.app, ctx.database);
      behaviour = async () => ({ recorded: 1 });
      await session.request('POST', '/jobs/chatwoot/sync?wait=true');
      behaviour = async () => {
        throw new Error('provider down');
      };
      await session.request('POST', '/jobs/embeddings/run?wait=true');
      const res = await ctx.app.inject({ method: 'GET', url: '/metrics' });
      expect(res.body).toMatch(/cairn_job_runs_total\{job="chatwoot_sync",status="ok"\} [1-9]/);
      expect(res.body).toMatch(
        /cairn_job_runs_total\{job="embeddings_run",status="failed"\} [1-9]/,
      );
      expect(res.body).toMatch(
        /cairn_job_run_duration_seconds_count\{job="chatwoot_sync",status="ok"\} [1-9]/,
      );
      expect(res.body).toMatch(/cairn_job_queue_depth\{job="embeddings_run"\} \d+/);
    });
  });

  describe('lost workers', () => {
    it('hands back a run whose worker stopped heartbeating, and the queue delivers it again at once', async () => {
      behaviour = async () => ({ recorded: 1 });
      const { session, project } = await signInWithProject(ctx.app, ctx.database);
      // A run taken by a worker that then died: active on the queue, running with an old heartbeat.
      const runId = await ctx.database.db.transaction().execute(async (trx) => {
        const { run } = await enqueueInTransaction(trx, workers[0]!.queue, {
          scope: project,
          jobType: 'chatwoot_sync',
          trigger: 'manual',
        });
        await sql`update pgboss.job set state = 'active', started_on = now()
                  where id = ${run.id}::uuid`.execute(trx);
        await sql`update job_runs set status = 'running', attempt = 1, worker_id = 'ghost',
                  started_at = now(), heartbeat_at = now() - interval '1 hour'
                  where id = ${run.id}::uuid`.execute(trx);
        return run.id;
      });

      // The reaper (every second here) hands it back for immediate redelivery.
      await waitFor(async () => {
        const run = (await session.request('GET', `/jobs/runs/${runId}`)).json().run;
        return run.status === 'ok';
      });
      const run = (await session.request('GET', `/jobs/runs/${runId}`)).json().run;
      expect(run.attempt).toBe(2);
      expect(run.meta.previous_attempts).toEqual([
        expect.objectContaining({
          worker_id: 'ghost',
          // Handed back to the queue, not failed: a waiter keeps waiting for the retry.
          status: 'queued',
          error: expect.stringMatching(/worker ghost stopped sending heartbeats/),
        }),
      ]);
      const mine = (await invocations(ctx.database)).filter(
        (i) => i.project_id === project.projectId,
      );
      expect(mine.map((i) => i.attempt)).toEqual([2]);
    });
  });

  describe('worker shutdown', () => {
    it('hands a running job back on shutdown and another worker completes it', async () => {
      await startWorker('worker-2');
      // Long enough to be surely mid-run when the worker stops, however loaded the machine.
      behaviour = slowly(300, 100);
      const { session, project } = await signInWithProject(ctx.app, ctx.database);
      const run = (await session.request('POST', '/jobs/chatwoot/sync')).json().run;
      let holder = '';
      await waitFor(async () => {
        const current = (await session.request('GET', `/jobs/runs/${run.id}`)).json().run;
        holder = current.worker_id ?? '';
        // Progress proves the slow handler itself is under way, not just the claim.
        return current.status === 'running' && current.processed > 0;
      });
      behaviour = async () => ({ recorded: 1 });
      const stopping = workers.find((w) => w.workerId === holder)!;
      await stopping.stop();

      await waitFor(async () => {
        const current = (await session.request('GET', `/jobs/runs/${run.id}`)).json().run;
        return current.status === 'ok';
      });
      const final = (await session.request('GET', `/jobs/runs/${run.id}`)).json().run;
      expect(final.attempt).toBe(2);
      expect(final.worker_id).not.toBe(holder);
      expect(final.meta.previous_attempts).toEqual([
        expect.objectContaining({ attempt: 1, worker_id: holder, status: 'queued' }),
      ]);
      const mine = (await invocations(ctx.database)).filter(
        (i) => i.project_id === project.projectId,
      );
      expect(mine.map((i) => [i.worker_id, i.attempt])).toEqual([
        [holder, 1],
        [final.worker_id, 2],
      ]);
    });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
