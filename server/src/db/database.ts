import path from 'node:path';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.js';
import type { DB } from './schema.js';

// bigint columns (counts, Chatwoot ids) fit in a JS number for any realistic dataset.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * Who acts inside a scope; row-level security admits a row only if this actor may see its
 * project (migration 0015). A request acts as its signed-in user (the access guard puts it on
 * `request.scope`); the worker path acts as the system (modules/access/system-actor.ts).
 */
export type ScopeActor = { kind: 'user'; userId: string } | { kind: 'system'; reason: string };

export interface Scope {
  projectId: string;
  accountScopeId: string;
  /** Absent: nobody, and row-level security shows no row at all. */
  actor?: ScopeActor;
}

export interface Database {
  pool: pg.Pool;
  /**
   * Owner connection: migrations, identity, cross-project scheduling, and search's full-text
   * candidate ids (which RLS would keep off the index; see search-chunks.ts). Not subject to RLS.
   */
  db: Kysely<DB>;
  connectionString: string;
  embedded: boolean;
  appRole: string;
  /**
   * Runs `fn` in a transaction as the app role with RLS keyed to the scope's project and actor:
   * rows of that project only, and only if the actor may see it.
   */
  withScope<T>(scope: Scope, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openDatabase(
  config: Pick<
    Config,
    'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX' | 'DB_APP_ROLE' | 'EMBEDDED_DB_PORT'
  >,
  options: {
    /** Embedded only: use the database a running process serves instead of refusing (embedded.ts). */
    attachToRunning?: boolean;
  } = {},
): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let connectionString = config.DATABASE_URL;
  if (!connectionString) {
    embedded = await startEmbeddedPostgres({
      dataDir: path.resolve(config.DATA_DIR, 'pgdata'),
      port: config.EMBEDDED_DB_PORT,
      ifInUse: options.attachToRunning ? 'attach' : 'refuse',
    });
    connectionString = embedded.connectionString;
  }
  const pool = new pg.Pool({
    connectionString,
    max: config.DB_POOL_MAX,
    // A dead server must fail a request quickly (→ 503), not hang it. The embedded database runs
    // in this process and is one session: a new connection waits there until another
    // connection's transaction ends (embedded-server.ts), which a sync's batch on a loaded machine
    // can keep busy for more than 5 s; failing then would fail a sync halfway, not a dead server.
    connectionTimeoutMillis: embedded ? 60_000 : 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server (database restart) must not crash the process.
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const appRole = config.DB_APP_ROLE;

  return {
    pool,
    db,
    connectionString,
    embedded: Boolean(embedded),
    appRole,
    withScope: (scope, fn) =>
      db.transaction().execute(async (trx) => {
        await enterScope(trx, scope, appRole);
        return fn(trx);
      }),
    async close() {
      await db.destroy();
      // Kysely ends the pool only if it ever ran a query: `npm run migrate` uses the pool alone,
      // and its idle client held the process open for idleTimeoutMillis (30 s) after the work.
      if (!pool.ended) await pool.end();
      await embedded?.stop();
    },
  };
}

/**
 * Transaction-local on purpose: the embedded database is one shared session. One statement
 * (`set_config('role', …, true)` is SET LOCAL ROLE): every scoped transaction pays this round trip.
 * `app.user_id` is the actor the policies check: a user's id, `system`, or '' (sees nothing).
 */
export async function enterScope(trx: Transaction<DB>, scope: Scope, appRole: string) {
  await sql`
    select set_config('app.project_id', ${scope.projectId}, true),
           set_config('app.user_id', ${actorSetting(scope.actor)}, true),
           set_config('role', ${appRole}, true)
  `.execute(trx);
}

const actorSetting = (actor: ScopeActor | undefined) =>
  actor?.kind === 'user' ? actor.userId : actor?.kind === 'system' ? 'system' : '';
