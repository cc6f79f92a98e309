// bench/auth: what authenticating a request costs. The same read over real HTTP on loopback, with
// no credentials, with a session cookie and with a personal API token; the unauthenticated rate
// is the baseline measured in the same run. Two routes: GET /auth/me (the issue's "/auth/me-like
// read", whose answer grows with the caller: roles and permission lists) and GET /health (public,
// answered from memory, the same answer for everyone, while the guard still resolves whatever
// credential comes with it): the second is authentication alone.
//   npx tsx bench/auth/run.ts                                   (embedded database)
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/auth/run.ts
//   BENCH_SECONDS=10 BENCH_CONCURRENCY=8 npx tsx bench/auth/run.ts
// The clients run in a separate process (load.mjs). Rates are wall-clock; the CPU columns (the
// server process's CPU time per request, inverted into a ratio; "best round" the least a round
// took) are what to compare on a machine shared with other work. Prints figures; asserts nothing.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrator.js';
import { addUser } from '../../server/src/modules/auth/service.js';
import { createBenchDatabase } from '../support/database.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUTES = (process.env.BENCH_ROUTES ?? '/auth/me,/health').split(',');
// e.g. BENCH_MODES=session for a CPU profile of one mode alone (ratios are then to the first).
const MODES = process.env.BENCH_MODES?.split(',');

const scratch = await createBenchDatabase('auth', process.env.DATABASE_URL);
const config = loadConfig({
  ...process.env,
  DATABASE_URL: scratch.url,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
  WORKER_ENABLED: 'false',
  SECRETS_KEY: '22'.repeat(32),
  // The bench makes far more token requests than a person would; the limit is not what it measures.
  TOKEN_RATE_LIMIT_PER_MINUTE: '100000000',
});
const database = await openDatabase(config);
await migrate({
  pool: database.pool,
  embeddingDim: config.EMBEDDING_DIM,
  appRole: config.DB_APP_ROLE,
});
const app = await buildApp({ config, database });
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address() as AddressInfo;
function post(path: string, headers: Record<string, string>, payload: unknown) {
  return app.inject({ method: 'POST', url: path, headers, payload: payload as object });
}

// One owner with a project, signed in once, and one personal token of theirs.
await addUser(database, 'bench-owner', 'bench password 123', { role: 'owner' });
const login = await post(
  '/auth/login',
  {},
  { username: 'bench-owner', password: 'bench password 123' },
);
const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
const sessionHeaders = {
  cookie: `sid=${cookies.sid}; csrf_token=${cookies.csrf_token}`,
  'x-csrf-token': cookies.csrf_token!,
};
const project = await post('/projects', sessionHeaders, { name: 'Bench project' });
const projectId = project.json().project.id as string;
await post(`/projects/${projectId}/select`, sessionHeaders, {});
const created = await post('/auth/tokens', sessionHeaders, {
  name: 'bench',
  permission: 'read',
  project_ids: [projectId],
});
const secret = created.json().secret as string;

const modes: { name: string; headers: Record<string, string>; expect: boolean }[] = [
  { name: 'no auth', headers: {}, expect: false },
  { name: 'session', headers: { cookie: sessionHeaders.cookie }, expect: true },
  { name: 'token', headers: { authorization: `Bearer ${secret}` }, expect: true },
];
if (MODES) modes.splice(0, modes.length, ...modes.filter((m) => MODES.includes(m.name)));
for (const mode of modes) {
  const res = await app.inject({ method: 'GET', url: '/auth/me', headers: mode.headers });
  const authenticated = (res.json() as { authenticated: boolean }).authenticated;
  if (res.statusCode !== 200 || authenticated !== mode.expect)
    throw new Error(`${mode.name}: ${res.statusCode} ${res.body}`);
}

const load = fork(fileURLToPath(new URL('./load.mjs', import.meta.url)), [
  String(port),
  String(CONCURRENCY),
]);

/**
 * CONCURRENCY clients in a closed loop for `seconds`, in the load process; this process (the
 * server and the embedded database's thread) counts its own CPU time meanwhile.
 */
async function measure(route: string, headers: Record<string, string>, seconds: number) {
  const cpuBefore = process.cpuUsage();
  const reply = new Promise<{ count: number; p50: number; p99: number; failed: string | null }>(
    (resolve) => load.once('message', resolve as (message: unknown) => void),
  );
  load.send({ path: route, headers, seconds });
  const result = await reply;
  const cpu = process.cpuUsage(cpuBefore);
  if (result.failed) throw new Error(result.failed);
  return {
    rate: result.count / seconds,
    // The server's CPU per request: on a machine shared with other work the rate swings with the
    // load; this much less.
    cpuMicros: (cpu.user + cpu.system) / result.count,
    p50: result.p50,
    p99: result.p99,
  };
}

console.log(
  `bench/auth: GET ${ROUTES.join(' and GET ')} over HTTP on loopback, ${CONCURRENCY} clients, ${ROUNDS} rounds of ${SECONDS} s per mode, ` +
    `${process.env.DATABASE_URL ? 'server Postgres' : 'embedded database (PGlite)'}, LOG_LEVEL=${config.LOG_LEVEL}, ` +
    `AUTH_CACHE_TTL_SECONDS=${config.AUTH_CACHE_TTL_SECONDS}`,
);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const route of ROUTES) {
  for (const mode of modes) await measure(route, mode.headers, 1); // warm-up: JIT, connections, caches
  // Rounds interleave the modes, so drift in the machine's load touches all three alike.
  const totals = new Map(modes.map((m) => [m.name, [] as Awaited<ReturnType<typeof measure>>[]]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of modes)
      totals.get(mode.name)!.push(await measure(route, mode.headers, SECONDS));
  }
  const first = totals.get(modes[0]!.name)!;
  const baseline = median(first.map((r) => r.rate));
  const baselineCpu = median(first.map((r) => r.cpuMicros));
  // The least CPU a round took: what the request costs when nothing else got in its way.
  const best = (runs: { cpuMicros: number }[]) => Math.min(...runs.map((r) => r.cpuMicros));
  const baselineBest = best(first);
  console.log(`GET ${route}`);
  for (const mode of modes) {
    const runs = totals.get(mode.name)!;
    const rate = median(runs.map((r) => r.rate));
    const cpu = median(runs.map((r) => r.cpuMicros));
    console.log(
      `  ${mode.name.padEnd(8)} ${Math.round(rate).toLocaleString('en-US').padStart(7)} req/s` +
        `  p50 ${median(runs.map((r) => r.p50)).toFixed(2)} ms  p99 ${median(runs.map((r) => r.p99)).toFixed(2)} ms` +
        `  ${(rate / baseline).toFixed(2)}x of no auth` +
        `  | CPU ${cpu.toFixed(0)} µs/req  ${(baselineCpu / cpu).toFixed(2)}x` +
        `  | best round ${best(runs).toFixed(0)} µs/req  ${(baselineBest / best(runs)).toFixed(2)}x`,
    );
  }
}

load.disconnect();
await app.close();
await database.close();
await scratch.cleanup();
