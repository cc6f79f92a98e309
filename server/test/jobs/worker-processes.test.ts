import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatwootSim } from '@cairn/chatwoot-sim';
import { openDatabase, type Database, type Scope } from '../../src/db/database.js';
import { createSecrets } from '../../src/lib/secrets.js';
import { systemScope } from '../../src/modules/access/system-actor.js';
import { bindChatwootSource } from '../../src/modules/sources/service.js';
import { expectConverged } from '../chatwoot/harness.js';
import { enqueueManualRun } from '../../src/modules/jobs/enqueue-run.js';
import { openQueue, type JobQueue } from '../../src/modules/jobs/queue.js';
import { createDefaultSchedules } from '../../src/modules/jobs/scheduler.js';
import { testConfig } from '../support/app.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { createInvocationsTable, invocations } from './recording-handlers.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./fixtures/worker.ts', import.meta.url));
const serverUrl = process.env.TEST_DATABASE_URL;

interface WorkerProcess {
  id: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

// The embedded database is one process's PGlite: only a server Postgres can be shared by several
// worker processes, so this file needs TEST_DATABASE_URL.
describe.skipIf(!serverUrl)(
  'worker processes sharing one server Postgres (TEST_DATABASE_URL)',
  () => {
    let testDb: TestDatabase;
    let database: Database;
    let queue: JobQueue;
    const scopes: Scope[] = [];
    const processes: WorkerProcess[] = [];

    function startWorker(id: string, env: Record<string, string>): Promise<WorkerProcess> {
      // node --import tsx rather than npx, so the pid we kill -9 is the worker itself.
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
        env: {
          ...process.env,
          DATABASE_URL: testDb.url,
          WORKER_ID: id,
          EMBEDDING_DIM: '256',
          LOG_LEVEL: 'warn',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const worker: WorkerProcess = {
        id,
        child,
        exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
      };
      processes.push(worker);
      return new Promise((resolve, reject) => {
        let output = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes(`ready ${id}`)) resolve(worker);
        });
        void worker.exited.then((code) => reject(new Error(`worker ${id} exited early (${code})`)));
      });
    }

    async function stopAll() {
      for (const worker of processes.splice(0)) {
        if (worker.child.exitCode === null && worker.child.signalCode === null) {
          worker.child.kill('SIGTERM');
          await worker.exited;
        }
      }
    }

