import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** A postgres:// URL on loopback, so every client (pool, migrator, pg-boss) uses `pg` unchanged. */
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite (Postgres compiled to WebAssembly) persisted in `dataDir` and serves it on
 * loopback. PGlite is a single Postgres session: every socket connection shares it, transactions
 * from different connections run one after another, and session-level SET leaks across
 * connections. Hence the rules the rest of the code keeps: only SET LOCAL, and never a transaction
 * held open across a network call.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
}): Promise<EmbeddedPostgres> {
  await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: options.dataDir, extensions: { vector, pgcrypto } });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? 0,
    // Above 1 so a pool, pg-boss and the migrator can each hold a connection.
    maxConnections: 100,
  });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  return {
    connectionString: `postgres://postgres@${host}:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
