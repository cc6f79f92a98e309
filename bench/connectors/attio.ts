/**
 * Attio connector benchmark (not a test: it prints figures, asserts nothing).
 *
 *   npx tsx bench/connectors/attio.ts                                              # embedded PGlite
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/connectors/attio.ts
 *
 * BENCH_ATTIO_SIZE (default `bench`: 5,000 people, 2,000 companies, 20,000 notes, 5,000 tasks;
 * tools/attio-sim/src/sizes.ts) picks the simulator's workspace. Against it over real HTTP, with
 * its default rate limits (100 reads a second), it measures a first sync, a re-sync with no
 * change (must write nothing) and a re-sync after 1% of the notes were edited, each with the
 * requests sent and the 429s met (docs/connectors-attio.md).
 */
import { startAttioSim, type AttioSizeName } from '@cairn/attio-sim';
import pg from 'pg';
import { openDatabase } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrator.js';
import {
  syncAttio,
  SYNC_ORDER,
  type AttioSyncCounts,
} from '../../server/src/modules/connectors/attio/sync-attio.js';
import {
  createBenchDatabase,
  createBenchProject,
  loopbackBenchConfig,
} from '../support/database.js';

const SIZE = (process.env.BENCH_ATTIO_SIZE ?? 'bench') as AttioSizeName;
const config = loopbackBenchConfig();
const log = (...parts: unknown[]) => console.log(...parts);

function summary(counts: AttioSyncCounts): string {
  const kinds = SYNC_ORDER.map((k) => {
    const c = counts.kinds[k];
    return `${k} ${c.read} read (${c.inserted} new, ${c.updated} changed, ${c.deleted} deleted)`;
  });
  return `${kinds.join(', ')}; ${counts.requests} requests, ${counts.rate_limited} × 429`;
}

async function main() {
  const home = config.DATABASE_URL ? 'server Postgres' : 'embedded PGlite';
  const benchDb = await createBenchDatabase('attio', config.DATABASE_URL);
  const sim = await startAttioSim({ seed: 'bench-attio', size: SIZE });
  const stats = sim.control.stats();
  log(
    `# Attio bench (${home}): ${stats.people} people, ${stats.companies} companies, ${stats.deals} deals, ${stats.notes} notes, ${stats.tasks} tasks`,
  );
  const pool = new pg.Pool({ connectionString: benchDb.url, max: 2 });
  await migrate({ pool, embeddingDim: config.EMBEDDING_DIM, appRole: config.DB_APP_ROLE });
  await pool.end();
  const database = await openDatabase({ ...config, DATABASE_URL: benchDb.url });
  try {
    const scope = await createBenchProject(database, 'attio');
    const sync = () =>
      syncAttio({ database, config, scope, source: { baseUrl: sim.url, token: sim.token } });
    const run = async (label: string) => {
      const started = performance.now();
      const counts = await sync();
      log(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s — ${summary(counts)}`);
    };
    await run('first sync');
    await run('no-change re-sync');
    const notes = [...sim.control.groundTruth.notes()] as { id: { note_id: string } }[];
    for (let i = 0; i < notes.length; i += 100)
      sim.control.editNote(notes[i]!.id.note_id, { title: `Edited ${i}` });
    await run('re-sync after 1% of notes edited');
  } finally {
    await database.close();
    await sim.stop();
    await benchDb.cleanup();
  }
}

await main();
