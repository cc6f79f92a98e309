// A running Cairn API for the benches that measure what a person or a client sees over HTTP: a
// scratch database (embedded, or a fresh one on BENCH_DATABASE_URL's server), migrated, the real
// app listening on loopback, an admin session, and a simulated Chatwoot bound to a project.
import { startChatwootSim, type ExplicitSize, type Sim, type SizeName } from '@cairn/chatwoot-sim';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.js';
import { loadConfig, type Config } from '../../server/src/config.js';
import { openDatabase, type Database } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrator.js';
import { addUser } from '../../server/src/modules/auth/service.js';
import { createBenchDatabase, type BenchDatabase } from './database.js';

export const SECRETS_KEY = '5e'.repeat(32);
export const WEBHOOK_SECRET = 'whsec-bench-3f9Kd2Lq8Zp1';

export interface HttpSession {
  request(method: string, path: string, body?: unknown): Promise<Response>;
}

export interface Stack {
  config: Config;
  database: Database;
  app: FastifyInstance;
  baseUrl: string;
  session: HttpSession;
  sim: Sim;
  sourceId: string;
  close(): Promise<void>;
}

/** Logs in over HTTP and keeps the cookies and CSRF token, as the web UI does. */
export async function loginOverHttp(
  baseUrl: string,
  username: string,
  password: string,
): Promise<HttpSession> {
  const res = await fetch(`${baseUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookies = Object.fromEntries(
    res.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=') as [string, string]),
  );
  const headers = {
    cookie: `sid=${cookies.sid}; csrf_token=${cookies.csrf_token}`,
    'x-csrf-token': cookies.csrf_token!,
  };
  return {
    request: (method, path, body) =>
      fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}

export async function startStack(options: {
  label: string;
  serverUrl?: string;
  env?: Record<string, string>;
  simSize?: SizeName | ExplicitSize;
}): Promise<Stack> {
  const scratch: BenchDatabase = await createBenchDatabase(options.label, options.serverUrl);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: scratch.url,
    SECRETS_KEY,
    WORKER_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    SOURCE_HOST_ALLOWLIST: '127.0.0.1,localhost',
    ...options.env,
  });
  const database = await openDatabase(config);
  await migrate({
    pool: database.pool,
    embeddingDim: config.EMBEDDING_DIM,
    appRole: config.DB_APP_ROLE,
  });
  const app = await buildApp({ config, database, logger: { level: 'warn' } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // An owner: creating projects is a workspace permission (server/src/modules/access/permissions.ts).
  await addUser(database, 'bench', 'bench-password-1', { role: 'owner' });
  const session = await loginOverHttp(baseUrl, 'bench', 'bench-password-1');
  const createdProject = await session.request('POST', '/projects', { name: 'Bench' });
  if (createdProject.status !== 201)
    throw new Error(`project failed: ${createdProject.status} ${await createdProject.text()}`);
  const project = await createdProject.json();
  await session.request('POST', `/projects/${project.project.id}/select`);
  const sim = await startChatwootSim({
    seed: `bench-${options.label}`,
    size: options.simSize ?? 'small',
  });
  const bound = await session.request('POST', '/sources', {
    source_kind: 'chatwoot_account',
    base_url: sim.url,
    account_id: sim.accountId,
    api_token: sim.token,
    webhook_secret: WEBHOOK_SECRET,
  });
  if (bound.status !== 201) throw new Error(`bind failed: ${bound.status} ${await bound.text()}`);
  const sourceId = ((await bound.json()) as { source: { id: string } }).source.id;
  return {
    config,
    database,
    app,
    baseUrl,
    session,
    sim,
    sourceId,
    async close() {
      await app.close();
      await sim.stop();
      await database.close();
      await scratch.cleanup();
    },
  };
}

export const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

export const ms = (value: number) => `${Math.round(value)} ms`;
