/**
 * Search and embeddings benchmark (not a test: it prints figures, asserts nothing).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/search/run.ts
 *   npx tsx bench/search/run.ts            # embedded PGlite in a temp directory
 *
 * With DATABASE_URL it creates (and afterwards drops, unless BENCH_KEEP_DB=1) a fresh database on
 * that server. BENCH_CHUNKS (default 100000), BENCH_QUERIES (default 200 per class),
 * EMBEDDING_DIM (default 1536) and SEARCH_EXACT_THRESHOLD (default 5000) shape the run.
 *
 * It loads synthetic studio messages into projects holding 20%, 1% and 0.1% of the chunks (the
 * rest spread over filler projects), then measures:
 *  1. embedding throughput with the offline provider, end to end (claim, embed, vectors written),
 *     after timing the evidence items a project's first run indexes: a) the backfill, before any
 *     project has its HNSW graph, b) the graph builds the embeddings job then runs for projects
 *     above SEARCH_EXACT_THRESHOLD (timed), and c) a re-embedded sample written into a built
 *     graph (the steady state);
 *  2. per project class: latency p50/p95/p99 of the vector query through the project's graph
 *     with iterative scan (LIMIT 10, and LIMIT 40 as the service asks), of the exact scan (the
 *     same-run baseline), of the text half alone, and of the full hybrid service call for long
 *     and two-word queries; recall@10 of HNSW against the exact scan; the share of queries that
 *     returned a full k rows; and the evidence search (`GET /evidence/search`) for the long queries.
 */
import os from 'node:os';
import { sql } from 'kysely';
import { loadConfig } from '../../server/src/config.js';
import { createBenchDatabase } from '../support/database.js';
import { createProjectWithChunks, percentile, rng } from '../support/studio-chunks.js';
import { openDatabase, type Database, type Scope } from '../../server/src/db/database.js';
import { migrate } from '../../server/src/db/migrator.js';
import { createLocalEmbedder } from '../../server/src/modules/rag/embeddings/local-embedder.js';
import { toVectorLiteral } from '../../server/src/modules/rag/embeddings/provider.js';
import { indexEvidence, searchEvidence } from '../../server/src/modules/rag/index-evidence.js';
import { runEmbeddings } from '../../server/src/modules/rag/run-embeddings.js';
import { ensureProjectVectorIndex } from '../../server/src/modules/rag/vector-index.js';
import {
  enableIterativeScan,
  nearestChunksQuery,
  searchChunks,
} from '../../server/src/modules/rag/search-chunks.js';

