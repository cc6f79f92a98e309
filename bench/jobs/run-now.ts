/**
 * Run-now latency: the wall time of `POST /jobs/chatwoot/sync?wait=true` for a no-change re-sync
 * against the run's own duration (finished_at - started_at), 20 runs each, p50/p95. Target: wall
 * at most run + 150 ms at p95.
 *
 *   npx tsx bench/jobs/run-now.ts                      # embedded: worker in the API process
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/jobs/run-now.ts
 *                                                      # server Postgres: in-process and a separate worker process
 *
 * Baseline in the same run: the worker with the wake-ups cut (a signal hub that neither sends nor
 * hears), so it finds work by pg-boss's 2 s poll, and the waiting request sees the end by its 1 s
 * fallback poll: the behaviour before signals (then a 250 ms poll). BENCH_RUNS (default 20).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { defaultJobHandlers } from '../../server/src/modules/jobs/handlers.js';
import { startJobs, type JobsRuntime } from '../../server/src/modules/jobs/runtime.js';
import type { JobSignals } from '../../server/src/modules/jobs/signals.js';
import { ms, percentile, SECRETS_KEY, startStack, type Stack } from '../support/stack.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const serverUrl = process.env.BENCH_DATABASE_URL;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Sample {
  wall: number;
  run: number;
}

async function measure(stack: Stack, label: string): Promise<void> {
  const samples: Sample[] = [];
  // One unmeasured run: connections, prepared plans and the first poll cycle settle.
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const res = await stack.session.request('POST', '/jobs/chatwoot/sync?wait=true');
    const wall = performance.now() - started;
    const body = (await res.json()) as {
      run: {
        status: string;
        started_at: string;
        finished_at: string;
        counts: Record<string, number>;
      };
    };
    if (res.status !== 200 || body.run.status !== 'ok')
      throw new Error(`${label}: run did not finish ok: ${res.status} ${JSON.stringify(body)}`);
    if (i === 0) continue;
    const run = Date.parse(body.run.finished_at) - Date.parse(body.run.started_at);
    samples.push({ wall, run });
  }
  const walls = samples.map((s) => s.wall);
  const runs = samples.map((s) => s.run);
  const over = samples.map((s) => s.wall - s.run);
  const verdict = percentile(walls, 95) <= percentile(runs, 95) + 150 ? 'meets' : 'MISSES';
  console.log(
    `${label.padEnd(44)} wall p50 ${ms(percentile(walls, 50))} p95 ${ms(percentile(walls, 95))} | ` +
      `run p50 ${ms(percentile(runs, 50))} p95 ${ms(percentile(runs, 95))} | ` +
      `wall-run p50 ${ms(percentile(over, 50))} p95 ${ms(percentile(over, 95))} | ` +
      `target wall p95 <= run p95 + 150 ms: ${verdict}`,
  );
}

const silent = pino({ level: 'silent' });

/** A hub that neither sends nor hears anything: the worker finds work only by polling. */
const deaf: JobSignals = {
  origin: 'deaf',
  notifyInTransaction: async () => undefined,
  emit: () => undefined,
  on: () => () => undefined,
  listen: async () => undefined,
  close: async () => undefined,
};

async function inProcess(stack: Stack, wake: boolean): Promise<JobsRuntime> {
  return startJobs({
    config: stack.config,
    database: stack.database,
    logger: silent,
    handlers: defaultJobHandlers(stack.config),
    // main.ts hands the app's hub to the worker; the deaf one cuts every wake-up both ways.
    signals: wake ? stack.app.jobs.signals : deaf,
    scheduler: false,
  });
}

function workerProcess(stack: Stack): Promise<ChildProcess> {
  spawnSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], { stdio: 'inherit' });
  const child = spawn(
    process.execPath,
    ['--conditions=cairn-dist', path.join(root, 'server/dist/main.js'), 'worker'],
    {
      cwd: path.join(root, 'server'),
      env: {
        ...process.env,
        DATABASE_URL: stack.config.DATABASE_URL,
        SECRETS_KEY,
        EMBEDDING_DIM: String(stack.config.EMBEDDING_DIM),
        MIGRATE_ON_START: 'false',
        WORKER_INTERVAL_SECONDS: '3600',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('job worker started')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker process exited (${code})`)));
  });
}

async function main() {
  const home = serverUrl ? 'server Postgres' : 'embedded';
  console.log(
    `run-now latency, ${home}, ${RUNS} no-change re-syncs each ` +
      `(load average ${os
        .loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')})`,
  );
  const stack = await startStack({ label: 'runnow', serverUrl, simSize: 'small' });
  try {
    // The first sync fills the project; every measured run after it changes nothing.
    const first = await inProcess(stack, true);
    const res = await stack.session.request('POST', '/jobs/chatwoot/sync?wait=true');
    if (res.status !== 200) throw new Error(`first sync: ${res.status} ${await res.text()}`);
    await measure(stack, `worker in the API process, ${home}`);
    await first.stop();

    const polling = await inProcess(stack, false);
    await measure(stack, `  baseline: same, wake-ups cut (poll only)`);
    await polling.stop();

    if (serverUrl) {
      const child = await workerProcess(stack);
      try {
        await measure(stack, `worker in a separate process, ${home}`);
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
  } finally {
    await stack.close();
  }
}

await main();
