import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatwootSim } from '@cairn/chatwoot-sim';
import { openDatabase, type Database, type Scope } from '../../src/db/database.js';
import { createSecrets } from '../../src/lib/secrets.js';
import { parseHostAllowlist, systemResolver } from '../../src/lib/net/host-policy.js';
import { systemScope } from '../../src/modules/access/system-actor.js';
import { bindChatwootSource } from '../../src/modules/sources/service.js';
import { LOOPBACK } from '../support/constants.js';
import { expectConverged } from '../chatwoot/harness.js';
import { buildApp } from '../../src/app.js';
import { enqueueManualRun } from '../../src/modules/jobs/enqueue-run.js';
import { defaultJobHandlers } from '../../src/modules/jobs/handlers.js';
import { openQueue, QUEUE_SCHEMA, type JobQueue } from '../../src/modules/jobs/queue.js';
import { startJobs } from '../../src/modules/jobs/runtime.js';
import { createDefaultSchedules } from '../../src/modules/jobs/scheduler.js';
import { createJobSignals, type JobSignals } from '../../src/modules/jobs/signals.js';
import { testConfig } from '../support/app.js';
import { createUser, loginAs } from '../support/factories.js';
import { startTestDatabase, type TestDatabase } from '../support/database.js';
import { createInvocationsTable, invocations } from './recording-handlers.js';

const SERVER_DIR = path.resolve(import.meta.dirname, '../..');

/**
 * The fixture runs as a worker process runs in production: over the compiled server (dist/, which
 * the global setup builds), not through tsx, which spent about 2.4 s of CPU transpiling the server
 * at each of this file's eight worker starts. esbuild bundles the fixture with its recording
 * handlers alone: an import of the server's src/ becomes an import of its compiled twin in dist/,
 * and packages stay imports, resolved with the cairn-dist condition as `npm start` does. The
 * bundle lives under node_modules so that those imports resolve from it.
 */