const TOTAL = Number(process.env.BENCH_CHUNKS ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const K = 10;
const CLASSES = [
  { label: '20%', share: 0.2 },
  { label: '1%', share: 0.01 },
  { label: '0.1%', share: 0.001 },
];
const FILLER_PROJECTS = 8;

const config = loadConfig({ EMBED_BATCH_SIZE: '200', ...process.env });
const log = (line: string) => console.log(line);

const fmt = (ms: number) => `${ms.toFixed(1)}`.padStart(6);

async function main() {
  const { url, cleanup } = await createBenchDatabase('search', config.DATABASE_URL);
  const benchConfig = { ...config, DATABASE_URL: url, DB_POOL_MAX: 4 };
  const database = await openDatabase(benchConfig);
  const provider = createLocalEmbedder({ dimension: config.EMBEDDING_DIM });
  const where = config.DATABASE_URL ? 'server Postgres' : 'embedded PGlite';
  try {
    await migrate({
      pool: database.pool,
      embeddingDim: config.EMBEDDING_DIM,
      appRole: config.DB_APP_ROLE,
    });
    const { rows: version } = await sql<{ v: string; buffers: string }>`
      select extversion as v, current_setting('shared_buffers') as buffers
      from pg_extension where extname = 'vector'`.execute(database.db);
    log(
      `bench/search on ${where}: ${TOTAL} chunks, dim ${config.EMBEDDING_DIM}, pgvector ${version[0]?.v}, ` +
        `SEARCH_EXACT_THRESHOLD ${config.SEARCH_EXACT_THRESHOLD}, EMBED_BATCH_SIZE ${config.EMBED_BATCH_SIZE}, ` +
        `shared_buffers ${version[0]?.buffers}`,
    );

    // Load.
    const random = rng(42);
    let started = Date.now();
    const classes = [];
    for (const c of CLASSES) {
      classes.push({
        ...c,
        scope: await createProjectWithChunks(
          database,
          c.label,
          Math.round(TOTAL * c.share),
          random,
        ),
      });
    }
    const rest = TOTAL - classes.reduce((s, c) => s + c.scope.texts.length, 0);
    const fillers = [];
    for (let i = 0; i < FILLER_PROJECTS; i++) {
      const n = Math.floor(rest / FILLER_PROJECTS) + (i < rest % FILLER_PROJECTS ? 1 : 0);
      fillers.push(await createProjectWithChunks(database, `filler-${i}`, n, random));
    }
    log(`loaded ${TOTAL} messages and chunks in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // 1a. The first step of a project's first embeddings run: its messages become evidence items
    // (two tsvector parses each). Timed on its own so that the backfill below counts vectors.
    const all = [...classes.map((c) => c.scope), ...fillers];
    started = Date.now();
    let evidenceItems = 0;
    for (const scope of all) evidenceItems += (await indexEvidence({ database, scope })).indexed;
    const evidenceSeconds = (Date.now() - started) / 1000;
    log(
      `evidence items indexed (the first run's first step): ${evidenceItems} in ` +
        `${evidenceSeconds.toFixed(1)} s = ${Math.round(evidenceItems / evidenceSeconds)} items/s`,
    );

    // 1b. Backfill: no project has a graph yet, so vectors are written without one. Both workers
    // walk the same projects in the same order, so they race on every chunk: the provider's input
    // count against the rows written shows whether any chunk was embedded twice.
    started = Date.now();
    let backfilled = 0;
    let providerInputs = 0;
    const counted = {
      ...provider,
      embed: (texts: string[]) => {
        providerInputs += texts.length;
        return provider.embed(texts);
      },
    };
    await Promise.all(
      [0, 1].map(async () => {
        for (const scope of all) {
          const counts = await runEmbeddings({
            database,
            config: benchConfig,
            scope,
            provider: counted,
          });
          backfilled += counts.embedded;
        }
      }),
    );
    const backfillSeconds = (Date.now() - started) / 1000;
    log(
      `backfill (no graphs yet): ${backfilled} chunks in ${backfillSeconds.toFixed(1)} s = ` +
        `${Math.round(backfilled / backfillSeconds)} chunks/s (two workers racing on each project)`,
    );
    const { rows: left } = await sql<{ status: string; n: number }>`
      select embedding_status as status, count(*)::int as n from rag_chunks group by 1 order by 1
    `.execute(database.db);
    log(
      `  provider inputs ${providerInputs} for ${backfilled} rows written (embedded twice: ` +
        `${providerInputs - backfilled}); rows by status: ` +
        left.map((r) => `${r.status} ${r.n}`).join(', '),
    );

    // 1c. What the embeddings job does after a run: a graph for each project above the threshold
    // (BENCH_SKIP_FILLER_GRAPHS=1: only the measured projects', to shorten a 1,000,000-chunk run).
    started = Date.now();
    const built: string[] = [];
    const graphed =
      process.env.BENCH_SKIP_FILLER_GRAPHS === '1' ? classes.map((c) => c.scope) : all;
    for (const [i, scope] of graphed.entries()) {
      const t0 = Date.now();
      const outcome = await ensureProjectVectorIndex({
        database,
        scope,
        minReady: config.SEARCH_EXACT_THRESHOLD,
        maintenanceWorkMem: `${indexBuildMemoryMb(scope)}MB`,
      });
      if (outcome === 'built') {
        const label = classes[i]?.label ?? 'filler';
        built.push(`${label} ${scope.texts.length} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
    }
    const indexSeconds = (Date.now() - started) / 1000;
    log(
      `HNSW graphs built: ${built.length} (${built.join(', ')}), ${indexSeconds.toFixed(1)} s in ` +
        `all` +
        (graphed === all
          ? `; backfill + build = ${Math.round(backfilled / (backfillSeconds + indexSeconds))} chunks/s`
          : ' (filler projects left without graphs)'),
    );

    // 1d. Steady state: re-embedding a sample of the largest project writes into its graph.
    const steady = classes[0]!.scope;
    await sql`
      update rag_chunks set embedding_status = 'pending'
      where id in (select id from rag_chunks where project_id = ${steady.projectId}::uuid limit 2000)
    `.execute(database.db);
    started = Date.now();
    const sample = (await runEmbeddings({ database, config: benchConfig, scope: steady, provider }))
      .embedded;
    const steadySeconds = (Date.now() - started) / 1000;
    log(
      `re-embed into a built graph: ${sample} chunks in ${steadySeconds.toFixed(1)} s = ` +
        `${Math.round(sample / steadySeconds)} chunks/s (one worker)`,
    );
    // The steady state autovacuum reaches after a bulk load: the GIN index's pending list merged
    // (every text search otherwise scans it: about 10 ms with 8,000 pending rows) and the
    // visibility map set. Timed, since a real backfill leaves this work behind as well.
    started = Date.now();
    await sql`vacuum analyze rag_chunks, evidence_items`.execute(database.db);
    log(`vacuum analyze after the backfill: ${((Date.now() - started) / 1000).toFixed(1)} s`);

    log(
      `load average now ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores`,
    );

    // 2. Search per class.
    log('');
    log('class   chunks  path           p50    p95    p99 (ms)  recall@10  full-k');
    for (const c of classes) {
      const qrandom = rng(7);
      const pick = () => c.scope.texts[Math.floor(qrandom() * c.scope.texts.length)]!.split(' ');
      // Long: 60% of a message's words, 3 to 12 of them (the class measured since the start).
      // Short: two words of a message, closer to what people type into a search box.
      const queries = Array.from({ length: QUERIES }, () => {
        const words = pick();
        return words.slice(0, Math.max(3, Math.ceil(words.length * 0.6))).join(' ');
      });
      const shortQueries = Array.from({ length: QUERIES }, () => {
        const words = pick();
        const i = Math.floor(qrandom() * (words.length - 1));
        return `${words[i]} ${words[i + 1]}`;
      });
      const vectors = (await provider.embed(queries)).vectors.map(toVectorLiteral);
      const exact = await timeVector(database, c.scope, provider.model, vectors, true, K);
      const recallOf = (results: string[][]) => {
        let hit = 0;
        exact.results.forEach((ids, i) => {
          const truth = new Set(ids.slice(0, K));
          const found = results[i]!.slice(0, K);
          hit += found.filter((id) => truth.has(id)).length / Math.max(1, truth.size);
        });
        return hit / queries.length;
      };
      const full = (r: string[][]) => r.filter((ids) => ids.length >= K).length / r.length;
      const graph = c.scope.texts.length > config.SEARCH_EXACT_THRESHOLD;
      const hnsw = graph
        ? await timeVector(database, c.scope, provider.model, vectors, false, K)
        : null;
      // What the service runs for topK 10: 40 candidates for fusion, of which the first 10 count.
      const hnswService = graph
        ? await timeVector(database, c.scope, provider.model, vectors, false, 40)
        : null;
      const textOnly = await timeService(database, benchConfig, c.scope, provider, queries, 'text');
      const service = await timeService(database, benchConfig, c.scope, provider, queries);
      const serviceShort = await timeService(
        database,
        benchConfig,
        c.scope,
        provider,
        shortQueries,
      );
      const n = String(c.scope.texts.length).padStart(7);
      const line = (pathName: string, t: number[], extra: string) =>
        log(
          `${c.label.padEnd(6)}${n}  ${pathName.padEnd(13)}${fmt(percentile(t, 50))} ${fmt(percentile(t, 95))} ${fmt(percentile(t, 99))}        ${extra}`,
        );
      const recallLine = (r: string[][]) => `  ${recallOf(r).toFixed(3)}    ${full(r).toFixed(3)}`;
      line('exact', exact.times, `  1.000    ${full(exact.results).toFixed(3)}`);
      if (hnsw && hnswService) {
        line('hnsw k=10', hnsw.times, recallLine(hnsw.results));
        line('hnsw k=40', hnswService.times, recallLine(hnswService.results));
      }
      line('text half', textOnly.times, `           ${textOnly.full.toFixed(3)}`);
      line(`hybrid(${service.path})`, service.times, `           ${service.full.toFixed(3)}`);
      line('  2 words', serviceShort.times, `           ${serviceShort.full.toFixed(3)}`);
      const evidence = await timeEvidence(database, c.scope, queries);
      line('evidence', evidence.times, `           ${evidence.full.toFixed(3)}`);
    }
    log(
      `load average at the end ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores`,
    );
  } finally {
    await database.close();
    await cleanup();
  }
}

/**
 * Enough memory for the project's whole graph (each element holds its vector and about 40
 * neighbour ids), with a margin, at least 1 GB and at most half the machine.
 */
function indexBuildMemoryMb(scope: { texts: string[] }): number {
  const graphBytes = scope.texts.length * (config.EMBEDDING_DIM * 4 + 400) * 1.3;
  const halfMachine = os.totalmem() / 2;
  return Math.round(Math.min(halfMachine, Math.max(1024 ** 3, graphBytes)) / 1024 ** 2);
}

async function timeVector(
  database: Database,
  scope: Scope,
  model: string,
  vectors: string[],
  exact: boolean,
  limit: number,
) {
  const times: number[] = [];
  const results: string[][] = [];
  for (const vector of vectors) {
    const t0 = performance.now();
    const rows = await database.withScope(scope, async (trx) => {
      // The service's settings for this path (JIT and sequential scans off come with it).
      await sql`select set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true)`.execute(
        trx,
      );
      if (!exact) await enableIterativeScan(trx, limit);
      const { rows } = await nearestChunksQuery({
        scope,
        vector,
        model,
        limit,
        exact,
        filter: sql<boolean>`true`,
      }).execute(trx);
      return rows;
    });
    times.push(performance.now() - t0);
    results.push(rows.map((r) => r.id));
  }
  times.sort((a, b) => a - b);
  return { times, results };
}

async function timeService(
  database: Database,
  benchConfig: typeof config,
  scope: Scope,
  provider: ReturnType<typeof createLocalEmbedder>,
  queries: string[],
  mode: 'hybrid' | 'text' = 'hybrid',
) {
  const times: number[] = [];
  let full = 0;
  let pathName = '';
  for (const query of queries) {
    const t0 = performance.now();
    const result = await searchChunks({
      database,
      config: benchConfig,
      scope,
      provider,
      query,
      topK: K,
      mode,
    });
    times.push(performance.now() - t0);
    if (result.hits.length === K) full++;
    pathName = result.vector_path ?? 'text';
  }
  times.sort((a, b) => a - b);
  return { times, full: full / queries.length, path: pathName };
}

/** `GET /evidence/search` over the project's messages, as many items as the search asks for. */
async function timeEvidence(database: Database, scope: Scope, queries: string[]) {
  const times: number[] = [];
  let full = 0;
  for (const query of queries) {
    const t0 = performance.now();
    const items = await searchEvidence({ database, scope, query, limit: K });
    times.push(performance.now() - t0);
    if (items.length === K) full++;
  }
  times.sort((a, b) => a - b);
  return { times, full: full / queries.length };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
