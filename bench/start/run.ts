/**
 * The first start, as a new user has it: `npm start` (scripts/start.mjs) with no configuration,
 * a fresh data directory, timed from launch to
 *   - healthy: `GET /health` answers 200 (database open and migrated),
 *   - first search hit: `POST /search` on the demo project returns a hit,
 *   - ready: /health reports phase `ready` (demo synced and indexed),
 *   - UI: the web port serves the UI itself (not the start page shown while it builds);
 * then a warm restart on the same data directory (to healthy, to a search hit). When the web UI
 * has not been built yet (a fresh clone), its build is part of the cold start, as for a user.
 * Also prints every /health phase change, so a "starting" state in place of an error shows.
 *
 *   npx tsx bench/start/run.ts          (run it in a fresh clone after `npm ci` for the real first start)
 *
 * Target: first search hit within 40 s. Talks only to 127.0.0.1; stops everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loginOverHttp, type HttpSession } from '../support/stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const apiPort = 19000 + Math.floor(Math.random() * 500);
const webPort = apiPort + 500;
const api = `http://127.0.0.1:${apiPort}`;
const web = `http://127.0.0.1:${webPort}`;
const GIVE_UP_MS = 10 * 60 * 1000;
const credentials = { username: 'bench', password: 'bench-password-1' };

interface Timeline {
  healthy?: number;
  search?: number;
  ready?: number;
  ui?: number;
  phases: string[];
}

const seconds = (ms: number | undefined) =>
  ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`;

function launch(dataDir: string): ChildProcess {
  return spawn(process.execPath, [path.join(root, 'scripts/start.mjs')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(apiPort),
      WEB_PORT: String(webPort),
      DATA_DIR: dataDir,
      AUTH_USERNAME: credentials.username,
      AUTH_PASSWORD: credentials.password,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('exit', resolve));
}

async function measure(child: ChildProcess, options: { ui: boolean }): Promise<Timeline> {
  const started = performance.now();
  const since = () => performance.now() - started;
  const timeline: Timeline = { phases: [] };
  let session: HttpSession | undefined;
  let lastPhase = '';
  while (since() < GIVE_UP_MS) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode})`);
    try {
      const res = await fetch(`${api}/health`, { signal: AbortSignal.timeout(2_000) });
      const body = (await res.json()) as { phase?: string; details?: { phase?: string } };
      const phase = body.phase ?? body.details?.phase ?? `${res.status}`;
      if (phase !== lastPhase) {
        timeline.phases.push(`${seconds(since())} ${phase}`);
        lastPhase = phase;
      }
      if (res.ok) timeline.healthy ??= since();
      if (phase === 'ready') timeline.ready ??= since();
    } catch {
      // not listening yet
    }
    if (timeline.healthy !== undefined && timeline.search === undefined) {
      try {
        if (!session) {
          session = await loginOverHttp(api, credentials.username, credentials.password);
          const { projects } = (await (await session.request('GET', '/projects')).json()) as {
            projects: { id: string; name: string }[];
          };
          const demo = projects.find((p) => p.name === 'Demo studio');
          if (!demo) throw new Error('no demo project yet');
          await session.request('POST', `/projects/${demo.id}/select`);
        }
        const res = await session.request('POST', '/search', { query: 'invoice', topK: 1 });
        const body = (await res.json()) as { hits?: unknown[] };
        if (res.ok && (body.hits?.length ?? 0) > 0) timeline.search = since();
      } catch {
        session = undefined;
      }
    }
    if (options.ui && timeline.ui === undefined) {
      try {
        const res = await fetch(`${web}/login`, {
          redirect: 'manual',
          signal: AbortSignal.timeout(2_000),
        });
        // The start page answers 503; the UI itself answers its page.
        if (res.status < 500) timeline.ui = since();
      } catch {
        // not serving yet
      }
    }
    if (
      timeline.search !== undefined &&
      timeline.ready !== undefined &&
      (!options.ui || timeline.ui !== undefined)
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return timeline;
}

async function main() {
  const webBuilt = existsSync(path.join(root, 'web/.next/BUILD_ID'));
  console.log(
    `first start of ${root} (web UI ${webBuilt ? 'already built' : 'not built yet: its build is included'}; ` +
      `load average ${os
        .loadavg()
        .map((n) => n.toFixed(1))
        .join(' ')})`,
  );
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cairn-bench-start-'));
  try {
    const cold = launch(dataDir);
    let first: Timeline;
    try {
      first = await measure(cold, { ui: true });
    } finally {
      await stop(cold);
    }
    console.log(
      `cold start: healthy ${seconds(first.healthy)}, first search hit ${seconds(first.search)}, ` +
        `demo ready ${seconds(first.ready)}, UI ${seconds(first.ui)} | target first search hit <= 40 s: ` +
        `${(first.search ?? Infinity) <= 40_000 ? 'meets' : 'MISSES'}`,
    );
    console.log(`  /health phases: ${first.phases.join(', ')}`);

    const warm = launch(dataDir);
    let second: Timeline;
    try {
      second = await measure(warm, { ui: true });
    } finally {
      await stop(warm);
    }
    console.log(
      `warm restart: healthy ${seconds(second.healthy)}, first search hit ${seconds(second.search)}, ` +
        `ready ${seconds(second.ready)}, UI ${seconds(second.ui)}`,
    );
    console.log(`  /health phases: ${second.phases.join(', ')}`);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
