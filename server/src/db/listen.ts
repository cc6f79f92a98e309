import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import type { Database } from './database.js';

// After the LISTEN connection drops, try again this often.
const RECONNECT_MS = 1_000;

export interface ChannelListener {
  /** Whether notices are being received right now. */
  readonly connected: boolean;
  close(): Promise<void>;
}

/**
 * One dedicated connection that LISTENs on `channel` and reconnects when it drops. `onUp` runs on
 * every (re)connect and `onDown` on every loss: notices sent while nobody listened are gone for
 * good, so a caller that relies on them must assume it missed some. Server Postgres only: the
 * embedded database's socket server does not deliver notifications (see modules/jobs/signals.ts).
 */
export function listenChannel(options: {
  database: Database;
  channel: string;
  logger: FastifyBaseLogger;
  onNotice(payload: string): void;
  onUp(): void;
  onDown(): void;
}): ChannelListener {
  const { database, channel, logger } = options;
  let client: pg.Client | undefined;
  let up = false;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString: database.connectionString,
      application_name: `cairn-${channel}`,
    });
    next.on('notification', (message) => {
      if (message.channel === channel) options.onNotice(message.payload ?? '');
    });
    const reconnect = () => {
      if (closed || client !== next) return;
      client = undefined;
      if (up) {
        up = false;
        options.onDown();
      }
      next.removeAllListeners('error');
      next.on('error', () => undefined);
      void next.end().catch(() => undefined);
      retry = setTimeout(() => void connect().catch(() => undefined), RECONNECT_MS);
      retry.unref();
    };
    next.on('error', (error) => {
      logger.warn({ err: error }, `LISTEN ${channel}: connection lost; reconnecting`);
      reconnect();
    });
    next.on('end', reconnect);
    client = next;
    try {
      await next.connect();
      await next.query(`listen ${channel}`);
    } catch (error) {
      reconnect();
      throw error;
    }
    if (closed || client !== next) return;
    up = true;
    options.onUp();
  };

  void connect().catch((error: unknown) =>
    logger.warn({ err: error }, `LISTEN ${channel} failed; retrying`),
  );

  return {
    get connected() {
      return up;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      up = false;
      await current?.end().catch(() => undefined);
    },
  };
}
