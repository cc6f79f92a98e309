import type { JobEventData, JobEventName } from '@cairn/contract';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Database, Scope } from '../../db/database.js';
import { inScope } from '../../db/scoped-sql.js';
import { startEventStream } from '../../http/event-stream.js';
import { type JobRunRow } from './sql.js';
import { toRunDto } from './runs.js';

/**
 * Live run events for one project over Server-Sent Events.
 *
 * Source of truth is the job_runs table, polled once a second for the project's rows changed
 * since the last look. Polling rather than an in-process bus or LISTEN/NOTIFY because runs execute
 * in any worker process, and the embedded database (PGlite behind pglite-socket) does not deliver
 * notifications to socket clients; one indexed query a second per open stream works the same on
 * both database homes. The look-back overlaps by a few seconds, since `updated_at` is a
 * transaction's start time and a slow transaction can commit a row stamped in the past; rows
 * already sent in the same version are skipped.
 *
 * Events: `status` when a run is first seen or its status changed, `progress` otherwise; data is
 * the run as `GET /jobs/runs/:id` returns it. A comment line every 15 s keeps proxies from closing
 * an idle stream; the comment `: listening` says the stream reports every change from then on.
 */
export const EVENTS_POLL_MS = 1_000;
const HEARTBEAT_MS = 15_000;
const OVERLAP_SECONDS = 5;
const MAX_ROWS_PER_POLL = 200;

export interface EventStreams {
  open(request: FastifyRequest, reply: FastifyReply, scope: Scope): void;
  /** Ends every open stream: called before the server closes, or close would wait on them. */
  closeAll(): void;
}

export function createEventStreams(database: Database, pollMs = EVENTS_POLL_MS): EventStreams {
  const open = new Set<() => void>();

  return {
    open(request, reply, scope) {
      const res = startEventStream(request, reply);
      res.write('retry: 3000\n: connected\n\n');

      let closed = false;
      let since: Date | undefined;
      const sent = new Map<string, { version: string; status: string }>();
      let pollTimer: NodeJS.Timeout | undefined;

      const close = () => {
        if (closed) return;
        closed = true;
        clearTimeout(pollTimer);
        clearInterval(heartbeat);
        open.delete(close);
        res.end();
      };
      open.add(close);
      res.on('close', close);
      res.on('error', close);

      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS);

      const poll = async () => {
        try {
          const first = since === undefined;
          const { rows, now } = await changedRuns(database, scope, since);
          if (closed) return;
          since = now;
          // From here on every change is reported: a client may act (start a run) and not miss it.
          if (first) res.write(': listening\n\n');
          for (const row of rows) {
            const version = `${row.updated_at.toISOString()}|${row.status}|${row.processed}|${row.attempt}`;
            const previous = sent.get(row.id);
            if (previous?.version === version) continue;
            const event: JobEventName = previous?.status === row.status ? 'progress' : 'status';
            const data: JobEventData = toRunDto(row);
            sent.set(row.id, { version, status: row.status });
            res.write(`event: ${event}\nid: ${row.id}\ndata: ${JSON.stringify(data)}\n\n`);
          }
          // Bound the memory of a stream left open for days: forget the oldest half.
          if (sent.size > 2_000) {
            for (const key of [...sent.keys()].slice(0, 1_000)) sent.delete(key);
          }
        } catch (error) {
          request.log.warn({ err: error }, 'job event poll failed; retrying');
        }
        if (!closed) pollTimer = setTimeout(() => void poll(), pollMs);
      };
      void poll();
    },
    closeAll() {
      for (const close of [...open]) close();
    },
  };
}

async function changedRuns(
  database: Database,
  scope: Scope,
  since: Date | undefined,
): Promise<{ rows: JobRunRow[]; now: Date }> {
  return database.withScope(scope, async (trx) => {
    const {
      rows: [clock],
    } = await sql<{ now: Date }>`select now() as now`.execute(trx);
    // The first poll only learns the clock: a new stream reports changes from its start on.
    if (!since) return { rows: [], now: clock!.now };
    const { rows } = await sql<JobRunRow>`
      select * from job_runs
      where ${inScope(scope)}
        and updated_at > ${since}::timestamptz - make_interval(secs => ${OVERLAP_SECONDS})
      order by updated_at, id
      limit ${MAX_ROWS_PER_POLL}
    `.execute(trx);
    return { rows, now: clock!.now };
  });
}
