// Jobs per second through the queue (pg-boss on server Postgres) with 1 and 2 worker processes.
// Usage: npx tsx bench/jobs/run.ts   (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
// BENCH_PROJECTS, default 300, three job types each; BENCH_CONCURRENCY, WORKER_CONCURRENCY per
// process and job type, default 2).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrator.js';
import { openQueue } from '../../server/src/modules/jobs/queue.js';
import { createDefaultSchedules, tick } from '../../server/src/modules/jobs/scheduler.js';
import { createJobSignals } from '../../server/src/modules/jobs/signals.js';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 300);
const CONCURRENCY = process.env.BENCH_CONCURRENCY ?? '2';
const WORKER_SCRIPT = fileURLToPath(new URL('./worker.ts', import.meta.url));

async function withScratchDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `cairn_bench_jobs_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

function startWorker(url: string, id: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT], {
    env: { ...process.env, DATABASE_URL: url, WORKER_ID: id, WORKER_CONCURRENCY: CONCURRENCY },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker ${id} exited (${code})`)));
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function measure(workers: number) {
  return withScratchDatabase(async (url) => {
    const config = loadConfig({ DATABASE_URL: url, DB_POOL_MAX: '4' });
    const database = await openDatabase(config);
    await migrate({
      pool: database.pool,
      embeddingDim: config.EMBEDDING_DIM,
      appRole: config.DB_APP_ROLE,
    });
    await database.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ id: string }>`
        insert into account_scopes (scope_key, name) values ('bench', 'Bench') returning id`.execute(
        trx,
      );
      const scopeId = rows[0]!.id;
      const { rows: projects } = await sql<{ id: string }>`
        insert into projects (account_scope_id, name)
        select ${scopeId}::uuid, 'bench ' || n from generate_series(1, ${PROJECTS}) n returning id
      `.execute(trx);
      for (const p of projects) {
        await createDefaultSchedules(trx, { projectId: p.id, accountScopeId: scopeId }, config);
      }
    });
    const children = await Promise.all(
      Array.from({ length: workers }, (_, i) => startWorker(url, `bench-${i + 1}`)),
    );
    const logger = pino({ level: 'silent' });
    const signals = createJobSignals(database, logger);
    const queue = await openQueue(database, logger, signals, { supervise: false });
    const total = PROJECTS * 3;

    const started = performance.now();
    const records = await tick({
      database,
      queue,
      workerId: 'bench',
      limit: total,
      trigger: 'manual',
    });
    const enqueueSeconds = (performance.now() - started) / 1000;
    const enqueued = records.reduce((n, r) => n + r.enqueued.length, 0);
    for (;;) {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from job_runs where status = 'ok'`.execute(database.db);
      if (rows[0]!.n >= total) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const drainSeconds = (performance.now() - started) / 1000;
    const { rows: latencies } = await sql<{ ms: number }>`
      select extract(epoch from finished_at - created_at) * 1000 as ms from job_runs order by 1
    `.execute(database.db);
    const sorted = latencies.map((r) => Number(r.ms));

    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
    await queue.stop({ graceful: false });
    await signals.close();
    await database.close();
    return {
      workers,
      jobs: enqueued,
      enqueue_per_s: Math.round(enqueued / enqueueSeconds),
      jobs_per_s: Math.round(total / drainSeconds),
      drain_s: Number(drainSeconds.toFixed(2)),
      latency_p50_ms: Math.round(percentile(sorted, 50)),
      latency_p95_ms: Math.round(percentile(sorted, 95)),
    };
  });
}

console.log(
  `bench/jobs: ${PROJECTS * 3} no-op jobs (${PROJECTS} projects x 3 job types) through pg-boss on ` +
    `${new URL(BASE_URL).host}, WORKER_CONCURRENCY=${CONCURRENCY} per process and job type`,
);
const results = [];
for (const workers of [1, 2]) results.push(await measure(workers));
console.table(results);