async function buildWorkerFixture(): Promise<string> {
  const src = path.join(SERVER_DIR, 'src');
  const cache = path.join(SERVER_DIR, 'node_modules/.cache');
  await mkdir(cache, { recursive: true });
  const outfile = path.join(await mkdtemp(path.join(cache, 'worker-fixture-')), 'worker.mjs');
  await build({
    entryPoints: [path.join(import.meta.dirname, 'fixtures/worker.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'warning',
    plugins: [
      {
        name: 'compiled-server',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, () => ({ external: true }));
          b.onResolve({ filter: /^\./ }, (args) => {
            const file = path.resolve(args.resolveDir, args.path);
            if (!file.startsWith(src + path.sep)) return undefined;
            return {
              path: path.join(SERVER_DIR, 'dist', path.relative(src, file)),
              external: true,
            };
          });
        },
      },
    ],
  });
  return outfile;
}
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
    let signals: JobSignals;
    const scopes: Scope[] = [];
    const processes: WorkerProcess[] = [];

    let workerScript: string;

    function startWorker(id: string, env: Record<string, string>): Promise<WorkerProcess> {
      // node itself rather than npx, so the pid we kill -9 is the worker itself.
      const child = spawn(process.execPath, ['--conditions=cairn-dist', workerScript], {
        env: {
          ...process.env,
          DATABASE_URL: testDb.url,
          WORKER_ID: id,
          EMBEDDING_DIM: '256',
          LOG_LEVEL: 'warn',
          SOURCE_HOST_ALLOWLIST: LOOPBACK,
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
      workerScript = await buildWorkerFixture();
      testDb = await startTestDatabase();
      const config = testConfig({ DATABASE_URL: testDb.url, DB_POOL_MAX: '4' });
      database = await openDatabase(config);
      await createInvocationsTable(database);
      signals = createJobSignals(database, pino({ level: 'silent' }));
      queue = await openQueue(database, pino({ level: 'silent' }), signals, { supervise: false });
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
        // Nothing is due until a test says so; two schedules per project (sync and embeddings) are
        // the 200 the tick test counts, whatever other job types projects get by default.
        await sql`update scheduled_jobs set next_run_at = now() + interval '1 day',
                enabled = job_type in ('chatwoot_sync', 'embeddings_run')`.execute(trx);
      });
    });

    afterAll(async () => {
      await stopAll();
      if (workerScript) await rm(path.dirname(workerScript), { recursive: true, force: true });
      await queue?.stop({ graceful: false });
      await signals?.close();
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
      // No fixed wait for a duplicate to show: once the queue holds nothing deliverable, no
      // second delivery can come, so the counts below are final.
      await waitFor(async () => {
        const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from ${sql.table(`${QUEUE_SCHEMA}.job`)}
        where state in ('created', 'retry', 'active')`.execute(database.db);
        return rows[0]!.n === 0;
      });

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
        staleAfterSeconds: 60,
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
          // Whichever rule saw it first: the silence, or the pid of this host that is gone.
          error: expect.stringMatching(/stopped sending heartbeats|no longer running/),
        }),
      ]);
      const calls = (await invocations(database)).filter((c) => c.run_id === run.id);
      expect(calls.map((c) => [c.worker_id, c.attempt])).toEqual([
        ['doomed', 1],
        ['survivor', 2],
      ]);
    });

    /** A real sync in a worker process, killed with -9 once it is fetching messages. */
    async function killMidSync(scope: Scope, label: string) {
      const secretsKey = '33'.repeat(32);
      const sim = await startChatwootSim({ seed: `kill-9-${label}`, size: 'tiny' });
      // Slow message pages down, so the doomed worker is surely mid-sync when it dies.
      sim.control.injectFault({ route: 'messages', kind: 'delay', delayMs: 250, times: 100_000 });
      await bindChatwootSource(
        {
          database,
          secrets: createSecrets(secretsKey),
          hostPolicy: { allowlist: parseHostAllowlist(LOOPBACK), resolve: systemResolver },
        },
        scope,
        { baseUrl: sim.url, accountId: sim.accountId, apiToken: sim.token },
        { userId: '', username: 'test', requestId: label },
      );
      // No WORKER_ID: the product's own id (host:pid:…), which is how a dead owner is recognised.
      const env = { HANDLERS: 'real', SECRETS_KEY: secretsKey, WORKER_ID: '' };
      const doomed = await startWorker(`doomed-${label}`, { ...env, READY_AS: `doomed-${label}` });
      const { run } = await enqueueManualRun({
        database,
        queue,
        scope,
        jobType: 'chatwoot_sync',
        actor: 'test',
        staleAfterSeconds: 60,
      });
      await waitFor(async () => {
        const { rows } = await sql<{ phase: string | null }>`
          select phase from job_runs where id = ${run.id}::uuid and status = 'running'`.execute(
          database.db,
        );
        return rows[0]?.phase === 'messages';
      }, 60_000);
      const { rows } = await sql<{ worker_id: string }>`
        select worker_id from job_runs where id = ${run.id}::uuid`.execute(database.db);
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      sim.control.clearFaults();
      return { sim, runId: run.id, deadWorker: rows[0]!.worker_id, secretsKey };
    }

    it('converges to exactly the source when a worker is killed with SIGKILL in the middle of a sync', async () => {
      await stopAll();
      const scope = scopes[1]!;
      const { sim, runId, deadWorker, secretsKey } = await killMidSync(scope, 'converge');
      try {
        // The lease is ten minutes here: only the start-up reaping of a dead owner of this host
        // can hand the run over within the wait below.
        await startWorker('survivor-sync', {
          HANDLERS: 'real',
          SECRETS_KEY: secretsKey,
          STALE_AFTER_SECONDS: '600',
        });
        await waitFor(async () => {
          const { rows } = await sql<{ status: string }>`
          select status from job_runs where id = ${runId}::uuid`.execute(database.db);
          return rows[0]!.status === 'ok';
        }, 60_000);

        const { rows } = await sql<{
          attempt: number;
          worker_id: string;
          meta: { previous_attempts: { worker_id: string; error: string }[] };
        }>`select attempt, worker_id, meta from job_runs where id = ${runId}::uuid`.execute(
          database.db,
        );
        expect(rows[0]).toMatchObject({ attempt: 2, worker_id: 'survivor-sync' });
        expect(rows[0]!.meta.previous_attempts).toEqual([
          expect.objectContaining({
            worker_id: deadWorker,
            error: expect.stringContaining('no longer running'),
          }),
        ]);
        const converged = await expectConverged(database, scope, sim);
        expect(converged.truthIds.length).toBeGreaterThan(100);
        expect(converged.storedIds).toEqual(converged.truthIds);
        expect(converged.contentMismatches).toEqual([]);
      } finally {
        void sim.stop();
      }
    }, 240_000);

    it('never makes a sync request wait on the run of a process killed with SIGKILL', async () => {
      await stopAll();
      const scope = scopes[2]!;
      const { sim, runId, deadWorker, secretsKey } = await killMidSync(scope, 'request');
      const config = testConfig({ DATABASE_URL: testDb.url, SECRETS_KEY: secretsKey });
      const app = await buildApp({ config, database, logger: false });
      let worker: Awaited<ReturnType<typeof startJobs>> | undefined;
      try {
        const user = await createUser(database);
        const session = await loginAs(app, user.username, user.password);
        expect(
          (await session.request('POST', `/projects/${scope.projectId}/select`)).statusCode,
        ).toBe(200);

        // No worker is running and the heartbeat is seconds old: the request itself sees that
        // the owner is a process of this host that is gone, and hands the run back.
        const asked = await session.request('POST', '/jobs/chatwoot/sync');
        expect(asked.statusCode).toBe(202);
        expect(asked.json()).toMatchObject({
          created: false,
          run: { id: runId, status: 'queued', error: expect.stringContaining('no longer running') },
        });

        // A worker comes up (the lease is the default minute): the run is delivered at once.
        worker = await startJobs({
          config,
          database,
          logger: pino({ level: 'silent' }),
          handlers: defaultJobHandlers(config),
          signals: app.jobs.signals,
          scheduler: false,
        });
        const waited = await session.request(
          'POST',
          '/jobs/chatwoot/sync?wait=true&timeout_seconds=45',
        );
        expect(waited.statusCode, waited.body).toBe(200);
        expect(waited.json().run).toMatchObject({ id: runId, status: 'ok', attempt: 2 });
        expect(waited.json().run.meta.previous_attempts).toEqual([
          expect.objectContaining({ attempt: 1, worker_id: deadWorker }),
        ]);
        const converged = await expectConverged(database, scope, sim);
        expect(converged.storedIds).toEqual(converged.truthIds);
      } finally {
        await worker?.stop();
        await app.close();
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
