import { mkdir } from 'node:fs/promises';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

import type { EmbeddedPostgres } from './embedded.js';

/**
 * The extensions the migrator and the migrations create (src/db/migrator.ts,
 * db/migrations/0010_text_index_by_project.sql): every PGlite that opens our data loads them.
 */
const EMBEDDED_EXTENSIONS = { vector, pgcrypto, btree_gin };

/**
 * Opens a PGlite over our data (a data directory, or a dump to load into memory) the one way
 * every caller needs: with our extensions, and ready to be served to several connections
 * (`listenOnLoopback`).
 */
export async function openPGlite(
  options: Pick<PGliteOptions, 'dataDir' | 'loadDataDir'>,
): Promise<PGlite> {
  const db = await PGlite.create({ ...options, extensions: EMBEDDED_EXTENSIONS });
  keepExtendedQueriesTogether(db);
  return db;
}

/**
 * Runs in the embedded database's own thread (embedded-thread.ts). Starts PGlite (Postgres
 * compiled to WebAssembly) persisted in `dataDir` and serves it on loopback.
 */
export async function servePGlite(options: {
  dataDir: string;
  port?: number;
}): Promise<EmbeddedPostgres> {
  await mkdir(options.dataDir, { recursive: true });
  const db = await openPGlite({ dataDir: options.dataDir });
  const listener = await listenOnLoopback(db, options.port);
  return {
    connectionString: listener.connectionString,
    async stop() {
      await listener.close();
      await db.close();
    },
  };
}

export interface LoopbackListener {
  connectionString: string;
  /** Stops listening and ends every connection; the database stays open. */
  close(): Promise<void>;
}

/**
 * Serves a PGlite opened by `openPGlite` on loopback, so every client (pool, migrator, pg-boss)
 * uses `pg` unchanged. PGlite is a single Postgres session: every socket connection shares it,
 * transactions from different connections run one after another, and session-level SET leaks
 * across connections. Hence the rules the rest of the code keeps: only SET LOCAL, and never a
 * transaction held open across a network call. The tests serve an in-memory copy of a migrated
 * database this way, and keep it open for the worker's next file when they stop listening
 * (server/test/support/database.ts).
 */
export async function listenOnLoopback(db: PGlite, port = 0): Promise<LoopbackListener> {
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port,
    // Above 1 so a pool, pg-boss and the migrator can each hold a connection.
    maxConnections: 100,
  });
  await server.start();
  const [host, serverPort] = server.getServerConn().split(':');
  return {
    connectionString: `postgres://postgres@${host}:${serverPort}/postgres`,
    close: () => server.stop(),
  };
}

const EXTENDED_QUERY_MESSAGES = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]); // P B D E C H

/**
 * pglite-socket queues each protocol message on its own, so another connection's messages can run
 * between one client's Parse, Bind and Execute and replace its unnamed statement or portal
 * ("portal \"\" does not exist", or a Bind to someone else's statement). Its queue already serves
 * only the current connection while a transaction is open; reporting an unfinished extended query
 * (up to its Sync) as "in transaction" extends that to every query.
 */
function keepExtendedQueriesTogether(db: PGlite) {
  let extendedQueryOpen = false;
  const exec = db.execProtocolRawStream.bind(db);
  db.execProtocolRawStream = (message, options) => {
    extendedQueryOpen = EXTENDED_QUERY_MESSAGES.has(message[0]!);
    return exec(message, options);
  };
  const inTransaction = db.isInTransaction.bind(db);
  db.isInTransaction = () => inTransaction() || extendedQueryOpen;
}