    beforeAll(async () => {
      testDb = await startTestDatabase();
      const config = testConfig({ DATABASE_URL: testDb.url, DB_POOL_MAX: '4' });
      database = await openDatabase(config);
      await createInvocationsTable(database);
      queue = await openQueue(database, pino({ level: 'silent' }), { supervise: false });
      await database.db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ id: string }>`
        insert into account_scopes (scope_key, name) values ('workers', 'Workers') returning id
      `.execute(trx);
        const accountScopeId = rows[0]!.id;
        const { rows: projects } = await sql<{ id: string }>`
        insert into projects (account_scope_id, name)
        select ${accountScopeId}::uuid, 'project ' || n from generate_series(1, 100) n
        returning id
      `.execute(trx);
        for (const project of projects) {
          const scope = systemScope({ projectId: project.id, accountScopeId }, 'test');
          scopes.push(scope);
          await createDefaultSchedules(trx, scope, config);
        }
        // Nothing is due until a test says so.
        await sql`update scheduled_jobs set next_run_at = now() + interval '1 day',
                enabled = job_type <> 'outbound_process'`.execute(trx);
      });
    });

    afterAll(async () => {
      await stopAll();
      await queue?.stop({ graceful: false });
      await database?.close();
      await testDb?.drop();
    });

    it('runs each of 200 due jobs exactly once across two worker processes', async () => {
      const env = { TICK: '1', WORKER_INTERVAL_SECONDS: '1', WORKER_TICK_LIMIT: '50' };
      await Promise.all([
        startWorker('tick-a', { ...env, HANDLER_STEPS: '1', HANDLER_STEP_MS: '30' }),
        startWorker('tick-b', { ...env, HANDLER_STEPS: '1', HANDLER_STEP_MS: '30' }),
      ]);
      const { rows: due } = await sql<{ n: number }>`
      with due as (update scheduled_jobs set next_run_at = now() where enabled returning 1)
      select count(*)::int as n from due`.execute(database.db);
      expect(due[0]!.n).toBe(200);

      await waitFor(async () => {
        const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from job_runs where status = 'ok'`.execute(database.db);
        return rows[0]!.n >= 200;
      }, 120_000);
      // A little longer, so a duplicate delivery would have time to show.
      await new Promise((r) => setTimeout(r, 2_000));

      const calls = await invocations(database);
      expect(calls).toHaveLength(200);
      expect(new Set(calls.map((c) => c.run_id)).size).toBe(200);
      expect(new Set(calls.map((c) => `${c.project_id}:${c.job_type}`)).size).toBe(200);
      expect(calls.every((c) => c.attempt === 1)).toBe(true);
      // Both processes took a share of the work.
      expect(new Set(calls.map((c) => c.worker_id))).toEqual(new Set(['tick-a', 'tick-b']));
      const { rows: ticks } = await sql<{ enqueued: number }>`
      select coalesce(sum(jsonb_array_length(enqueued)), 0)::int as enqueued from worker_runs
    `.execute(database.db);
      expect(ticks[0]!.enqueued).toBe(200);
      const { rows: runs } = await sql<{ n: number }>`
      select count(*)::int as n from job_runs`.execute(database.db);
      expect(runs[0]!.n).toBe(200);
      await stopAll();
    });

    it('hands the job of a worker killed with SIGKILL to another worker, which completes it', async () => {
      await sql`truncate test_job_invocations`.execute(database.db);
      // The doomed worker's run would take a minute: it is surely mid-run when killed.
      const doomed = await startWorker('doomed', { HANDLER_STEPS: '600', HANDLER_STEP_MS: '100' });
      const scope = scopes[0]!;
      const { run } = await enqueueManualRun({
        database,
        queue,
        scope,
        jobType: 'chatwoot_sync',
        actor: 'test',
      });
      await waitFor(async () => (await invocations(database)).some((c) => c.run_id === run.id));
      await startWorker('survivor', { HANDLER_STEPS: '30', HANDLER_STEP_MS: '50' });

      doomed.child.kill('SIGKILL');
      await doomed.exited;

      await waitFor(async () => {
        const { rows } = await sql<{ status: string }>`
        select status from job_runs where id = ${run.id}::uuid`.execute(database.db);
        return rows[0]!.status === 'ok';
      }, 60_000);
      const { rows } = await sql<{
        attempt: number;
        worker_id: string;
        processed: number;
        meta: { previous_attempts: { worker_id: string; attempt: number; error: string | null }[] };
      }>`select attempt, worker_id, processed, meta from job_runs where id = ${run.id}::uuid`.execute(
        database.db,
      );
      const final = rows[0]!;
      expect(final).toMatchObject({ attempt: 2, worker_id: 'survivor', processed: 30 });
      expect(final.meta.previous_attempts).toEqual([
        expect.objectContaining({
          attempt: 1,
          worker_id: 'doomed',
          error: expect.stringContaining('stopped sending heartbeats'),
        }),
      ]);
      const calls = (await invocations(database)).filter((c) => c.run_id === run.id);
      expect(calls.map((c) => [c.worker_id, c.attempt])).toEqual([
        ['doomed', 1],
        ['survivor', 2],
      ]);
    });

    it('converges to exactly the source when a worker is killed with SIGKILL in the middle of a sync', async () => {
      await stopAll();
      const secretsKey = '33'.repeat(32);
      const sim = await startChatwootSim({ seed: 'kill-9-mid-sync', size: 'tiny' });
      try {
        // Slow message pages down, so the doomed worker is surely mid-sync when it dies.
        sim.control.injectFault({ route: 'messages', kind: 'delay', delayMs: 250, times: 100_000 });
        const scope = scopes[1]!;
        await bindChatwootSource(
          database,
          createSecrets(secretsKey),
          scope,
          { baseUrl: sim.url, accountId: sim.accountId, apiToken: sim.token },
          { userId: '', username: 'test', requestId: 'kill-9' },
        );
        const env = { HANDLERS: 'real', SECRETS_KEY: secretsKey };
        const doomed = await startWorker('doomed-sync', env);
        const { run } = await enqueueManualRun({
          database,
          queue,
          scope,
          jobType: 'chatwoot_sync',
          actor: 'test',
        });
        await waitFor(async () => {
          const { rows } = await sql<{ phase: string | null }>`
          select phase from job_runs where id = ${run.id}::uuid and status = 'running'`.execute(
            database.db,
          );
          return rows[0]?.phase === 'messages';
        }, 60_000);
        doomed.child.kill('SIGKILL');
        await doomed.exited;
        sim.control.clearFaults();

        await startWorker('survivor-sync', env);
        await waitFor(async () => {
          const { rows } = await sql<{ status: string }>`
          select status from job_runs where id = ${run.id}::uuid`.execute(database.db);
          return rows[0]!.status === 'ok';
        }, 120_000);

        const { rows } = await sql<{ attempt: number; worker_id: string }>`
        select attempt, worker_id from job_runs where id = ${run.id}::uuid`.execute(database.db);
        expect(rows[0]).toMatchObject({ attempt: 2, worker_id: 'survivor-sync' });
        const converged = await expectConverged(database, scope, sim);
        expect(converged.truthIds.length).toBeGreaterThan(100);
        expect(converged.storedIds).toEqual(converged.truthIds);
        expect(converged.contentMismatches).toEqual([]);
      } finally {
        void sim.stop();
      }
    }, 240_000);
  },
);

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}
