import pg from 'pg';

// A probe that has not answered in this long means the database hangs: unhealthy. Generous,
// because the embedded database runs one statement at a time and a busy one (a vector index
// build, an ANALYZE) can hold a `select 1` for seconds without anything being wrong.
const HUNG_AFTER_MS = 10_000;
// The very first answer is waited for this long at most.
const FIRST_PROBE_WAIT_MS = 2_000;
// Requests within this long of the last probe reuse its answer.
const PROBE_REUSE_MS = 1_000;

export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
}

export interface DatabaseProbe {
  /** The latest answer; waits (at most FIRST_PROBE_WAIT_MS) only when there has been none yet. */
  check(): Promise<ProbeResult>;
  close(): Promise<void>;
}

/**
 * Database reachability for `/health`, on its own connection and at most one probe at a time,
 * with the answer reused for a second. Why not a `select 1` per request on the app's pool: under
 * load every pool connection is taken by searches, and the health check queued behind them (up to
 * half a second at 50 concurrent searches on the embedded database, docs/benchmarks.md), so a busy
 * server looked sick. The probe's own query may still wait its turn in the database (the embedded
 * one runs one statement at a time), but no request waits for it: it answers from the last probe,
 * and a probe stuck longer than HUNG_AFTER_MS counts as a database that does not answer.
 */
export function createDatabaseProbe(connectionString: string): DatabaseProbe {
  let client: pg.Client | undefined;
  let last: (ProbeResult & { at: number }) | undefined;
  let inFlight: { started: number; done: Promise<void> } | undefined;
  let closed = false;

  const connection = async () => {
    if (client) return client;
    const next = new pg.Client({
      connectionString,
      connectionTimeoutMillis: FIRST_PROBE_WAIT_MS,
      application_name: 'cairn-health',
    });
    // A lost connection is replaced at the next probe; it must not crash the process.
    next.on('error', () => {
      if (client === next) client = undefined;
    });
    await next.connect();
    client = next;
    return next;
  };

  const probe = () => {
    const started = Date.now();
    const done = (async () => {
      try {
        await (await connection()).query('select 1');
        last = { ok: true, latencyMs: Date.now() - started, at: Date.now() };
      } catch {
        const broken = client;
        client = undefined;
        void broken?.end().catch(() => undefined);
        last = { ok: false, latencyMs: Date.now() - started, at: Date.now() };
      } finally {
        inFlight = undefined;
      }
    })();
    inFlight = { started, done };
    return done;
  };

  return {
    async check() {
      if (closed) return { ok: false, latencyMs: 0 };
      const now = Date.now();
      if (!inFlight && (!last || now - last.at > PROBE_REUSE_MS)) void probe();
      if (!last && inFlight) {
        await Promise.race([
          inFlight.done,
          new Promise((resolve) => setTimeout(resolve, FIRST_PROBE_WAIT_MS).unref()),
        ]);
      }
      const hung = inFlight !== undefined && Date.now() - inFlight.started > HUNG_AFTER_MS;
      if (!last || hung) return { ok: false, latencyMs: Date.now() - (inFlight?.started ?? now) };
      return { ok: last.ok, latencyMs: last.latencyMs };
    },
    async close() {
      closed = true;
      await inFlight?.done;
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
