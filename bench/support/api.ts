// A bare running Cairn API for the benches that call it as a token holder would: a scratch
// database (embedded, or a fresh one on DATABASE_URL's server), migrated, the real app on
// loopback, and an owner who can mint personal tokens. (stack.ts adds a simulated Chatwoot.)
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase, type Database } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrator.js';
import { addUser } from '../../server/src/modules/auth/service.js';
import { createBenchDatabase } from './database.js';

export interface BenchApi {
  app: FastifyInstance;
  database: Database;
  baseUrl: string;
  /** A personal token of the owner for these projects ('all': every project). */
  token(permission: 'read' | 'draft', projectIds: string[] | 'all'): Promise<string>;
  close(): Promise<void>;
}

const OWNER = { username: 'bench-owner', password: 'bench password 123' };

export async function startApi(label: string): Promise<BenchApi> {
  const scratch = await createBenchDatabase(label, process.env.DATABASE_URL);
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: scratch.url,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    WORKER_ENABLED: 'false',
    SECRETS_KEY: '44'.repeat(32),
    // A bench makes far more token requests than a person would; the limit is not what it measures.
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
  await addUser(database, OWNER.username, OWNER.password, { role: 'owner' });
  const login = await app.inject({ method: 'POST', url: '/auth/login', payload: OWNER });
  const cookies = Object.fromEntries(login.cookies.map((c) => [c.name, c.value]));
  const session = {
    cookie: `sid=${cookies.sid}; csrf_token=${cookies.csrf_token}`,
    'x-csrf-token': cookies.csrf_token!,
  };
  return {
    app,
    database,
    baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    async token(permission, projectIds) {
      const res = await app.inject({
        method: 'POST',
        url: '/auth/tokens',
        headers: session,
        payload: { name: `bench-${permission}`, permission, project_ids: projectIds },
      });
      if (res.statusCode !== 201) throw new Error(`token: ${res.statusCode} ${res.body}`);
      return res.json().secret as string;
    },
    async close() {
      await app.close();
      await database.close();
      await scratch.cleanup();
    },
  };
}
