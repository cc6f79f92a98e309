/**
 * Search under concurrent load, against the real server process started as `npm start` starts it
 * (compiled, demo data: about 5,000 messages), over HTTP on loopback. A concurrency sweep of 1, 8
 * and 50 clients each looping `POST /search`, printing throughput and latency p50/p99; meanwhile
 * `GET /health` every 50 ms (p50/p99/max: it must not queue behind searches, target p99 < 50 ms
 * at 50 clients) and the server's RSS every 2 s (it must plateau).
 *
 *   npx tsx bench/search/load.ts                  # embedded database
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/search/load.ts
 *
 * BENCH_SECONDS (default 20: the 50-client step; the 1- and 8-client steps take half), BENCH_CLIENTS
 * (default "1,8,50"). Stops by itself; every request goes to 127.0.0.1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBenchDatabase } from '../support/database.js';
import { loginOverHttp, ms, percentile } from '../support/stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,8,50').split(',').map(Number);
const serverUrl = process.env.BENCH_DATABASE_URL;
const PORT = 18000 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${PORT}`;

const QUERIES = [
  'invoice paid receipt attached',
  'logo revisions',
  'when is the deadline for the packaging',
  'can you send the final files',
  'menu design for the restaurant',
  'business cards print proof',
  'website mockups feedback',
  'contract and advance payment',
  'change the colour palette',
  'photos for the catalogue',
  'счёт оплата',
  'макет логотипа правки',
];

function rss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function waitReady(child: { exitCode: number | null }) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode})`);
    try {
      const res = await fetch(`${base}/health`);
      const body = (await res.json()) as { phase?: string };
      if (res.ok && body.phase === 'ready') return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main() {
  spawnSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], { stdio: 'inherit' });
  const home = serverUrl ? 'server Postgres' : 'embedded';
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-load-'));
  const scratch = serverUrl ? await createBenchDatabase('load', serverUrl) : undefined;
  const server = spawn(
    process.execPath,
    ['--conditions=cairn-dist', path.join(root, 'server/dist/main.js'), 'serve'],
    {
      cwd: path.join(root, 'server'),
      env: {
        ...process.env,
        PORT: String(PORT),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        DEMO: 'true',
        AUTH_USERNAME: 'bench',
        AUTH_PASSWORD: 'bench-password-1',
        LOG_LEVEL: 'warn',
        ...(scratch ? { DATABASE_URL: scratch.url, SECRETS_KEY: '5e'.repeat(32) } : {}),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    await waitReady(server);
    const session = await loginOverHttp(base, 'bench', 'bench-password-1');
    const projects = (await (await session.request('GET', '/projects')).json()) as {
      projects: { id: string; name: string }[];
    };
    const demo = projects.projects.find((p) => p.name === 'Demo studio')!;
    await session.request('POST', `/projects/${demo.id}/select`);
    console.log(
      `search load, ${home}, demo data, server pid ${server.pid} ` +
        `(load average ${os
          .loadavg()
          .map((n) => n.toFixed(1))
          .join(' ')}), RSS at ready ${Math.round(rss(server.pid!))} MB`,
    );

    for (const clients of CLIENTS) {
      const seconds = clients >= 50 ? SECONDS : Math.max(5, SECONDS / 2);
      const deadline = performance.now() + seconds * 1000;
      const latencies: number[] = [];
      let errors = 0;
      const worker = async (n: number) => {
        for (let i = n; performance.now() < deadline; i += clients) {
          const started = performance.now();
          const res = await session.request('POST', '/search', {
            query: QUERIES[i % QUERIES.length],
            topK: 10,
          });
          await res.arrayBuffer();
          if (res.ok) latencies.push(performance.now() - started);
          else errors++;
        }
      };
      const health: number[] = [];
      let healthErrors = 0;
      const prober = (async () => {
        while (performance.now() < deadline) {
          const started = performance.now();
          const res = await fetch(`${base}/health`);
          await res.arrayBuffer();
          if (res.ok) health.push(performance.now() - started);
          else healthErrors++;
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const memory: string[] = [];
      const sampler = setInterval(() => memory.push(String(Math.round(rss(server.pid!)))), 2_000);
      const started = performance.now();
      await Promise.all([...Array.from({ length: clients }, (_, n) => worker(n)), prober]);
      clearInterval(sampler);
      const elapsed = (performance.now() - started) / 1000;
      console.log(
        `${String(clients).padStart(2)} clients ${seconds} s: ${(latencies.length / elapsed).toFixed(1)} searches/s, ` +
          `p50 ${ms(percentile(latencies, 50))} p99 ${ms(percentile(latencies, 99))}, errors ${errors} | ` +
          `/health p50 ${ms(percentile(health, 50))} p99 ${ms(percentile(health, 99))} ` +
          `max ${ms(Math.max(...health))} (${health.length} probes, ${healthErrors} errors)` +
          (clients >= 50
            ? ` target p99 < 50 ms: ${percentile(health, 99) < 50 ? 'meets' : 'MISSES'}`
            : ''),
      );
      console.log(`   server RSS MB every 2 s: ${memory.join(' ')}`);
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    await scratch?.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
