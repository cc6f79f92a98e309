import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { JOB_TYPES, type JobType } from './types.js';

/**
 * What one process tells workers and waiters: a job was put on a queue, or a run finished.
 * Signals only wake; the tables stay the truth, so a lost signal costs a poll interval, never work.
 */
export type JobSignal =
  { kind: 'enqueued'; jobType: JobType } | { kind: 'finished'; runId: string };

export const SIGNAL_CHANNEL = 'cairn_jobs';

// After the LISTEN connection drops, try again this often; meanwhile pg-boss polling carries on.
const RECONNECT_MS = 1_000;

export interface JobSignals {
  /** Tags this process's NOTIFY payloads, so it does not wake itself twice. */
  readonly origin: string;
  /**
   * Inside the transaction that enqueued or finished: on server Postgres a NOTIFY, which Postgres
   * delivers at commit and drops with a rollback, so no process is woken for work it cannot see.
   * A no-op on the embedded database: it serves one process, and `emit` after commit covers it.
   */
  notifyInTransaction(trx: Kysely<DB>, signal: JobSignal): Promise<void>;
  /** Delivers to this process's listeners. Call after the transaction has committed. */
  emit(signal: JobSignal): void;
  on(listener: (signal: JobSignal) => void): () => void;
  /**
   * Starts receiving other processes' signals (server Postgres: one dedicated LISTEN connection).
   * Idempotent. Until it is up, and while it reconnects, pollers are the fallback; on every
   * (re)connect each job type gets a synthetic `enqueued`, since notices sent while nobody
   * listened are gone for good.
   */
  listen(): Promise<void>;
  close(): Promise<void>;
}

/**
 * One process's signal hub, held by the app (`app.jobs`) or a worker runtime; never module state.
 * Why a NOTIFY and an in-process emit both: the embedded database's socket server does not deliver
 * notifications to its clients, and even on server Postgres the emitting process need not wait
 * for its own notice to travel through the server.
 */
export function createJobSignals(database: Database, logger: FastifyBaseLogger): JobSignals {
  const origin = randomBytes(6).toString('hex');
  const emitter = new EventEmitter();
  // Every waiting request adds a listener; hundreds at once are normal, not a leak.
  emitter.setMaxListeners(0);
  const emit = (signal: JobSignal) => emitter.emit('signal', signal);

  let client: pg.Client | undefined;
  let listening: Promise<void> | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: database.connectionString,
      application_name: 'cairn-signals',
    });
    next.on('notification', (message) => {
      const signal = parse(message.payload, origin);
      if (signal) emit(signal);
    });
    const reconnect = () => {
      if (closed || client !== next) return;
      client = undefined;
      next.removeAllListeners('error');
      next.on('error', () => undefined);
      void next.end().catch(() => undefined);
      retry = setTimeout(() => void connect().catch(() => undefined), RECONNECT_MS);
      retry.unref();
    };
    next.on('error', (error) => {
      logger.warn({ err: error }, 'job signal connection lost; polling until it is back');
      reconnect();
    });
    next.on('end', reconnect);
    client = next;
    try {
      await next.connect();
      await next.query(`listen ${SIGNAL_CHANNEL}`);
    } catch (error) {
      reconnect();
      throw error;
    }
    // Anything enqueued while nobody listened would otherwise wait for a poll.
    for (const jobType of JOB_TYPES) emit({ kind: 'enqueued', jobType });
  };

  return {
    origin,
    async notifyInTransaction(trx, signal) {
      if (database.embedded) return;
      await sql`select pg_notify(${SIGNAL_CHANNEL}, ${JSON.stringify({ origin, ...signal })})`.execute(
        trx,
      );
    },
    emit,
    on(listener) {
      emitter.on('signal', listener);
      return () => emitter.off('signal', listener);
    },
    listen() {
      if (database.embedded || closed) return Promise.resolve();
      // A failed first connect keeps retrying in the background; callers go on polling.
      listening ??= connect().catch((error: unknown) =>
        logger.warn({ err: error }, 'job signals: LISTEN failed; polling until it works'),
      );
      return listening;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      emitter.removeAllListeners();
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}

function parse(payload: string | undefined, self: string): JobSignal | undefined {
  try {
    const value = JSON.parse(payload ?? '') as { origin?: string } & Partial<{
      kind: string;
      jobType: string;
      runId: string;
    }>;
    // Our own notice: emitted in-process already, right after the commit.
    if (value.origin === self) return undefined;
    if (value.kind === 'enqueued' && JOB_TYPES.includes(value.jobType as JobType))
      return { kind: 'enqueued', jobType: value.jobType as JobType };
    if (value.kind === 'finished' && typeof value.runId === 'string')
      return { kind: 'finished', runId: value.runId };
  } catch {
    // Someone else's NOTIFY on our channel: not ours to act on.
  }
  return undefined;
}
