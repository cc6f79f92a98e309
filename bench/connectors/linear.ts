/**
 * Linear connector benchmark (not a test: it prints figures, asserts nothing).
 *
 *   npx tsx bench/connectors/linear.ts                                              # embedded PGlite
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/connectors/linear.ts
 *
 * BENCH_LINEAR_SIZE (default `bench`: 20,000 issues and 60,000 comments;
 * tools/linear-sim/src/sizes.ts) picks the simulator's workspace. Against it over real HTTP,
 * through @linear/sdk and the guarded agent, it measures a first sync, a re-sync with no change
 * (must write nothing) and the periodic id listing that finds hard deletes, each with the
 * requests sent and the complexity points Linear's headers reported (docs/connectors-linear.md).
 *
 * The simulator's buckets are raised for the run: at Linear's documented 5,000 requests and
 * 250,000 points an hour a first sync of this size is throttled by the budget, not by us, and
 * the run would mostly be waiting. The per-query cap (10,000 points) stays as documented. The
 * figures are set against the documented hourly budgets instead (API-NOTES §4 in
 * shared/reference/linear, mirrored by tools/linear-sim/src/rate-limit.ts).
 */
import { DEFAULT_RATE_LIMITS, startLinearSim, type LinearSizeName } from '@cairn/linear-sim';
import pg from 'pg';
import { openDatabase } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrator.js';
import {
  SYNC_ORDER,
  syncLinear,
  type LinearSyncCounts,
} from '../../server/src/modules/connectors/linear/sync-linear.js';
import {
  createBenchDatabase,
  createBenchProject,
  loopbackBenchConfig,
} from '../support/database.js';

const SIZE = (process.env.BENCH_LINEAR_SIZE ?? 'bench') as LinearSizeName;
const config = loopbackBenchConfig();
const log = (...parts: unknown[]) => console.log(...parts);
const BUDGET = DEFAULT_RATE_LIMITS;

function summary(counts: LinearSyncCounts): string {
  const kinds = SYNC_ORDER.map((k) => {
    const c = counts.kinds[k];
    return `${k} ${c.read} read (${c.inserted} new, ${c.updated} changed, ${c.deleted} deleted)`;
  });
  const requestsShare = (100 * counts.requests) / BUDGET.requestsPerHour;
  const pointsShare = (100 * counts.complexity) / BUDGET.complexityPerHour;
  return (
    `${kinds.join(', ')}; ids listed: ${counts.ids_listed}; ${counts.requests} requests ` +
    `(${requestsShare.toFixed(1)}% of ${BUDGET.requestsPerHour}/h), ` +
    `${Math.round(counts.complexity)} points (${pointsShare.toFixed(1)}% of ` +
    `${BUDGET.complexityPerHour}/h), ${counts.rate_limited} rate limited`
  );
}

async function main() {
  const home = config.DATABASE_URL ? 'server Postgres' : 'embedded PGlite';
  const benchDb = await createBenchDatabase('linear', config.DATABASE_URL);
  const sim = await startLinearSim({
    seed: 'bench-linear',
    size: SIZE,
    rateLimits: {
      requestsPerHour: BUDGET.requestsPerHour * 100,
      complexityPerHour: BUDGET.complexityPerHour * 100,
    },
  });
  const stats = sim.control.stats();
  log(
    `# Linear bench (${home}): ${stats.issues} issues, ${stats.comments} comments, ` +
      `${stats.projects} projects, ${stats.customers} customers, ${stats.users} users`,
  );
  const pool = new pg.Pool({ connectionString: benchDb.url, max: 2 });
  await migrate({ pool, embeddingDim: config.EMBEDDING_DIM, appRole: config.DB_APP_ROLE });
  await pool.end();
  const database = await openDatabase({ ...config, DATABASE_URL: benchDb.url });
  try {
    const scope = await createBenchProject(database, 'linear');
    const run = async (label: string, listIds?: boolean) => {
      const started = performance.now();
      const counts = await syncLinear({
        database,
        config,
        scope,
        source: { url: sim.graphqlUrl, apiKey: sim.apiKey },
        listIds,
      });
      log(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s — ${summary(counts)}`);
    };
    await run('first sync');
    await run('no-change re-sync', false);
    await run('no-change re-sync with the id listing', true);
  } finally {
    await database.close();
    await sim.stop();
    await benchDb.cleanup();
  }
}

await main();
